"""SafePassage bot gateway: the internet-facing aiohttp process that owns channels and data."""
