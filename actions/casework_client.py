"""Client for the gateway's casework API: the action server keeps no database of its own."""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict, Optional, Tuple

import aiohttp

logger = logging.getLogger(__name__)

_session: Optional[aiohttp.ClientSession] = None


def _client() -> aiohttp.ClientSession:
    # One session for the process, made on first use (never at import, never per request).
    global _session
    if _session is None or _session.closed:
        _session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
    return _session


async def call(method: str, path: str, **kwargs: Any) -> Tuple[Optional[int], Dict[str, Any]]:
    """Call the casework API with the service token: (status, JSON object), or (None, {}) when it
    cannot be reached. Failures are logged by path and status only, never with a body."""
    base = os.environ.get("CASEWORK_API_URL", "http://127.0.0.1:8080/api/v1")
    headers = {"Authorization": f"Bearer {os.environ.get('CASEWORK_SERVICE_TOKEN', '')}"}
    try:
        url = f"{base.rstrip('/')}/{path.lstrip('/')}"
        async with _client().request(method, url, headers=headers, **kwargs) as response:
            try:
                body = json.loads(await response.text() or "{}")
            except ValueError:
                body = {}  # a success without a JSON body is still a success
            if response.status >= 300:
                logger.warning("casework API %s answered %s", path, response.status)
            return response.status, body if isinstance(body, dict) else {}
    except (aiohttp.ClientError, TimeoutError) as exc:
        logger.warning("casework API %s unreachable: %s", path, type(exc).__name__)
    return None, {}


async def _request(method: str, path: str, **kwargs: Any) -> Optional[Dict[str, Any]]:
    """The JSON object of a 2xx answer ({} if it has none), or None when the call fails."""
    status, body = await call(method, path, **kwargs)
    return body if status is not None and status < 300 else None


async def get(path: str, params: Dict[str, str]) -> Optional[Dict[str, Any]]:
    """GET a JSON object; None when the call fails."""
    return await _request("GET", path, params=params)


async def post(path: str, payload: Dict[str, Any]) -> bool:
    """POST JSON; False when the call fails."""
    return await _request("POST", path, json=payload) is not None
