"""The console's queue and conversation pages, their JSON API, and the live websocket.

Every handler looks a conversation up through `_visible()`, which only finds handoffs of the
user's own agency: another agency's conversation is "not found", even by guessing its URL.
User text reaches the browser only as JSON that the page puts in `textContent`, or escaped by
`h()`: it never runs. Every page view and action is written to the audit log (no content).
Identifiers in the earlier transcript are shown only with the user's consent
(bot/console/shared_identifiers.py).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml
from aiohttp import WSMsgType, web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_keys import DB, DESK, KEYS, RASA
from bot.checkins.console import checkin_html
from bot.console import shared_identifiers
from bot.console.audit import audit
from bot.console.auth import User, check_csrf, require_user, submitted_csrf
from bot.console.pages import ROLE_NAMES, h, render_page
from bot.crypto import KeySet
from bot.handoff import service
from bot.rasa_client import RasaUnavailable
from bot.store.models import (
    Agency,
    Case,
    CaseAccess,
    ConsoleUser,
    Conversation,
    Handoff,
    HandoffMessage,
)

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()
MAX_TEXT = 4000
CANNED_FILE = Path(__file__).resolve().parent.parent.parent / "reference" / "canned_responses.yml"
SENDERS = {
    "user": "User", "counselor": "Counselor", "system": "SafePassage", "note": "Private note", "bot": "Assistant",
}
OUTCOME_NAMES = {
    "resolved": "Resolved", "information_given": "Information given", "referred_elsewhere": "Referred elsewhere",
    "report_filed": "Report filed", "user_left": "User left", "no_response": "No response", "other": "Other",
}


def _now() -> datetime:
    return service.now_utc()


def _iso(moment: Optional[datetime]) -> Optional[str]:
    aware = service.aware(moment)
    return aware.isoformat() if aware else None


def _minutes_since(moment: Optional[datetime], now: datetime) -> int:
    start = service.aware(moment)
    return max(0, int((now - start).total_seconds() // 60)) if start else 0


@functools.lru_cache(maxsize=1)
def canned_responses(path: str = str(CANNED_FILE)) -> Dict[str, Dict[str, List[Dict[str, str]]]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    responses = data.get("responses") or {}
    return {str(agency): {str(lang): list(items or []) for lang, items in (by_lang or {}).items()}
            for agency, by_lang in responses.items()}


def canned_for(agency_id: str, language: str) -> List[Dict[str, str]]:
    table = canned_responses()
    own = table.get(agency_id, {})
    anyone = table.get("*", {})
    return [*own.get(language, []), *anyone.get(language, [])] or [*own.get("en", []), *anyone.get("en", [])]


async def _visible(session: AsyncSession, user: User, handoff_id: int) -> Handoff:
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None or handoff.agency_id != user.agency_id:
        raise web.HTTPNotFound(text="No such conversation in your agency's queue.")
    return handoff


def _handoff_id(request: web.Request) -> int:
    try:
        return int(request.match_info["handoff_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _names(session: AsyncSession, ids: Sequence[Optional[int]]) -> Dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = (await session.execute(select(ConsoleUser.id, ConsoleUser.display_name).where(ConsoleUser.id.in_(wanted))))
    return {row[0]: row[1] for row in rows.all()}


def _queue_entry(handoff: Handoff, now: datetime, names: Dict[int, str], user: User) -> Dict[str, Any]:
    return {
        "id": handoff.id,
        "status": handoff.status,
        "urgent": handoff.priority == service.URGENT,
        "topic": handoff.topic,
        "language": handoff.language,
        "country": handoff.country or "",
        "channel": handoff.channel,
        "waiting_minutes": _minutes_since(handoff.queued_at, now),
        "counselor": names.get(handoff.counselor_id or -1, ""),
        "mine": handoff.counselor_id == user.id,
        "referred": bool(handoff.referred_by),
        "escalated": handoff.escalated_at is not None,
    }


async def queue_for(session: AsyncSession, user: User) -> List[Dict[str, Any]]:
    """Waiting conversations (urgent first, then longest wait), then active ones.

    Counselors see the waiting ones and their own chats; supervisors and admins see every chat.
    """
    rows = await service.queue_rows(session, user.agency_id)
    if user.role == "counselor":
        rows = [row for row in rows if row.status == "queued" or row.counselor_id == user.id]
    names = await _names(session, [row.counselor_id for row in rows])
    now = _now()
    return [_queue_entry(row, now, names, user) for row in rows]


# ---- pages -------------------------------------------------------------------------------------


@routes.get("/console")
async def queue_page(request: web.Request) -> web.Response:
    user = await require_user(request)
    async with request.app[DB]() as session, session.begin():
        entries = await queue_for(session, user)
        await audit(session, user, "view_queue", detail={"shown": len(entries)})
    online = request.app[DESK].hub.online_in(user.agency_id)
    body = (
        '<p class="summary">'
        f"Signed in as <strong>{h(user.display_name)}</strong> "
        f"({h(ROLE_NAMES.get(user.role, user.role))}, {h(user.agency_name or user.agency_id)}). "
        f'<span id="online">{online} of your agency online.</span> '
        '<span id="live" class="live">Connecting…</span></p>'
        '<h1 id="queue-title">Queue</h1>'
        '<p id="alerts" role="alert" class="alerts"></p>'
        '<section id="queue" data-live="queue" aria-labelledby="queue-title" aria-live="polite">'
        f"{_queue_table(entries)}</section>"
    )
    return render_page("Queue", body, user)


def _queue_table(entries: List[Dict[str, Any]]) -> str:
    if not entries:
        return '<p class="empty">Nobody is waiting.</p>'
    rows = []
    for e in entries:
        state = "Waiting" if e["status"] == "queued" else f"With {e['counselor'] or 'a counselor'}"
        flags = " ".join(
            f'<span class="tag {cls}">{label}</span>'
            for cls, label, on in (("urgent", "Urgent", e["urgent"]), ("referred", "Referral", e["referred"]),
                                   ("escalated", "Overdue", e["escalated"]))
            if on
        )
        rows.append(
            f'<tr class="{"urgent" if e["urgent"] else ""}" data-id="{e["id"]}">'
            f'<td>{flags}</td><td>{h(e["topic"])}</td><td>{h(e["language"])}</td><td>{h(e["country"] or "—")}</td>'
            f'<td>{e["waiting_minutes"]} min</td><td>{h(state)}</td>'
            f'<td><a href="/console/conversations/{e["id"]}">Open</a></td></tr>'
        )
    return (
        '<table class="queue"><thead><tr><th></th><th>Topic</th><th>Language</th><th>Country</th>'
        "<th>Waiting</th><th>State</th><th></th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


async def _context_html(session: AsyncSession, keys: KeySet, user: User, handoff: Handoff) -> str:
    """What the bot collected, the referral note, and media the user sent."""
    parts: List[str] = []
    context = service.unseal_context(keys, handoff.context_encrypted)
    job = context.get("job_check")
    if isinstance(job, dict):
        flags = ", ".join(str(flag).replace("_", " ") for flag in job.get("flags") or []) or "none found"
        parts.append(
            "<h3>Job-offer check</h3>"
            f'<p>Risk: <strong>{h(str(job.get("risk", "?")).upper())}</strong>. Red flags: {h(flags)}.'
            f' Destination: {h(job.get("offer_country") or "not given")};'
            f' work: {h(job.get("job_type") or "not given")}.</p>'
        )
    checkin = context.get("checkin")
    if isinstance(checkin, dict):  # safe-journey check-ins: only what the person agreed to share
        parts.append(checkin_html(checkin))
    report = context.get("report")
    if isinstance(report, dict) and report.get("reference"):
        parts.append(await _report_html(session, keys, user, handoff, str(report["reference"])))
    if handoff.referred_by:
        source = await session.get(Agency, handoff.referred_by)
        note = keys.decrypt(handoff.referral_note_encrypted) if handoff.referral_note_encrypted else ""
        shared = "The user agreed to share the earlier conversation." if handoff.history_from is None else (
            "The user did not agree to share the earlier conversation: you see only what came after the referral."
        )
        parts.append(
            f"<h3>Referral</h3><p>From {h(source.name if source else handoff.referred_by)}: "
            f"{h(note) or '(no note)'}</p>"
            f"<p>{h(shared)}</p>"
        )
    conversation = await session.get(Conversation, handoff.conversation_id)
    if conversation is not None and conversation.media_count:
        parts.append(
            f'<p class="notice">The user has sent {conversation.media_count} photo(s), voice message(s) or file(s) '
            "in this conversation. They were not downloaded: ask them to describe it in words.</p>"
        )
    if not parts:
        parts.append("<p>The assistant collected nothing else before this request.</p>")
    return "".join(parts)


async def _report_html(session: AsyncSession, keys: KeySet, user: User, handoff: Handoff, reference: str) -> str:
    case = (
        await session.scalars(
            select(Case).where(Case.reference == reference, Case.conversation_id == handoff.conversation_id)
        )
    ).first()
    if case is None:
        return f"<h3>Report</h3><p>Reference {h(reference)}.</p>"
    access = (
        await session.scalars(
            select(CaseAccess).where(CaseAccess.case_id == case.id, CaseAccess.agency_id == user.agency_id)
        )
    ).first()
    head = f"<h3>Report {h(reference)}</h3><p>{h(case.kind.replace('_', ' '))}, {h(case.category.replace('_', ' '))}."
    if access is None or access.level != "full":
        return head + " The details were not shared with your agency: the user did not consent.</p>"
    details = json.loads(keys.decrypt(case.details_encrypted))
    items = "".join(f"<dt>{h(k.replace('_', ' '))}</dt><dd>{h(v)}</dd>" for k, v in details.items() if v)
    return head + f" Status: {h(case.status)}.</p><dl>{items}</dl>"


async def _agency_people(session: AsyncSession, user: User) -> List[ConsoleUser]:
    return list(
        (
            await session.scalars(
                select(ConsoleUser)
                .where(ConsoleUser.agency_id == user.agency_id, ConsoleUser.active.is_(True),
                       ConsoleUser.role.in_(("counselor", "supervisor")))
                .order_by(ConsoleUser.display_name)
            )
        ).all()
    )


@routes.get("/console/conversations/{handoff_id}")
async def conversation_page(request: web.Request) -> web.Response:
    user = await require_user(request)
    handoff_id = _handoff_id(request)
    keys = request.app[KEYS]
    hub = request.app[DESK].hub
    async with request.app[DB]() as session, session.begin():
        handoff = await _visible(session, user, handoff_id)
        context = await _context_html(session, keys, user, handoff)
        people = [p for p in await _agency_people(session, user) if p.id != handoff.counselor_id]
        agencies = (
            await session.scalars(
                select(Agency).where(Agency.active.is_(True), Agency.id != user.agency_id).order_by(Agency.name)
            )
        ).all()
        names = await _names(session, [handoff.counselor_id])
        await audit(session, user, "view_conversation", handoff.conversation_id, {"handoff_id": handoff.id})
    mine = handoff.status == "active" and handoff.counselor_id == user.id
    supervising = user.role in ("supervisor", "admin")
    state = {"queued": "Waiting for a counselor",
             "active": f"With {names.get(handoff.counselor_id or -1, 'a counselor')}",
             "closed": f"Closed ({OUTCOME_NAMES.get(handoff.outcome or '', handoff.outcome or '')})",
             "cancelled": "The user stopped waiting"}[handoff.status]
    actions: List[str] = []
    if handoff.status == "queued":
        actions.append('<button id="claim" class="primary">Claim this conversation</button>')
    if mine or (supervising and handoff.status == "active"):
        outcomes = "".join(f'<option value="{k}">{h(v)}</option>' for k, v in OUTCOME_NAMES.items())
        actions.append(
            '<form id="close-form" class="inline"><label for="outcome">Outcome</label>'
            f'<select id="outcome" name="outcome">{outcomes}</select>'
            '<button type="submit">Close and return to the assistant</button></form>'
        )
    if mine or (supervising and handoff.status in service.OPEN):
        options = "".join(
            f'<option value="{p.id}">{h(p.display_name)}{" (online)" if hub.connected(p.id) else ""}</option>'
            for p in people
        )
        label = "Reassign to" if supervising and not mine else "Transfer to a colleague"
        actions.append(
            f'<form id="transfer-user-form" class="inline"><label for="to-user">{h(label)}</label>'
            f'<select id="to-user" name="to_user">{options}</select><button type="submit">Transfer</button></form>'
        )
        agency_options = "".join(f'<option value="{h(a.id)}">{h(a.name)}</option>' for a in agencies)
        actions.append(
            '<form id="transfer-agency-form" class="stack"><h3>Refer to another agency</h3>'
            f'<label for="to-agency">Agency</label><select id="to-agency" name="to_agency">{agency_options}</select>'
            '<label for="referral-note">Note for the receiving agency</label>'
            '<textarea id="referral-note" name="note" rows="2" maxlength="1000"></textarea>'
            '<label class="check"><input type="checkbox" id="share-history" name="share_history"> '
            "The user agreed that the earlier conversation is shared with this agency</label>"
            '<button type="submit">Refer</button></form>'
        )
    canned = "".join(
        f'<option value="{h(item.get("text", ""))}">{h(item.get("title", ""))}</option>'
        for item in canned_for(user.agency_id, handoff.language)
    )
    composer = ""
    if mine:
        composer = (
            '<form id="reply-form" class="stack"><label for="canned">Canned response</label>'
            f'<select id="canned"><option value="">Choose…</option>{canned}</select>'
            '<label for="reply">Message to the user</label>'
            f'<textarea id="reply" name="text" rows="3" maxlength="{MAX_TEXT}" required></textarea>'
            '<button type="submit" class="primary">Send</button></form>'
        )
    body = (
        '<p><a href="/console">← Queue</a></p>'
        f'<section id="chat" data-handoff="{handoff.id}" data-status="{h(handoff.status)}" data-mine="{int(mine)}">'
        f"<h1>{h(handoff.topic)}</h1>"
        f'<p class="summary"><span id="state">{h(state)}</span> · language {h(handoff.language)} · '
        f"country {h(handoff.country or 'unknown')} · {h(handoff.channel)} · "
        f'<span id="live" class="live">Connecting…</span></p>'
        '<p id="error" class="error" role="alert"></p>'
        '<div class="columns"><div class="transcript-column">'
        '<ol id="transcript" class="transcript" aria-live="polite"></ol>'
        f"{composer}"
        '<form id="note-form" class="stack"><label for="note">Private note (only your agency sees it)</label>'
        f'<textarea id="note" name="text" rows="2" maxlength="{MAX_TEXT}" required></textarea>'
        '<button type="submit">Save note</button></form>'
        "</div>"
        f'<aside class="context"><h2>What the assistant collected</h2>{context}'
        f'<div class="actions">{"".join(actions)}</div></aside></div></section>'
    )
    return render_page(handoff.topic, body, user)


# ---- JSON API ----------------------------------------------------------------------------------


async def _api_user(request: web.Request) -> User:
    user = await require_user(request)
    if request.method == "POST":
        check_csrf(request, user, await submitted_csrf(request))
    return user


async def _json(request: web.Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text='{"error": "body must be JSON"}', content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "body must be a JSON object"}', content_type="application/json")
    return body


def _text(body: Dict[str, Any], name: str = "text", limit: int = MAX_TEXT) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"{name} must be 1 to {limit} characters"}), content_type="application/json"
        )
    return value.strip()


def _error(exc: service.HandoffError) -> web.Response:
    return web.json_response({"error": str(exc)}, status=exc.status)


@routes.get("/console/api/queue")
async def queue_api(request: web.Request) -> web.Response:
    user = await _api_user(request)
    async with request.app[DB]() as session:
        entries = await queue_for(session, user)
    return web.json_response({"queue": entries, "online": request.app[DESK].hub.online_in(user.agency_id)})


@routes.get("/console/api/conversations/{handoff_id}/lines")
async def lines_api(request: web.Request) -> web.Response:
    """The transcript after `after` (a line id); with after=0 also the user's earlier talk with the bot."""
    user = await _api_user(request)
    try:
        after = max(0, int(request.query.get("after", "0")))
    except ValueError:
        return web.json_response({"error": "after must be an integer"}, status=400)
    keys = request.app[KEYS]
    async with request.app[DB]() as session, session.begin():
        handoff = await _visible(session, user, _handoff_id(request))
        query = select(HandoffMessage).where(HandoffMessage.handoff_id == handoff.id, HandoffMessage.id > after)
        if handoff.history_from is not None:
            query = query.where(HandoffMessage.created_at >= handoff.history_from)
        rows = (await session.scalars(query.order_by(HandoffMessage.id))).all()
        rows = [row for row in rows if row.sender != "note" or row.agency_id == user.agency_id]
        names = await _names(session, [row.counselor_id for row in rows])
        if after == 0:
            await audit(session, user, "view_transcript", handoff.conversation_id, {"handoff_id": handoff.id})
        status, conversation_id, history_hidden = handoff.status, handoff.conversation_id, handoff.history_from
        consented = after == 0 and await shared_identifiers.shared_with(session, conversation_id, user.agency_id)
        kept = await shared_identifiers.originals(session, keys, conversation_id) if consented else []
    lines = [
        {
            "id": row.id,
            "sender": row.sender,
            "who": names.get(row.counselor_id or -1, SENDERS.get(row.sender, row.sender))
            if row.sender in ("counselor", "note") else SENDERS.get(row.sender, row.sender),
            "text": keys.decrypt(row.body_encrypted),
            "at": _iso(row.created_at),
        }
        for row in rows
    ]
    earlier: Optional[List[Dict[str, Any]]] = None
    if after == 0 and history_hidden is None:
        try:
            earlier = [
                {"sender": line["sender"], "who": SENDERS["user" if line["sender"] == "user" else "bot"],
                 "text": line["text"], "at": line.get("at")}
                for line in await request.app[RASA].transcript(conversation_id)
            ]
        except RasaUnavailable:
            earlier = None
    if earlier and consented:
        earlier, shown = shared_identifiers.fill(earlier, kept)
        if shown:
            async with request.app[DB]() as session, session.begin():
                await audit(session, user, "view_identifiers", conversation_id,
                            {"handoff_id": handoff.id, "shown": shown})
    elif earlier:
        earlier = shared_identifiers.withheld(earlier)
    cursor = max([line["id"] for line in lines], default=after)
    return web.json_response({"lines": lines, "earlier": earlier, "history_hidden": history_hidden is not None,
                              "cursor": cursor, "status": status})


