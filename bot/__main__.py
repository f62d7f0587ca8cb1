"""Gateway command line: `python -m bot serve | migrate | run`, channel and admin commands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from aiohttp import web

from bot import privacy_admin
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the gateway (settings from the environment)")
    sub.add_parser("migrate", help="apply database migrations")
    run = sub.add_parser("run", help="start Rasa, the action server and the gateway together")
    run.add_argument("--no-wait", action="store_true", help="exit once everything is healthy")
    scaled = sub.add_parser("run-scaled", help="2 Rasa, 2 action servers, 2 gateways behind nginx (PostgreSQL, Redis)")
    scaled.add_argument("--no-wait", action="store_true", help=argparse.SUPPRESS)
    recruiters = sub.add_parser("import-recruiters", help="load a licensed-recruiter registry from CSV")
    recruiters.add_argument("csv_file", help="columns: " + ", ".join(("name", "licence_number", "country",
                            "status", "valid_until", "source", "verified")))
    recruiters.add_argument("--registry", required=True, help="registry name; its old rows are replaced")
    sub.add_parser(
        "telegram-webhook",
        help="register <TELEGRAM_PUBLIC_URL>/telegram/webhook with Telegram, with TELEGRAM_WEBHOOK_SECRET",
    )
    dead = sub.add_parser("dead-letters", help="list outbound messages that failed for good (no message text)")
    dead.add_argument("--limit", type=int, default=50)
    directory = sub.add_parser("import-directory", help="load or update agencies and services (YAML or CSV)")
    directory.add_argument("file", help="see reference/directory_sample.yml for the fields")
    token = sub.add_parser("create-agency-token", help="create an API token for an agency (printed once)")
    token.add_argument("agency_id")
    token.add_argument("--label", default="", help="who or what the token is for")
    revoke = sub.add_parser("revoke-agency-token", help="revoke an agency API token by its id")
    revoke.add_argument("token_id", type=int)
    webhook = sub.add_parser("set-agency-webhook", help="where an agency's system is notified of new cases")
    webhook.add_argument("agency_id")
    webhook.add_argument("url", nargs="?", help="https URL; omit to stop notifications")
    sub.add_parser("rotate-keys", help="re-encrypt stored data with the newest DATA_ENCRYPTION_KEYS key")
    _console_parsers(sub)
    privacy_admin.add_parsers(sub)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "run-scaled":
        from bot.scaled import run_scaled

        return run_scaled(wait=not args.no_wait)
    if args.command == "run":
        from bot.launcher import run_all

        return run_all(wait=not args.no_wait)

    from bot.dev_secrets import load_dev_secrets

    load_dev_secrets()
    settings = Settings.from_env()
    if args.command == "migrate":
        from bot.store.migrate import upgrade

        upgrade(settings.database_url, pseudonym_key=settings.pseudonym_key)
        return 0

    if args.command == "import-recruiters":
        from bot.registry_import import import_registry_file

        count = import_registry_file(settings.database_url, args.csv_file, args.registry)
        print(f"imported {count} recruiters into registry {args.registry!r}")
        return 0

    if args.command == "telegram-webhook":
        return _telegram_webhook(settings)

    if args.command == "dead-letters":
        from bot.delivery.dead_letters import print_dead_letters

        return asyncio.run(print_dead_letters(settings.database_url, args.limit))
    if args.command in ADMIN_COMMANDS:
        return _admin(args, settings)
    if args.command in CONSOLE_COMMANDS:
        return _console_admin(args, settings)
    if args.command in privacy_admin.PRIVACY_COMMANDS:
        return privacy_admin.run(args, settings)

    from bot.app import create_app
    from bot.web_security import PathOnlyAccessLogger

    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log_class=PathOnlyAccessLogger,
        print=None,
    )
    return 0


def _telegram_webhook(settings: Settings) -> int:
    if not (settings.telegram_bot_token and settings.telegram_public_url and settings.telegram_webhook_secret):
        print("set TELEGRAM_BOT_TOKEN, TELEGRAM_PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET first (see .env.example)")
        return 2
    from telegram import Bot

    from bot.channels.telegram import set_webhook

    async def register() -> bool:
        async with Bot(settings.telegram_bot_token, base_url=f"{settings.telegram_api_url}/bot") as bot:
            return await set_webhook(bot, settings.telegram_public_url, settings.telegram_webhook_secret)

    ok = asyncio.run(register())
    print(f"webhook {'set' if ok else 'NOT set'}: {settings.telegram_public_url.rstrip('/')}/telegram/webhook")
    return 0 if ok else 1

ADMIN_COMMANDS = ("import-directory", "create-agency-token", "revoke-agency-token", "set-agency-webhook", "rotate-keys")


def _admin(args: argparse.Namespace, settings: Settings) -> int:
    from bot import casework_admin
    from bot.crypto import KeySet

    url = settings.database_url
    try:
        if args.command == "import-directory":
            print(f"imported {casework_admin.import_directory_file(url, args.file)} agencies")
        elif args.command == "create-agency-token":
            token_id, token = casework_admin.create_agency_token(url, args.agency_id, args.label)
            print(f"token id {token_id} for {args.agency_id} (shown once, store it safely):\n{token}")
        elif args.command == "revoke-agency-token":
            if not casework_admin.revoke_agency_token(url, args.token_id):
                print(f"no live token with id {args.token_id}", file=sys.stderr)
                return 1
            print(f"token {args.token_id} revoked")
        elif args.command == "set-agency-webhook":
            keys = KeySet(settings.data_encryption_keys)
            secret = casework_admin.set_agency_webhook(url, keys, args.agency_id, args.url)
            print(f"signing secret (shown once):\n{secret}" if secret else "notifications turned off")
        elif args.command == "rotate-keys":
            changed = casework_admin.rotate_keys(url, KeySet(settings.data_encryption_keys))
            print(f"re-encrypted {changed} values with the newest key")
    except (ValueError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


CONSOLE_COMMANDS = ("create-agency", "create-user", "reset-password", "deactivate-user")


def _console_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    agency = sub.add_parser("create-agency", help="add a partner agency (its console users belong to it)")
    agency.add_argument("agency_id", metavar="ID", help="2-64 lower-case letters, digits or dashes")
    agency.add_argument("--name", required=True)
    agency.add_argument("--kind", required=True, choices=("child_protection", "police", "ngo"))
    agency.add_argument("--countries", required=True, help="ISO codes, comma-separated: KE,UG")
    agency.add_argument("--languages", default="", help="ISO 639-1 codes, comma-separated: en,sw")
    agency.add_argument("--hours", default="", help='opening hours as people read them: "Mon-Fri 08:00-17:00"')
    agency.add_argument("--timezone", default="UTC", help="IANA time zone: Africa/Nairobi")
    agency.add_argument("--verified", action="store_true", help="a partner has checked this entry")
    user = sub.add_parser("create-user", help="add a console user (a generated password is printed once)")
    user.add_argument("username")
    user.add_argument("--agency", required=True, help="the agency id the user works for")
    user.add_argument("--role", required=True, choices=("counselor", "supervisor", "admin"))
    user.add_argument("--name", help="display name shown in the console")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    reset = sub.add_parser("reset-password", help="new password (printed once), unlock, end the user's sessions")
    reset.add_argument("username")
    deactivate = sub.add_parser("deactivate-user", help="the user can no longer sign in; their sessions end")
    deactivate.add_argument("username")


def _console_admin(args: argparse.Namespace, settings: Settings) -> int:
    from bot import console_admin

    url = settings.database_url
    try:
        if args.command == "create-agency":
            console_admin.create_agency(
                url, args.agency_id, args.name, args.kind, args.countries, args.languages, args.hours,
                args.timezone, args.verified,
            )
            print(f"agency {args.agency_id} created ({'verified' if args.verified else 'not verified'})")
        elif args.command == "create-user":
            password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
            generated = console_admin.create_user(url, args.username, args.agency, args.role, args.name, password)
            print(f"console user {args.username.strip().lower()} created ({args.role}, {args.agency})")
            if generated:
                print(f"password (shown once, give it to the user safely):\n{generated}")
        elif args.command == "reset-password":
            password, ended = console_admin.reset_password(url, args.username)
            print(f"password reset, lockout lifted, {ended} session(s) ended")
            print(f"new password (shown once, give it to the user safely):\n{password}")
        elif args.command == "deactivate-user":
            ended = console_admin.deactivate_user(url, args.username)
            print(f"{args.username.strip().lower()} deactivated, {ended} session(s) ended")
    except (ValueError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
