"""Normalised lookup keys behind the uniqueness rules (userid, mobile, e-mail)."""

from __future__ import annotations


def userid_key(userid: str) -> str:
    """userids are unique ignoring case (users.md §1)."""
    return userid.lower()


def mobile_key(mobile: str) -> str:
    """Spaces and dashes do not count, and +86 is the default country code."""
    digits = mobile.replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def email_key(email: str) -> str:
    return email.strip().lower()
