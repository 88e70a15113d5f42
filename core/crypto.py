"""Symmetric encryption of sensitive columns (BSN, medical free text).

Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``, with every key of
``settings.FIELD_ENCRYPTION_KEYS`` accepted for decryption and the first one
used for encryption, so keys can be rotated without downtime.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold url-safe base64 Fernet keys "
            "(generate one with cryptography.fernet.Fernet.generate_key())."
        ) from exc


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the newest key; returns an ASCII token."""
    return _current().encrypt(plaintext.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt a token made with any configured key."""
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS; "
            "was a key removed before re-encryption finished?"
        ) from exc


def is_current(token: str) -> bool:
    """Whether ``token`` is encrypted with the newest key (the first one)."""
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    try:
        _fernet(keys[:1]).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def rotate_token(token: str) -> str:
    """``token`` re-encrypted with the newest key; it may be under any
    configured key. Raises ``InvalidToken`` when no key opens it."""
    return _current().rotate(token.encode("ascii")).decode("ascii")
