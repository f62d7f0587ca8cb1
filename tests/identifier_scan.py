"""Finding an identifier in stored bytes, also where it hides inside base64 (WhatsApp's ids)."""

from __future__ import annotations

import base64
import binascii
import re

BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{12,}={0,2}")


def decoded_runs(data: bytes) -> list[bytes]:
    """Every long base64-looking run in `data`, decoded at each of the four alignments."""
    found = []
    for match in BASE64_RUN.finditer(data):
        run = match.group().rstrip(b"=").replace(b"-", b"+").replace(b"_", b"/")
        for start in range(4):
            part = run[start:]
            part = part[: len(part) - len(part) % 4]
            try:
                found.append(base64.b64decode(part, validate=True))
            except (binascii.Error, ValueError):
                continue
    return found


def holds(data: bytes, secret: str) -> bool:
    """True when `secret` is in `data` as written or inside a base64 run."""
    needle = secret.encode()
    return needle in data or any(needle in chunk for chunk in decoded_runs(data))
