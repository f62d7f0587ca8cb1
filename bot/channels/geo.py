"""A shared location's country, found offline (GeoNames places shipped in reverse_geocode).

Nothing leaves the machine: the nearest known town gives the country. Near a border that can
be the neighbour, so the bot names the country and the user can correct it.
"""

from __future__ import annotations

import logging
import math
from typing import Optional

logger = logging.getLogger(__name__)


def country_for(latitude: float, longitude: float) -> Optional[str]:
    """ISO 3166-1 alpha-2 code of the nearest known place, or None for invalid coordinates."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    try:
        import reverse_geocode  # imported on first use: its index takes a second and ~100 MB

        place = reverse_geocode.get((latitude, longitude))
    except Exception as exc:  # the look-up is a convenience; never fail a message over it
        logger.warning("location look-up failed: %s", type(exc).__name__)
        return None
    code = place.get("country_code") if isinstance(place, dict) else None
    return str(code) if code else None