async def _act(request: web.Request, user: User, action: str, move: Any, detail: Dict[str, Any]) -> web.Response:
    """Run a desk move; audit it when it happened, or answer the reason it could not."""
    try:
        handoff = await move
    except service.HandoffError as exc:
        return _error(exc)
    handoff_id = _handoff_id(request)
    async with request.app[DB]() as session, session.begin():
        row = handoff if isinstance(handoff, Handoff) else await session.get(Handoff, handoff_id)
        await audit(session, user, action, row.conversation_id if row else None, {"handoff_id": handoff_id, **detail})
    return web.json_response({"ok": True})


@routes.post("/console/api/conversations/{handoff_id}/claim")
async def claim_api(request: web.Request) -> web.Response:
    user = await _api_user(request)
    return await _act(request, user, "claim", request.app[DESK].claim(_handoff_id(request), user), {})


@routes.post("/console/api/conversations/{handoff_id}/messages")
async def message_api(request: web.Request) -> web.Response:
    user = await _api_user(request)
    text = _text(await _json(request))
    return await _act(request, user, "send_message", request.app[DESK].say(_handoff_id(request), user, text),
                      {"chars": len(text)})


@routes.post("/console/api/conversations/{handoff_id}/notes")
async def note_api(request: web.Request) -> web.Response:
    user = await _api_user(request)
    text = _text(await _json(request))
    return await _act(request, user, "add_note", request.app[DESK].note(_handoff_id(request), user, text), {})


