"""The gateway's language in the metadata becomes a `language` entity (and so the slot)."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from nlu.language_from_metadata import LanguageFromMetadata, language_entity

SUPPORTED = ["en", "es", "fr"]


def test_a_supported_language_becomes_an_entity() -> None:
    assert language_entity({"language": "es"}, SUPPORTED)["value"] == "es"
    assert language_entity({"language": "fr-SN"}, SUPPORTED)["value"] == "fr"
    assert language_entity({"language": "de"}, SUPPORTED) is None
    assert language_entity(None, SUPPORTED) is None and language_entity({}, SUPPORTED) is None


def test_the_component_adds_it_once_and_keeps_other_entities() -> None:
    component = LanguageFromMetadata({"languages": SUPPORTED})
    message = Message(data={"text": "hola", "metadata": {"language": "es"}, "entities": [{"entity": "country"}]})
    component.process([message])
    component.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["country", "language"]
    bare = Message(data={"text": "hola"})
    component.process([bare])
    assert not bare.get("entities")
