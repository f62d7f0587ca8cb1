"""Client for the gateway's casework API: the action server keeps no database of its own."""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, Optional

import aiohttp

logger = logging.getLogger(__name__)

_session: Optional[aiohttp.ClientSession] = None


def _client() -> aiohttp.ClientSession:
    # One session for the process, made on first use (never at import, never per request).
    global _session
    if _session is None or _session.closed:
        _session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
    return _session


def _url(path: str) -> str:
    base = os.environ.get("CASEWORK_API_URL", "http://127.0.0.1:8080/api/v1")
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def _headers() -> Dict[str, str]:
    return {"Authorization": f"Bearer {os.environ.get('CASEWORK_SERVICE_TOKEN', '')}"}


async def get(path: str, params: Dict[str, str]) -> Optional[Dict[str, Any]]:
    """GET JSON from the casework API with the service token; None (logged) when it fails."""
    try:
        async with _client().get(_url(path), params=params, headers=_headers()) as response:
            if response.status == 200:
                body = await response.json()
                return body if isinstance(body, dict) else None
            logger.warning("casework API %s answered %s", path, response.status)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        logger.warning("casework API %s unreachable: %s", path, type(exc).__name__)
    return None


async def post(path: str, payload: Dict[str, Any]) -> bool:
    """POST JSON to the casework API with the service token; False (logged) when it fails."""
    try:
        async with _client().post(_url(path), json=payload, headers=_headers()) as response:
            if response.status < 300:
                return True
            logger.warning("casework API %s answered %s", path, response.status)
    except (aiohttp.ClientError, TimeoutError) as exc:
        logger.warning("casework API %s unreachable: %s", path, type(exc).__name__)
    return False