@routes.post("/console/api/conversations/{handoff_id}/close")
async def close_api(request: web.Request) -> web.Response:
    user = await _api_user(request)
    outcome = str((await _json(request)).get("outcome") or "")
    return await _act(request, user, "close", request.app[DESK].close(_handoff_id(request), user, outcome),
                      {"outcome": outcome[:32]})


@routes.post("/console/api/conversations/{handoff_id}/transfer")
async def transfer_api(request: web.Request) -> web.Response:
    user = await _api_user(request)
    body = await _json(request)
    desk = request.app[DESK]
    if body.get("to_user") is not None:
        try:
            target_id = int(body["to_user"])
        except (TypeError, ValueError):
            return web.json_response({"error": "to_user must be a user id"}, status=400)
        async with request.app[DB]() as session:
            target = await session.get(ConsoleUser, target_id)
        if target is None or not target.active or target.agency_id != user.agency_id:
            return web.json_response({"error": "that person is not a counselor of your agency"}, status=400)
        action = "reassign" if user.role in ("supervisor", "admin") else "transfer_counselor"
        return await _act(request, user, action, desk.transfer_to_counselor(_handoff_id(request), user, target),
                          {"to_user": target.id})
    agency_id = body.get("to_agency")
    if not isinstance(agency_id, str) or not agency_id:
        return web.json_response({"error": "give to_user or to_agency"}, status=400)
    note = body.get("note") or ""
    if not isinstance(note, str) or len(note) > 1000:
        return web.json_response({"error": "note must be at most 1000 characters"}, status=400)
    share = body.get("share_history") is True
    return await _act(
        request, user, "transfer_agency",
        desk.transfer_to_agency(_handoff_id(request), user, agency_id, note.strip(), share),
        {"to_agency": agency_id[:64], "shared_history": share},
    )


