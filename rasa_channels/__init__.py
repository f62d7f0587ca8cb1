"""Input channels loaded by the Rasa server (credentials.yml)."""
