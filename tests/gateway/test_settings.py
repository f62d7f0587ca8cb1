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


def test_every_variable_the_gateway_reads_is_documented_in_env_example() -> None:
    import re

    from bot.settings import REPO_ROOT

    source = (REPO_ROOT / "bot" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.get)?\[?\(?"([A-Z][A-Z0-9_]+)"', source))
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (REPO_ROOT / ".env.example").read_text(), re.M))
    assert read, "the pattern found no variables"
    assert read - documented == set()


def test_a_public_telegram_webhook_needs_its_secret() -> None:
    env = {"PSEUDONYM_KEY": "k", "RASA_AUTH_TOKEN": "t", "CASEWORK_SERVICE_TOKEN": "s",
           "TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_PUBLIC_URL": "https://example.org"}
    with pytest.raises(RuntimeError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings.from_env(env)
    assert Settings.from_env({**env, "TELEGRAM_PUBLIC_URL": ""}).telegram_polling
    assert not Settings.from_env({**env, "TELEGRAM_WEBHOOK_SECRET": "s"}).telegram_polling
