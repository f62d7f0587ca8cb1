"""Secrets come only from the environment, and a missing one is named."""

from __future__ import annotations

import pytest

from bot.pseudonym import pseudonym
from bot.settings import Settings


def test_missing_secrets_are_named() -> None:
    with pytest.raises(RuntimeError, match="PSEUDONYM_KEY, CASEWORK_SERVICE_TOKEN"):
        Settings.from_env({"RASA_AUTH_TOKEN": "x"})


def test_settings_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "PSEUDONYM_KEY": "k",
            "RASA_AUTH_TOKEN": "t",
            "CASEWORK_SERVICE_TOKEN": "s",
            "GATEWAY_PORT": "9090",
            "RASA_URL": "http://127.0.0.1:6000/",
        }
    )
    assert settings.port == 9090 and settings.rasa_url == "http://127.0.0.1:6000"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_pseudonyms_depend_on_the_key_and_the_channel() -> None:
    assert pseudonym("k1", "telegram", "42") == pseudonym("k1", "telegram", "42")
    assert pseudonym("k1", "telegram", "42") != pseudonym("k2", "telegram", "42")
    assert pseudonym("k1", "telegram", "42") != pseudonym("k1", "whatsapp", "42")
    assert "42" not in pseudonym("k1", "telegram", "42")
