"""Every text exists in every language: Rasa's responses, and the catalogues of texts built in code.

A translation keeps the English structure: the same variations with the same conditions, the
same buttons with the same payloads, the same `{placeholders}`. A text identical to the English
one is an untranslated copy, except a few words that are the same in both languages.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest
import yaml

from locales.catalogue import languages as load_languages
from locales.catalogue import messages
from locales.nlg import load_responses

ROOT = Path(__file__).resolve().parents[2]
OTHER_LANGUAGES = [code for code in load_languages().codes if code != load_languages().default]
# The same word in English and the language (titles) or a name that is never translated.
SAME_IN_BOTH = {"No", "English", "Español", "Français", "Construction", "Factory", "Nursing"}

# Texts built in code: catalogue section → (module holding the English, constants that are not
# user-facing and so are not translated).
CODE_TEXTS: Dict[str, Tuple[str, Set[str]]] = {
    "gateway": ("bot/channels/notes.py", {"OUTSIDE_WINDOW"}),
    "numbers": ("actions/numbers_message.py", {"URGENT_KINDS"}),
    "handoff": ("actions/handoff.py", {"REASON_AFTER"}),
    "country_answer": ("actions/country_answer.py", set()),
    "job_offer_verdict": ("actions/job_offer/verdict.py", {"FLAG_FROM_ANSWER"}),
    "reports": ("actions/reports/messages.py", set()),
    "report_status": ("actions/reports/status.py", set()),
    "support_services": ("actions/support_services.py", set()),
    "job_offer_form": ("actions/job_offer/form.py", {"FORM"}),
    "report_forms": ("actions/reports/forms.py", {"BUTTON_ANSWERS"}),
    "handoff_gateway": ("bot/handoff/messages.py", {"CANCEL_PAYLOAD"}),
    "webchat": ("bot/channels/webchat_page.py", set()),
    "recruiter": ("actions/job_offer/recruiter.py", set()),
    "handoff_desk": ("bot/handoff/desk.py", set()),
    # The console's words (topics, the answer note) stay English, like the rest of the console.
    "checkins": ("bot/checkins/texts.py", {"OK_PAYLOAD", "HELP_PAYLOAD", "TOPIC_MISSED", "TOPIC_HELP",
                                          "TOPIC_CODE_WORD", "CONSOLE_ANSWERED"}),
}


def english_responses() -> Dict[str, List[Dict[str, Any]]]:
    responses: Dict[str, List[Dict[str, Any]]] = {}
    for path in sorted((ROOT / "data" / "responses").glob("*.yml")):
        responses.update(yaml.safe_load(path.read_text(encoding="utf-8"))["responses"])
    return responses


def fields(text: str) -> Set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_response_is_translated_with_the_same_structure(language: str) -> None:
    english, translated = english_responses(), load_responses(language)
    assert sorted(set(english) - set(translated)) == [], f"responses without a {language} translation"
    assert sorted(set(translated) - set(english)) == [], f"{language} responses that English does not have"
    for name, variations in english.items():
        theirs = translated[name]
        assert [v.get("condition") for v in theirs] == [v.get("condition") for v in variations], name
        for ours, their in zip(variations, theirs, strict=True):
            assert their.get("text", "").strip(), name
            assert their["text"].strip() != ours.get("text", "").strip(), f"{name} is not translated"
            assert fields(their["text"]) == fields(ours.get("text", "")), name
            our_buttons, their_buttons = ours.get("buttons") or [], their.get("buttons") or []
            assert [b["payload"] for b in their_buttons] == [b["payload"] for b in our_buttons], name
            for our_button, their_button in zip(our_buttons, their_buttons, strict=True):
                title = their_button["title"].strip()
                assert title and (title != our_button["title"] or title in SAME_IN_BOTH), (name, title)


def english_constants(module: str, skip: Set[str]) -> Dict[str, Any]:
    """Module-level UPPER_CASE strings and mappings of strings: the English texts of a module."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    found: Dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if not name.isupper() or name in skip:
                continue
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(value, str) or (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
                found[name] = value
    return found


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("section", sorted(CODE_TEXTS))
def test_every_text_built_in_code_is_translated(language: str, section: str) -> None:
    module, skip = CODE_TEXTS[section]
    english = english_constants(module, skip)
    assert english, f"no English texts found in {module}"
    translated = {k: v for k, v in (messages(language).get(section) or {}).items() if k != "CANCEL_WORDS"}
    assert sorted(set(english) - set(translated)) == [], f"{module}: texts without a {language} translation"
    assert sorted(set(translated) - set(english)) == [], f"{language}/{section}: names {module} does not have"
    for name, ours in english.items():
        theirs = translated[name]
        if isinstance(ours, dict):
            assert isinstance(theirs, dict) and set(theirs) == set(ours), name
            continue
        assert isinstance(theirs, str) and theirs.strip() and theirs != ours, name
        assert fields(theirs) == fields(ours), name


def test_every_language_has_its_files() -> None:
    for language in OTHER_LANGUAGES:
        assert (ROOT / "locales" / language / "responses.yml").exists()
        assert (ROOT / "locales" / language / "messages.yml").exists()


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_red_flag_explanation_is_translated(language: str) -> None:
    weights = yaml.safe_load((ROOT / "actions" / "job_offer" / "weights.yml").read_text(encoding="utf-8"))
    translated = messages(language).get("job_offer_flags") or {}
    assert sorted(set(weights["flags"]) - set(translated)) == [], f"red flags without a {language} explanation"
    for flag, info in weights["flags"].items():
        for part in ("why", "todo"):
            assert translated[flag][part].strip() and translated[flag][part] != info[part], (flag, part)


def test_every_console_canned_response_exists_in_every_language() -> None:
    canned = yaml.safe_load((ROOT / "reference" / "canned_responses.yml").read_text(encoding="utf-8"))
    for agency, by_language in canned["responses"].items():
        english = by_language.get("en") or []
        for language in OTHER_LANGUAGES:
            theirs = by_language.get(language) or []
            assert len(theirs) == len(english), (agency, language)
            for ours, their in zip(english, theirs, strict=True):
                assert their["title"].strip() and their["text"].strip() and their["text"] != ours["text"]
