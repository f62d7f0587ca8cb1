"""The check-in API for the action server: plan (or re-plan), pause, resume, stop.

Like the handoff API, each answer carries the text the person reads, so the words about
check-ins live in one place (bot/checkins/texts.py).
"""

from __future__ import annotations

from typing import Optional

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot import identifier_vault, identifiers
from bot.app_keys import DB, DESK, KEYS
from bot.casework.service_auth import require_service_token
from bot.checkins import plans, schedule, texts
from bot.checkins.scheduler import Checkins
from bot.store.models import Agency, Conversation

CHECKINS = web.AppKey("checkins", Checkins)
routes = web.RouteTableDef()


@routes.get("/api/v1/checkins/availability")
async def availability(request: web.Request) -> web.Response:
    """Whether check-ins can run on this conversation's channel (asked before the questions)."""
    require_service_token(request)
    async with request.app[DB]() as session:
        conversation = await session.get(Conversation, request.query.get("conversation_id", ""))
    channel = conversation.channel if conversation is not None else "unknown"
    refusal = request.app[CHECKINS].refusal(channel, conversation.language if conversation is not None else None)
    return web.json_response({"available": refusal is None, "channel": channel, "text": refusal})


@routes.post("/api/v1/checkins")
async def create_plan(request: web.Request) -> web.Response:
    require_service_token(request)
    try:
        fields = plans.parse_plan_request(await request.json())
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    checkins = request.app[CHECKINS]
    keys = request.app[KEYS]
    async with request.app[DB]() as session, session.begin():
        conversation = await session.get(Conversation, fields.conversation_id)
        channel = conversation.channel if conversation is not None else "unknown"
        language = conversation.language if conversation is not None else fields.language
        refusal = checkins.refusal(channel, language)
        if refusal is not None:
            return web.json_response({"error": "channel", "channel": channel, "text": refusal}, status=409)
        if fields.contact is not None and fields.contact["value"] == identifiers.PHONE:
            # The number the person typed reached Rasa as "[phone]"; the gateway kept it.
            number = await identifier_vault.take_latest(session, keys, fields.conversation_id, identifiers.PHONE)
            fields.contact = {**fields.contact, "value": number} if number else None
            fields.contact_consent = fields.contact is not None
        now = checkins.clock()
        plan, rows = await plans.create_plan(session, keys, fields, channel, now)
        if not rows:
            await plans.delete_plan(session, fields.conversation_id)
            return web.json_response({"error": "past", "text": texts.say("NONE_LEFT", fields.language)}, status=422)
        agency = await session.get(Agency, request.app[DESK].routing.handoff_agency(plan.country, plan.language))
        times = [schedule.local_text(row.due_at, plan.zone, plan.language) for row in rows]
        text = texts.confirmation(
            plan.zone, times, plan.window_hours, agency.name if agency else None,
            recruiter=fields.recruiter is not None, contact_kind=(fields.contact or {}).get("kind"),
            contact_by_whatsapp=checkins.contact_by_whatsapp(fields.contact), code_word=fields.code_word is not None,
            language=plan.language,
        )
        body = {
            "id": plan.id, "zone": plan.zone, "text": text,
            "checkins": [{"label": row.label, "due_at": row.due_at.isoformat()} for row in rows],
        }
    return web.json_response(body, status=201)


async def language_of(session: AsyncSession, conversation_id: str) -> Optional[str]:
    """The language the conversation is in now (the person may have switched since planning)."""
    conversation = await session.get(Conversation, conversation_id)
    return conversation.language if conversation is not None else None


@routes.post("/api/v1/checkins/{conversation_id}/pause")
async def pause_plan(request: web.Request) -> web.Response:
    require_service_token(request)
    checkins = request.app[CHECKINS]
    async with request.app[DB]() as session, session.begin():
        language = await language_of(session, request.match_info["conversation_id"])
        plan = await plans.plan_for(session, request.match_info["conversation_id"])
        if plan is None or plan.status == "finished":
            return web.json_response({"status": "none", "text": texts.say("NO_PLAN", language)}, status=404)
        await plans.pause(session, plan, checkins.clock())
    return web.json_response({"status": "paused", "text": texts.say("PAUSED", language)})


@routes.post("/api/v1/checkins/{conversation_id}/resume")
async def resume_plan(request: web.Request) -> web.Response:
    require_service_token(request)
    checkins = request.app[CHECKINS]
    async with request.app[DB]() as session, session.begin():
        language = await language_of(session, request.match_info["conversation_id"])
        plan = await plans.plan_for(session, request.match_info["conversation_id"])
        if plan is None or plan.status == "finished":
            return web.json_response({"status": "none", "text": texts.say("NO_PLAN", language)}, status=404)
        upcoming = await plans.resume(session, plan, checkins.clock())
        if upcoming is None:
            text = texts.say("RESUMED_NONE", language)
        else:
            when = schedule.local_text(plans.schedule_due(upcoming), plan.zone, language)
            text = texts.say("RESUMED", language, when=when, zone=plan.zone)
    return web.json_response({"status": "active", "text": text})


@routes.delete("/api/v1/checkins/{conversation_id}")
async def stop_plan(request: web.Request) -> web.Response:
    require_service_token(request)
    conversation_id = request.match_info["conversation_id"]
    async with request.app[DB]() as session, session.begin():
        language = await language_of(session, conversation_id)
        deleted = await plans.delete_plan(session, conversation_id)
        conversation = await session.get(Conversation, conversation_id)
        if conversation is not None:
            # The answers are in Rasa's tracker too (even of a form left half-way): the turn
            # runner removes them once this turn is over (bot/checkins/forget.py).
            conversation.checkins_forget_at = request.app[CHECKINS].clock()
    return web.json_response({"deleted": deleted, "text": texts.say("STOPPED" if deleted else "NO_PLAN", language)})
