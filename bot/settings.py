"""All gateway configuration, read from the environment in one place (see .env.example)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from bot.crypto import ENV_NAME as KEYS_ENV
from bot.crypto import parse_keys

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


def _default_routing_file() -> str:
    return str(REPO_ROOT / "reference" / "routing_sample.yml")


def _default_tracker_url() -> str:
    return f"sqlite:///{REPO_ROOT / 'var' / 'rasa' / 'tracker.db'}"


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{VAR_DIR / 'gateway.db'}"


@dataclass(frozen=True)
class Settings:
    """Typed settings; secrets have no default and must come from the environment."""

    pseudonym_key: str
    rasa_auth_token: str
    casework_service_token: str
    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str = field(default_factory=_default_database_url)
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    rasa_timeout_seconds: float = 10.0  # then the user gets the holding message
    rasa_request_timeout_seconds: float = 120.0  # then the request is given up and retried
    max_concurrent_turns: int = 4
    quick_exit_url: str = "https://www.google.com/search?q=weather"
    # The web chat page's title and heading (shown in tabs and history): something neutral.
    bot_display_name: str = "SafePassage"
    max_message_chars: int = 4000
    # The web chat waits this long for a turn's replies, then answers with the holding message.
    holding_timeout_seconds: float = 12.0
    outbox_max_attempts: int = 10
    # Telegram: a token alone means polling (local use); with a public URL, the webhook.
    telegram_bot_token: str = ""
    telegram_public_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    # WhatsApp Cloud API: all four secrets switch the channel on.
    whatsapp_access_token: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_verify_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_api_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v21.0"
    whatsapp_template: str = ""  # "name:language" of an approved template for outside the 24 h window
    # Safe-journey check-ins (docs/checkins.md): WhatsApp templates ("name:language") and retention.
    checkin_whatsapp_template: str = ""
    checkin_contact_template: str = ""
    checkin_retention_days: float = 30.0

    @property
    def telegram_polling(self) -> bool:
        return bool(self.telegram_bot_token) and not self.telegram_public_url
    # Reports and cases (docs/reports.md). Fernet keys, newest first; required to serve.
    data_encryption_keys: tuple[str, ...] = ()
    routing_file: str = field(default_factory=_default_routing_file)
    status_checks_per_hour: int = 5
    notify_poll_seconds: float = 5.0
    notify_retry_base_seconds: float = 5.0
    notify_retry_max_seconds: float = 3600.0
    notify_timeout_seconds: float = 10.0
    # Human handoff: how long a counselor may be disconnected before their chats go back to the
    # queue, when an unclaimed request escalates, and where it then goes (routing `handoff.fallback`).
    counselor_reconnect_seconds: float = 60.0
    handoff_escalate_seconds: float = 600.0
    handoff_use_fallback: bool = True
    # The counselor console (docs/console.md).
    console_session_hours: float = 8.0  # a login lasts at most this long
    console_idle_minutes: float = 60.0  # and ends sooner after this long without a request
    console_lockout_attempts: int = 5  # consecutive wrong passwords before the account locks
    console_lockout_minutes: float = 15.0
    console_cookie_secure: bool = True  # false only for plain http on another machine than this one
    # Privacy (docs/privacy.md): Rasa's tracker store (erasure and retention reach into it), how
    # long each data class is kept (days), and how often the purge runs inside the gateway.
    rasa_tracker_url: str = field(default_factory=_default_tracker_url)
    retention_messages_days: float = 30.0
    retention_trackers_days: float = 30.0
    retention_closed_cases_days: float = 730.0
    retention_audit_days: float = 2190.0
    purge_interval_minutes: float = 60.0
    # Abuse: messages one sender may send per minute before the gateway asks them to slow down.
    sender_messages_per_minute: int = 20
    # Scale-out (docs/operations.md): Redis carries console signals between gateway replicas;
    # leases keep two replicas off the same conversation ("auto": on unless the database is SQLite).
    redis_url: str = ""
    worker_leases: str = "auto"
    lease_seconds: float = 30.0
    sweep_seconds: float = 30.0  # how often left-over inbox and outbox work is looked for
    metrics_token: str = ""  # a bearer token for /metrics from other hosts (loopback needs none)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> Settings:
        env = os.environ if env is None else env
        missing = [
            name
            for name in ("PSEUDONYM_KEY", "RASA_AUTH_TOKEN", "CASEWORK_SERVICE_TOKEN")
            if not env.get(name)
        ]
        if missing:
            raise RuntimeError(
                f"missing secret(s) in the environment: {', '.join(missing)} (see .env.example)"
            )
        settings = cls(
            pseudonym_key=env["PSEUDONYM_KEY"],
            rasa_auth_token=env["RASA_AUTH_TOKEN"],
            casework_service_token=env["CASEWORK_SERVICE_TOKEN"],
            host=env.get("GATEWAY_HOST", cls.host),
            port=int(env.get("GATEWAY_PORT", cls.port)),
            database_url=env.get("DATABASE_URL") or _default_database_url(),
            rasa_url=env.get("RASA_URL", cls.rasa_url).rstrip("/"),
            action_server_url=env.get("ACTION_SERVER_URL", cls.action_server_url).rstrip("/"),
            rasa_timeout_seconds=float(env.get("RASA_TIMEOUT_SECONDS", cls.rasa_timeout_seconds)),
            rasa_request_timeout_seconds=float(
                env.get("RASA_REQUEST_TIMEOUT_SECONDS", cls.rasa_request_timeout_seconds)
            ),
            max_concurrent_turns=int(env.get("MAX_CONCURRENT_TURNS", cls.max_concurrent_turns)),
            quick_exit_url=env.get("QUICK_EXIT_URL", cls.quick_exit_url),
            bot_display_name=env.get("BOT_DISPLAY_NAME") or cls.bot_display_name,
            holding_timeout_seconds=float(
                env.get("HOLDING_TIMEOUT_SECONDS", cls.holding_timeout_seconds)
            ),
            outbox_max_attempts=int(env.get("OUTBOX_MAX_ATTEMPTS", cls.outbox_max_attempts)),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_public_url=env.get("TELEGRAM_PUBLIC_URL", ""),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_api_url=env.get("TELEGRAM_API_URL", cls.telegram_api_url).rstrip("/"),
            whatsapp_access_token=env.get("WHATSAPP_ACCESS_TOKEN", ""),
            whatsapp_app_secret=env.get("WHATSAPP_APP_SECRET", ""),
            whatsapp_verify_token=env.get("WHATSAPP_VERIFY_TOKEN", ""),
            whatsapp_phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", ""),
            whatsapp_api_url=env.get("WHATSAPP_API_URL", cls.whatsapp_api_url).rstrip("/"),
            whatsapp_api_version=env.get("WHATSAPP_API_VERSION", cls.whatsapp_api_version),
            whatsapp_template=env.get("WHATSAPP_TEMPLATE", ""),
            checkin_whatsapp_template=env.get("CHECKIN_WHATSAPP_TEMPLATE", ""),
            checkin_contact_template=env.get("CHECKIN_CONTACT_TEMPLATE", ""),
            checkin_retention_days=float(env.get("CHECKIN_RETENTION_DAYS", cls.checkin_retention_days)),
            data_encryption_keys=parse_keys(env.get(KEYS_ENV, "")),
            routing_file=env.get("ROUTING_FILE") or _default_routing_file(),
            status_checks_per_hour=int(env.get("STATUS_CHECKS_PER_HOUR", cls.status_checks_per_hour)),
            notify_retry_base_seconds=float(env.get("NOTIFY_RETRY_BASE_SECONDS", cls.notify_retry_base_seconds)),
            notify_retry_max_seconds=float(env.get("NOTIFY_RETRY_MAX_SECONDS", cls.notify_retry_max_seconds)),
            counselor_reconnect_seconds=float(
                env.get("COUNSELOR_RECONNECT_SECONDS", cls.counselor_reconnect_seconds)
            ),
            handoff_escalate_seconds=60 * float(env.get("HANDOFF_ESCALATE_MINUTES", cls.handoff_escalate_seconds / 60)),
            handoff_use_fallback=env.get("HANDOFF_USE_FALLBACK", "1") != "0",
            console_session_hours=float(env.get("CONSOLE_SESSION_HOURS", cls.console_session_hours)),
            console_idle_minutes=float(env.get("CONSOLE_IDLE_MINUTES", cls.console_idle_minutes)),
            console_lockout_attempts=int(env.get("CONSOLE_LOCKOUT_ATTEMPTS", cls.console_lockout_attempts)),
            console_lockout_minutes=float(env.get("CONSOLE_LOCKOUT_MINUTES", cls.console_lockout_minutes)),
            console_cookie_secure=env.get("CONSOLE_COOKIE_SECURE", "true").strip().lower()
            not in ("0", "false", "no", "off"),
            rasa_tracker_url=env.get("RASA_TRACKER_URL") or _default_tracker_url(),
            retention_messages_days=float(env.get("RETENTION_MESSAGES_DAYS", cls.retention_messages_days)),
            retention_trackers_days=float(env.get("RETENTION_TRACKERS_DAYS", cls.retention_trackers_days)),
            retention_closed_cases_days=float(
                env.get("RETENTION_CLOSED_CASES_DAYS", cls.retention_closed_cases_days)
            ),
            retention_audit_days=float(env.get("RETENTION_AUDIT_DAYS", cls.retention_audit_days)),
            purge_interval_minutes=float(env.get("PURGE_INTERVAL_MINUTES", cls.purge_interval_minutes)),
            sender_messages_per_minute=int(env.get("SENDER_MESSAGES_PER_MINUTE", cls.sender_messages_per_minute)),
            redis_url=env.get("REDIS_URL", ""),
            worker_leases=env.get("WORKER_LEASES", cls.worker_leases).strip().lower(),
            lease_seconds=float(env.get("LEASE_SECONDS", cls.lease_seconds)),
            sweep_seconds=float(env.get("SWEEP_SECONDS", cls.sweep_seconds)),
            metrics_token=env.get("METRICS_TOKEN", ""),
        )
        if settings.worker_leases not in ("auto", "on", "off"):
            raise RuntimeError("WORKER_LEASES must be auto, on or off")
        if settings.telegram_public_url and not settings.telegram_webhook_secret:
            raise RuntimeError(
                "TELEGRAM_PUBLIC_URL is set but TELEGRAM_WEBHOOK_SECRET is not: the webhook "
                "must be protected by a secret token (see .env.example)"
            )
        return settings
