"""Row 10's reference: the least a check can do with httpx. Usage: httpx_check.py URL USER PASSWORD"""

import json
import sys

import httpx

url, user, password = sys.argv[1:4]
with httpx.Client(base_url=url, timeout=30) as http:
    token = http.post("/api/session", auth=(user, password)).json()
    headers = {"vmware-api-session-id": token}
    jobs = json.loads(http.get("/api/appliance/recovery/backup/job/details", headers=headers).content)
    http.delete("/api/session", headers=headers)
print(f"{len(jobs)} jobs")
