"""A redirect is named, never recommended: a hostile or misconfigured server could steer the user."""

from __future__ import annotations

from backuptui.core.appliance.failures import status_error


def test_a_redirect_names_its_target_without_recommending_it() -> None:
    error = status_error(
        302,
        b"",
        {"location": "https://evil.example.net/api"},
        appliance="vcsa01",
        user="u",
        what="login (/api/session)",
    )
    assert "redirected to https://evil.example.net/api (HTTP 302)" in error.message
    assert "Use the address the appliance redirects to" not in str(error)
    assert "do not take its target on trust" in str(error)
