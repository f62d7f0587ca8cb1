"""The admin commands (`python -m bot ...`) and the dev secrets file that `make run` relies on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot import casework_admin
from bot.__main__ import main
from bot.crypto import KeySet, generate_key
from bot.dev_secrets import load_dev_secrets
from bot.store.migrate import upgrade


def test_an_older_secrets_file_gets_an_encryption_key_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PSEUDONYM_KEY", "RASA_AUTH_TOKEN", "CASEWORK_SERVICE_TOKEN", "DATA_ENCRYPTION_KEYS"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "secrets.env"
    path.write_text("PSEUDONYM_KEY=p\nRASA_AUTH_TOKEN=r\nCASEWORK_SERVICE_TOKEN=c\n")
    load_dev_secrets(path)
    assert os.environ["PSEUDONYM_KEY"] == "p"  # existing secrets are kept
    Fernet(os.environ["DATA_ENCRYPTION_KEYS"].encode())  # a valid Fernet key was added
    assert path.read_text().count("DATA_ENCRYPTION_KEYS=") == 1


def test_import_token_webhook_and_rotation_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"
    upgrade(url)
    key = generate_key()
    for name, value in {"DATABASE_URL": url, "PSEUDONYM_KEY": "p", "RASA_AUTH_TOKEN": "r",
                        "CASEWORK_SERVICE_TOKEN": "c", "DATA_ENCRYPTION_KEYS": key}.items():
        monkeypatch.setenv(name, value)
    assert main(["import-directory", str(casework_admin.SAMPLE_DIRECTORY)]) == 0
    assert main(["create-agency-token", "sample-ke-police-unit", "--label", "desk"]) == 0
    assert "spa_" in capsys.readouterr().out
    assert main(["create-agency-token", "no-such-agency"]) == 1
    assert main(["set-agency-webhook", "sample-ke-police-unit", "http://example.com/hook"]) == 1  # not https
    assert main(["set-agency-webhook", "sample-ke-police-unit", "https://example.org/hook"]) == 0
    assert main(["revoke-agency-token", "1"]) == 0 and main(["revoke-agency-token", "1"]) == 1
    new = generate_key()
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", f"{new},{key}")
    assert main(["rotate-keys"]) == 0
    assert "re-encrypted 1 values" in capsys.readouterr().out  # the webhook secret
    assert casework_admin.rotate_keys(url, KeySet([new])) == 0  # the old key is no longer needed
