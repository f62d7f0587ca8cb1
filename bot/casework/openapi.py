"""The casework API's OpenAPI 3.0 document, served at `/api/v1/openapi.json`.

Written by hand beside the handlers it describes; tests/gateway/test_api_properties.py runs
schemathesis against the live app from this document, so a drift between the two fails.
"""

from __future__ import annotations

from typing import Any, Dict

from aiohttp import web

from bot.casework.directory import SERVICES
from bot.casework.reports import CONTACT_METHODS, DETAIL_FIELDS, KINDS, STATUSES
from bot.casework.routing import AGENCY_KINDS, CATEGORIES

routes = web.RouteTableDef()

REFERENCE = {"type": "string", "pattern": "^SP-[0-9A-HJKMNP-TV-Z]{6}$", "example": "SP-7KQ2MX"}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
NULLABLE_TEXT = {"type": "string", "nullable": True}


def _json(schema: Dict[str, Any]) -> Dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> Dict[str, Any]:
    return {"description": description, "content": _json({"$ref": "#/components/schemas/Error"})}


def _ok(description: str, schema: str) -> Dict[str, Any]:
    return {"description": description, "content": _json({"$ref": f"#/components/schemas/{schema}"})}


def _body(schema: Dict[str, Any]) -> Dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


AGENCY_ERRORS = {"401": _error("no valid agency token"), "404": _error("no such case for this agency")}
SERVICE_ERRORS = {"400": _error("invalid request"), "401": _error("no valid service token")}
REF_PARAM = {"name": "reference", "in": "path", "required": True, "schema": REFERENCE}

SCHEMAS: Dict[str, Any] = {
    "Error": ERROR,
    "CaseSummary": {
        "type": "object",
        "required": ["reference", "kind", "category", "status", "access", "via", "created_at"],
        "properties": {
            "reference": REFERENCE,
            "kind": {"type": "string", "enum": list(KINDS)},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "country": NULLABLE_TEXT,
            "status": {"type": "string", "enum": list(STATUSES)},
            "access": {"type": "string", "enum": ["full", "safety"]},
            "via": {"type": "string", "enum": ["routed", "referral"]},
            "created_at": {"type": "string"},
        },
    },
    "Case": {
        "allOf": [
            {"$ref": "#/components/schemas/CaseSummary"},
            {
                "type": "object",
                "required": ["details", "contact", "consent", "private_notes", "public_note"],
                "properties": {
                    "language": {"type": "string"},
                    "danger_now": {"type": "boolean"},
                    "child_at_risk": {"type": "boolean"},
                    "consent": {
                        "type": "object",
                        "properties": {k: {"type": "boolean"} for k in AGENCY_KINDS},
                    },
                    "details": {"type": "object", "additionalProperties": {"type": "string"}},
                    "contact": {
                        "type": "object",
                        "properties": {
                            "method": {"type": "string", "enum": [*CONTACT_METHODS, "withheld"]},
                            "phone": NULLABLE_TEXT,
                        },
                    },
                    "public_note": NULLABLE_TEXT,
                    "private_notes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"id": {"type": "integer"}, "text": {"type": "string"},
                                           "created_at": {"type": "string"}},
                        },
                    },
                    "referral": {
                        "type": "object",
                        "nullable": True,
                        "properties": {"from_agency": {"type": "string"}, "reason": NULLABLE_TEXT},
                    },
                    "updated_at": {"type": "string"},
                },
            },
        ]
    },
    "DirectoryEntry": {
        "type": "object",
        "required": ["id", "name", "kind", "countries", "verified", "source"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": list(AGENCY_KINDS)},
            "countries": {"type": "array", "items": {"type": "string"}},
            "areas": {"type": "array", "items": {"type": "string"}},
            "services": {"type": "array", "items": {"type": "string", "enum": list(SERVICES)}},
            "languages": {"type": "array", "items": {"type": "string"}},
            "opening_hours": {"type": "string"},
            "timezone": {"type": "string"},
            "contact": {"type": "object", "additionalProperties": {"type": "string"}},
            "emergency_numbers": {"type": "array", "items": {"type": "string"}},
            "verified": {"type": "boolean"},
            "source": {"type": "string"},
        },
    },
    "FiledReport": {
        "type": "object",
        "required": ["reference", "status", "agencies", "replayed"],
        "properties": {
            "reference": REFERENCE,
            "status": {"type": "string", "enum": list(STATUSES)},
            "agencies": {"type": "array", "items": {"$ref": "#/components/schemas/DirectoryEntry"}},
            "replayed": {"type": "boolean"},
        },
    },
}

