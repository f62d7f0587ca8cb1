"""Local secrets for `make run`: generated once into var/secrets.env when the environment has none.

Production sets every secret in the environment (see .env.example); this file only spares a
newcomer from inventing keys. It lives under var/, which git ignores.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.settings import VAR_DIR

SECRET_NAMES = ("PSEUDONYM_KEY", "RASA_AUTH_TOKEN", "CASEWORK_SERVICE_TOKEN")


def load_dev_secrets(path: Path = VAR_DIR / "secrets.env") -> None:
    """Fill missing secrets in os.environ from `path`, creating it with random values first."""
    if all(os.environ.get(name) for name in SECRET_NAMES):
        return
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{name}={secrets.token_urlsafe(32)}" for name in SECRET_NAMES]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if name in SECRET_NAMES and not os.environ.get(name):
            os.environ[name] = value
