"""Talking to one appliance: its address, the HTTP client and its sessions, the typed errors and their
wording, and the parsing of its records and schedules into immutable values (`models`)."""