DOCUMENT: Dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "SafePassage casework API",
        "version": "1",
        "description": (
            "Agency endpoints (/cases) take a per-agency bearer token (`python -m bot create-agency-token`); "
            "an agency only ever sees cases shared with it, and any other reference is 404. Service endpoints "
            "(/reports, /directory) take the action server's service token."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {
            "agencyToken": {"type": "http", "scheme": "bearer", "description": "per-agency token (spa_...)"},
            "serviceToken": {"type": "http", "scheme": "bearer", "description": "the action server's token"},
        },
        "schemas": SCHEMAS,
    },
    "paths": {
        "/cases": {
            "get": {
                "operationId": "listCases",
                "security": [{"agencyToken": []}],
                "parameters": [{"name": "status", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": list(STATUSES)}}],
                "responses": {
                    "200": {"description": "the caller's cases", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["cases"],
                        "properties": {
                            "cases": {"type": "array", "items": {"$ref": "#/components/schemas/CaseSummary"}}
                        },
                    }}}},
                    "400": _error("unknown status"),
                    "401": _error("no valid agency token"),
                },
            }
        },
        "/cases/{reference}": {
            "parameters": [REF_PARAM],
            "get": {
                "operationId": "readCase",
                "security": [{"agencyToken": []}],
                "responses": {"200": _ok("the case, as far as the agency's access allows", "Case"), **AGENCY_ERRORS},
            },
            "patch": {
                "operationId": "updateCase",
                "security": [{"agencyToken": []}],
                "requestBody": _body({
                    "type": "object",
                    "minProperties": 1,
                    "properties": {
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "public_note": {"type": "string", "maxLength": 500, "nullable": True},
                    },
                }),
                "responses": {"200": _ok("the updated case", "Case"), "400": _error("invalid update"), **AGENCY_ERRORS},
            },
        },
        "/cases/{reference}/notes": {
            "parameters": [REF_PARAM],
            "post": {
                "operationId": "addPrivateNote",
                "security": [{"agencyToken": []}],
                "requestBody": _body({"type": "object", "required": ["text"],
                                      "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 4000}}}),
                "responses": {
                    "201": {"description": "stored", "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"id": {"type": "integer"}, "created_at": {"type": "string"}}}}}},
                    "400": _error("invalid note"),
                    **AGENCY_ERRORS,
                },
            },
        },
        "/cases/{reference}/referrals": {
            "parameters": [REF_PARAM],
            "post": {
                "operationId": "referCase",
                "security": [{"agencyToken": []}],
                "requestBody": _body({"type": "object", "required": ["agency_id"], "properties": {
                    "agency_id": {"type": "string", "minLength": 1, "maxLength": 64},
                    "reason": {"type": "string", "maxLength": 4000, "nullable": True},
                }}),
                "responses": {
                    "201": {"description": "referred", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"reference": REFERENCE, "agency_id": {"type": "string"},
                                                         "access": {"type": "string", "enum": ["full", "safety"]}}}}}},
                    "400": _error("invalid referral"),
                    "409": _error("consent does not allow it, or already shared"),
                    **AGENCY_ERRORS,
                },
            },
        },
        "/reports": {
            "post": {
                "operationId": "fileReport",
                "security": [{"serviceToken": []}],
                "requestBody": _body({
                    "type": "object",
                    "required": ["idempotency_key", "conversation_id", "kind", "category"],
                    "properties": {
                        "idempotency_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
                        "conversation_id": {"type": "string", "minLength": 1, "maxLength": 64},
                        "kind": {"type": "string", "enum": list(KINDS)},
                        "category": {"type": "string", "enum": list(CATEGORIES)},
                        "country": {"type": "string", "pattern": "^[A-Z]{2}$", "nullable": True},
                        "language": {"type": "string", "pattern": "^[a-z]{2}$"},
                        "danger_now": {"type": "boolean"},
                        "child_at_risk": {"type": "boolean"},
                        "consent": {"type": "object", "properties": {k: {"type": "boolean"} for k in AGENCY_KINDS}},
                        "contact": {"type": "object", "properties": {
                            "method": {"type": "string", "enum": list(CONTACT_METHODS)},
                            "phone": {"type": "string", "nullable": True},
                        }},
                        "details": {"type": "object", "properties": {
                            name: {"type": "string", "maxLength": 4000} for name in DETAIL_FIELDS
                        }, "additionalProperties": False},
                    },
                }),
                "responses": {
                    "201": _ok("stored, with its reference", "FiledReport"),
                    "200": _ok("already stored under this idempotency key", "FiledReport"),
                    "409": _error("idempotency key used by another conversation"),
                    **SERVICE_ERRORS,
                },
            }
        },
        "/reports/status": {
            "post": {
                "operationId": "reportStatus",
                "security": [{"serviceToken": []}],
                "requestBody": _body({"type": "object", "required": ["conversation_id", "reference"], "properties": {
                    "conversation_id": {"type": "string", "minLength": 1, "maxLength": 64},
                    "reference": {"type": "string", "maxLength": 40},
                }}),
                "responses": {
                    "200": {"description": "status and public note only", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["reference", "status", "public_note"], "properties": {
                            "reference": REFERENCE, "status": {"type": "string", "enum": list(STATUSES)},
                            "public_note": NULLABLE_TEXT}}}}},
                    "404": _error("no such reference (the same answer for every wrong code)"),
                    "429": _error("too many checks from this conversation"),
                    **SERVICE_ERRORS,
                },
            }
        },
        "/directory": {
            "get": {
                "operationId": "findServices",
                "security": [{"serviceToken": []}],
                "parameters": [
                    {"name": "country", "in": "query", "required": True,
                     "schema": {"type": "string", "pattern": "^[A-Z]{2}$"}},
                    {"name": "area", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 100}},
                    {"name": "service", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(SERVICES)}},
                ],
                "responses": {
                    "200": {"description": "matching services, the named area first", "content": {"application/json": {
                        "schema": {"type": "object", "required": ["entries", "area_matched"], "properties": {
                            "country": {"type": "string"}, "area": NULLABLE_TEXT, "service": NULLABLE_TEXT,
                            "area_matched": {"type": "boolean"},
                            "entries": {"type": "array", "items": {"$ref": "#/components/schemas/DirectoryEntry"}},
                        }}}}},
                    **SERVICE_ERRORS,
                },
            }
        },
    },
}


@routes.get("/api/v1/openapi.json")
async def openapi_document(request: web.Request) -> web.Response:
    return web.json_response(DOCUMENT)
