"""The certificate chain an appliance presents, read for `doctor`: who each certificate names, who
issued it, when it expires.

The standard library reads only the leaf (`getpeercert`); the chain is `get_verified_chain()` /
`get_unverified_chain()`, public on `SSLSocket` from Python 3.13 and present (private, on
`SSLSocket._sslobj`) since 3.10. Where neither exists, the chain is the leaf alone. The
certificates are read with `cryptography` (DER in, names and dates out).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509

__all__ = ["CertificateInfo", "peer_chain", "read_certificate"]


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """One certificate of a chain, as a person checks it."""

    subject: str
    issuer: str
    not_after: datetime
    names: tuple[str, ...] = ()  # subject alternative names

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer

    def days_left(self, now: datetime | None = None) -> int:
        return (self.not_after - (now or datetime.now(UTC))).days

    def as_json(self, now: datetime | None = None) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_after": self.not_after.isoformat(),
            "days_left": self.days_left(now),
            "self_signed": self.self_signed,
            "names": list(self.names),
        }


def read_certificate(der: bytes) -> CertificateInfo | None:
    """The certificate's names and expiry; None for bytes that are no certificate."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(str(name.value) for name in san)
    except x509.ExtensionNotFound:
        names = ()
    return CertificateInfo(
        subject=cert.subject.rfc4514_string() or "?",
        issuer=cert.issuer.rfc4514_string() or "?",
        not_after=cert.not_valid_after_utc,
        names=names,
    )


def peer_chain(tls: ssl.SSLSocket, *, verified: bool) -> list[bytes]:
    """The DER certificates the handshake saw, leaf first: the chain as verified (up to the trusted
    root) or as the server sent it. The leaf alone where this Python cannot say more."""
    method = "get_verified_chain" if verified else "get_unverified_chain"
    # public from Python 3.13; the same method on the private SSLObject since 3.10
    getter = getattr(tls, method, None) or getattr(getattr(tls, "_sslobj", None), method, None)
    if getter is not None:
        try:
            chain = getter() or []
            ders = [_der(cert) for cert in chain]
            if ders and all(ders):
                return ders
        except (ssl.SSLError, ValueError, TypeError, AttributeError):
            pass
    leaf = tls.getpeercert(binary_form=True)
    return [leaf] if leaf else []


#: `_ssl.ENCODING_DER`, what `Certificate.public_bytes` takes for DER (the module is private)
_ENCODING_DER = 2


def _der(cert: Any) -> bytes:
    if isinstance(cert, bytes):
        return cert
    return bytes(cert.public_bytes(_ENCODING_DER))
