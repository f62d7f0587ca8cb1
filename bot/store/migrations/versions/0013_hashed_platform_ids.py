"""Platform message ids stored as keyed hashes: WhatsApp's ids spell out the sender's number.

`inbox.external_id` and `outbox.platform_id` become HMAC-SHA256 hashes under `PSEUDONYM_KEY`
(bot/pseudonym.py `message_key`), which still find duplicates and the message a status is about.
`inbox.platform_ref` keeps the inbound id encrypted, for WhatsApp's read receipts; rows written
before this migration get none (their read receipt, if still due, is skipped). Telegram callback
query ids (the user's id in their upper bits) are taken out of `inbox.meta`.

Revision ID: 0013
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("platform_ref", sa.Text, nullable=True))
    _hash_existing_ids()
    _drop_callback_query_ids()


def _drop_callback_query_ids() -> None:
    """Telegram's callback query ids carry the user's id in their upper 32 bits: no longer stored."""
    inbox = sa.table("inbox", sa.column("id", sa.Integer), sa.column("channel", sa.String),
                     sa.column("meta", sa.JSON))
    bind = op.get_bind()
    for row_id, meta in bind.execute(sa.select(inbox.c.id, inbox.c.meta).where(inbox.c.channel == "telegram")).all():
        if isinstance(meta, dict) and "callback_query_id" in meta:
            kept = {key: value for key, value in meta.items() if key != "callback_query_id"}
            bind.execute(inbox.update().where(inbox.c.id == row_id).values(meta=kept))


def _hash_existing_ids() -> None:
    from bot.pseudonym import message_key

    inbox = sa.table("inbox", sa.column("id", sa.Integer), sa.column("channel", sa.String),
                     sa.column("external_id", sa.String))
    outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("channel", sa.String),
                      sa.column("platform_id", sa.String))
    bind = op.get_bind()
    rows = [
        (inbox, inbox.c.external_id, row)
        for row in bind.execute(sa.select(inbox.c.id, inbox.c.channel, inbox.c.external_id)).all()
    ] + [
        (outbox, outbox.c.platform_id, row)
        for row in bind.execute(
            sa.select(outbox.c.id, outbox.c.channel, outbox.c.platform_id).where(outbox.c.platform_id.is_not(None))
        ).all()
    ]
    if not rows:
        return
    key = str(context.config.attributes.get("pseudonym_key") or "")
    if not key:
        raise RuntimeError("migration 0013 hashes stored message ids: set PSEUDONYM_KEY (the gateway's key)")
    for table, column, (row_id, channel, value) in rows:
        bind.execute(
            table.update().where(table.c.id == row_id).values({column.name: message_key(key, channel, value)})
        )


def downgrade() -> None:
    # The hashes cannot be turned back into ids; only the column goes.
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("platform_ref")
