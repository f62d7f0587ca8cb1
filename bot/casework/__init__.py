"""The casework API (/api/v1): used by the action server and, later, partner agencies' systems."""