# ---- live updates -----------------------------------------------------------------------------


@routes.get("/console/ws")
async def live(request: web.Request) -> web.StreamResponse:
    """Signals for the queue and open chats; while connected, the user's claims stay alive."""
    user = await require_user(request)
    socket = web.WebSocketResponse(heartbeat=20.0)
    await socket.prepare(request)
    desk = request.app[DESK]
    client = desk.hub.connect(user.id, user.agency_id, user.role)
    desk.hub.publish({user.agency_id}, {}, [])  # colleagues see who is online

    async def keep_alive() -> None:
        while True:
            try:
                await desk.heartbeat(user.id)
            except Exception as exc:  # the next beat tries again
                logger.warning("lease renewal failed: %s", type(exc).__name__)
            # Three beats per lease: a short network blip never costs a counselor their chats.
            await asyncio.sleep(max(0.2, min(10.0, desk.lease_seconds / 3)))

    async def forward() -> None:
        while True:
            signal = await client.queue.get()
            await socket.send_json(signal)

    tasks = [asyncio.create_task(keep_alive()), asyncio.create_task(forward())]
    try:
        await socket.send_json({"type": "hello"})
        async for message in socket:
            if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
    finally:
        for task in tasks:
            task.cancel()
        desk.hub.disconnect(client)
        desk.hub.publish({user.agency_id}, {}, [])
    return socket
