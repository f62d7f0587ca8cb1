"""Case reference codes like `SP-7KQ2MX`: 30 random bits, no characters that are easy to misread.

The alphabet is Crockford's base32 (no I, L, O or U). When reading a code a person typed, the
letters people confuse with digits are mapped back (O→0, I/L→1), case and separators are ignored.
"""

from __future__ import annotations

import re
import secrets
from typing import Optional

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6  # 6 × 5 bits = 30 bits of randomness
PREFIX = "SP-"
_TYPED = re.compile(r"\bsp[\s\-_.]*([0-9a-z]{6})\b", re.IGNORECASE)
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_reference() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(text: str) -> Optional[str]:
    """The canonical `SP-XXXXXX` in what someone typed ("sp 7kq2mx", "SP-7KQ2MX?"), or None."""
    match = _TYPED.search(text)
    if not match:
        return None
    body = match.group(1).upper().translate(_CONFUSABLE)
    if any(char not in ALPHABET for char in body):
        return None
    return PREFIX + body
