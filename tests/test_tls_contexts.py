"""One TLS context per way of verifying, shared by every client of a process: loading a CA
bundle costs tens of milliseconds, and a fleet builds a client per appliance."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import pytest
import trustme

from backuptui.core.appliance.tls import bundle_context, shared_context


def test_the_default_contexts_are_built_once() -> None:
    verified, unverified = shared_context(True), shared_context(False)
    assert shared_context(True) is verified and shared_context(False) is unverified
    assert verified.verify_mode is ssl.CERT_REQUIRED and verified.check_hostname
    assert unverified.verify_mode is ssl.CERT_NONE and not unverified.check_hostname


def test_the_default_follows_ssl_cert_file_as_httpx_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    before = shared_context(True)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert shared_context(True) is not before  # not the context made without it
    assert len(shared_context(True).get_ca_certs()) == 1


def test_a_bundle_context_is_rebuilt_when_the_file_changes(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    first = bundle_context(str(bundle))
    assert bundle_context(str(bundle)) is first
    with bundle.open("ab") as f:  # another CA added: the file's size and time change
        f.write(trustme.CA().cert_pem.bytes())
    os.utime(bundle, ns=(1, 1))
    second = bundle_context(str(bundle))
    assert second is not first and len(second.get_ca_certs()) == 2
    with pytest.raises(OSError):
        bundle_context(str(tmp_path / "missing.pem"))
