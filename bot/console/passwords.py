"""Console passwords: argon2id hashes (argon2-cffi's RFC 9106 defaults) and generated passwords."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: Optional[str], password: str) -> tuple[bool, Optional[str]]:
    """(does it match, a new hash when the stored one used older parameters).

    Without a stored hash (unknown user) a dummy hash is verified anyway, so a wrong user name
    takes as long to reject as a wrong password.
    """
    try:
        hasher().verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False, None
    if password_hash is None:
        return False, None
    if hasher().check_needs_rehash(password_hash):
        return True, hasher().hash(password)
    return True, None


def generate_password() -> str:
    """About 120 random bits, in groups a person can copy or read out: `xxxxx-xxxxx-xxxxx-xxxxx-xxxxx`."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l
    chars = [secrets.choice(alphabet) for _ in range(25)]
    return "-".join("".join(chars[i : i + 5]) for i in range(0, 25, 5))


def check_new_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"the password must have at least {MIN_LENGTH} characters")
