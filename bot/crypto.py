"""Encryption at rest for sensitive free text: a MultiFernet key set read from the environment.

`DATA_ENCRYPTION_KEYS` holds comma-separated Fernet keys, newest first. New values are encrypted
with the newest key; every listed key can still decrypt, so a key is added in front, the stored
rows are re-encrypted (`python -m bot rotate-keys`), and only then is the old key removed.
"""

from __future__ import annotations

import base64
import os
from typing import Optional, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ENV_NAME = "DATA_ENCRYPTION_KEYS"


class KeySetError(ValueError):
    """The key list is empty or holds something that is not a Fernet key."""


def generate_key() -> str:
    """A new Fernet key (32 random bytes, URL-safe base64), as a string."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def parse_keys(raw: str) -> tuple[str, ...]:
    """Split the environment value into keys, newest first, dropping blanks."""
    return tuple(key.strip() for key in raw.split(",") if key.strip())


class KeySet:
    """Encrypts with the newest key, decrypts with any key in the set."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise KeySetError(f"no encryption key: set {ENV_NAME} (see .env.example)")
        try:
            self._fernets = [Fernet(key.encode()) for key in keys]
        except ValueError as exc:
            # Never echo the key itself.
            raise KeySetError(f"{ENV_NAME} holds a value that is not a Fernet key") from exc
        self._multi = MultiFernet(self._fernets)

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Plaintext of a stored token; raise InvalidToken when no key in the set opens it."""
        return self._multi.decrypt(token.encode("ascii")).decode("utf-8")

    def encrypt_optional(self, plaintext: Optional[str]) -> Optional[str]:
        return None if plaintext is None else self.encrypt(plaintext)

    def decrypt_optional(self, token: Optional[str]) -> Optional[str]:
        return None if token is None else self.decrypt(token)

    def rotate(self, token: str) -> str:
        """The same plaintext, re-encrypted with the newest key."""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")

    def is_current(self, token: str) -> bool:
        """True when the newest key alone opens the token (nothing to rotate)."""
        try:
            self._fernets[0].decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True


__all__ = ["ENV_NAME", "InvalidToken", "KeySet", "KeySetError", "generate_key", "parse_keys"]
