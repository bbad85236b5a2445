"""The TLS contexts of a process's clients: built once, shared by every client that needs one.

httpx builds a new `SSLContext` for every client, and loading certifi's CA bundle into it costs
tens of milliseconds (more on a loaded machine): a fleet of 100 appliances paid it 100 times
before the first poll. A context is safe to share between connections and threads, so the process
keeps one per way of verifying: httpx's default (certifi's bundle, or SSL_CERT_FILE/SSL_CERT_DIR
as httpx reads them), no verification, and one per CA bundle file (read again when it changes).
"""

from __future__ import annotations

import os
import ssl

_shared: dict[tuple[bool, str | None, str | None], ssl.SSLContext] = {}


def shared_context(verify: bool) -> ssl.SSLContext:
    """What httpx itself would build for `verify=True` (or `False`), once per process (and per
    SSL_CERT_FILE/SSL_CERT_DIR, which httpx reads for the default)."""
    key = (verify, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    context = _shared.get(key)
    if context is None:
        from backuptui.core.appliance._httpx import httpx  # with the first client that needs it

        context = _shared[key] = httpx.create_ssl_context(verify=verify)
    return context


_bundles: dict[tuple[str, int, int], ssl.SSLContext] = {}


def bundle_context(path: str) -> ssl.SSLContext:
    """A context that trusts the CA bundle at `path`; built again when the file changes.
    Raises OSError or ssl.SSLError as `ssl.create_default_context` does."""
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    context = _bundles.get(key)
    if context is None:
        context = ssl.create_default_context(cafile=path)
        _bundles.clear()  # a process uses one or a few bundles; an edited file replaces its entry
        _bundles[key] = context
    return context
