"""The languages SafePassage speaks and the texts built in code, one catalogue per language.

Shared by the gateway and the action server (plain Python and PyYAML only). Rasa's own
responses are translated in `locales/<lang>/responses.yml` and chosen by `locales/nlg.py`.
"""
