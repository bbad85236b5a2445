"""The comparison for row 8: the official VMware Python bindings (PyPI vmware-vcenter 9.1.1.0).

REST mode against the simulator's `/rest` flavour over plain HTTP: log in with `requests` (the
SDK's own Session.create posts to the wrong path in REST mode), then hand the token to a `Details` stub.
"""

from __future__ import annotations

import warnings
from typing import Any

import requests

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from com.vmware.appliance.recovery.backup.job_client import Details
    from vmware.vapi.lib.connect import get_requests_connector
    from vmware.vapi.security.client.security_context_filter import LegacySecurityContextFilter
    from vmware.vapi.security.session import create_session_security_context
    from vmware.vapi.stdlib.client.factories import StubConfigurationFactory


class OfficialDetails:
    """A logged-in `Details` stub on one requests.Session (keep-alive, like backuptui's client)."""

    def __init__(self, url: str, user: str, password: str) -> None:
        self.http = requests.Session()
        resp = self.http.post(f"{url}/rest/com/vmware/cis/session", auth=(user, password), timeout=30)
        resp.raise_for_status()
        token = resp.json()["value"]
        connector = get_requests_connector(
            session=self.http,
            msg_protocol="rest",
            url=f"{url}/rest",
            provider_filter_chain=[
                LegacySecurityContextFilter(security_context=create_session_security_context(token))
            ],
        )
        self.details = Details(StubConfigurationFactory.new_std_configuration(connector))

    def list(self) -> dict[str, Any]:
        result: dict[str, Any] = self.details.list()
        return result

    def close(self) -> None:
        self.http.close()
