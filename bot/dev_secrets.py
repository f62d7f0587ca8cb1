"""Local secrets for `make run`: generated once into var/secrets.env when the environment has none.

Production sets every secret in the environment (see .env.example); this file only spares a
newcomer from inventing keys. It lives under var/, which git ignores.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable, Dict

from bot.crypto import generate_key
from bot.settings import VAR_DIR

SECRET_NAMES = ("PSEUDONYM_KEY", "RASA_AUTH_TOKEN", "CASEWORK_SERVICE_TOKEN", "DATA_ENCRYPTION_KEYS")
# Secrets with a format of their own; the rest are random URL-safe strings.
GENERATORS: Dict[str, Callable[[], str]] = {"DATA_ENCRYPTION_KEYS": generate_key}


def _new_secret(name: str) -> str:
    return GENERATORS.get(name, lambda: secrets.token_urlsafe(32))()


def load_dev_secrets(path: Path = VAR_DIR / "secrets.env") -> None:
    """Fill missing secrets in os.environ from `path`, creating it with random values first."""
    if all(os.environ.get(name) for name in SECRET_NAMES):
        return
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
        path.chmod(0o600)
    stored = path.read_text(encoding="utf-8")
    # A file from an older version may lack a secret added since: append it, keep the others.
    missing = [name for name in SECRET_NAMES if f"\n{name}=" not in "\n" + stored]
    if missing:
        with path.open("a", encoding="utf-8") as file:
            file.writelines(f"{name}={_new_secret(name)}\n" for name in missing)
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if name in SECRET_NAMES and not os.environ.get(name):
            os.environ[name] = value
