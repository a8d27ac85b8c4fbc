"""The domain (config/domain/*.yml) speaks the vocabulary of bot.vocabulary, and only it."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import pytest
import yaml

from bot import LANGUAGES
from bot.forms import DOMAIN_DIR
from bot.handoff import CATEGORIES_WITH_NOTE, CATEGORY_AFTER_ACTION, FIELDS_BY_CATEGORY
from bot.settings import PROJECT_ROOT
from bot.vocabulary import (
    ALL_MUNICIPALITIES,
    CHAT_CONTACT,
    HANDOFF_CATEGORIES,
    INTERPRETER_FIELDS,
    META_INTENTS,
    OFFER_TOPICS,
    WAY_OUT_SKIP,
    WAY_OUT_SLOT,
    payload,
)

_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$")


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"intents": [], "entities": [], "slots": {}, "responses": {}}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["intents"] += [
            next(iter(i)) if isinstance(i, dict) else i for i in part.get("intents") or []
        ]
        merged["entities"] += [
            next(iter(e)) if isinstance(e, dict) else e for e in part.get("entities") or []
        ]
        merged["slots"].update(part.get("slots") or {})
        merged["responses"].update(part.get("responses") or {})
        merged.setdefault("forms", {}).update(part.get("forms") or {})
    return merged


def from_text_mappings() -> list[tuple[str, dict]]:
    return [
        (slot, mapping)
        for slot, definition in domain()["slots"].items()
        for mapping in definition.get("mappings") or []
        if mapping.get("type") == "from_text"
    ]


def button_payloads() -> list[str]:
    return [
        # The domain doubles braces: Rasa formats buttons with slot values.
        button["payload"].replace("{{", "{").replace("}}", "}")
        for variations in domain()["responses"].values()
        for variation in variations
        for button in variation.get("buttons") or []
    ]


@pytest.mark.parametrize(("slot", "mapping"), from_text_mappings())
def test_every_free_text_answer_leaves_exactly_the_meta_intents_to_the_rules(slot, mapping):
    assert mapping.get("not_intent") == list(META_INTENTS), slot


def test_there_are_free_text_answers_to_check():
    assert len(from_text_mappings()) >= 10


def test_the_meta_intents_are_intents_of_the_domain():
    assert set(META_INTENTS) <= set(domain()["intents"])


@pytest.mark.parametrize("button", sorted(set(button_payloads())))
def test_every_button_payload_names_a_known_intent_and_known_entities(button):
    match = _PAYLOAD.match(button)
    assert match, button
    assert match["intent"] in domain()["intents"]
    entities = json.loads(match["entities"]) if match["entities"] else {}
    assert set(entities) <= set(domain()["entities"]), button
    if "handoff_category" in entities:
        assert entities["handoff_category"] in HANDOFF_CATEGORIES
    if "topic" in entities:
        assert entities["topic"] in OFFER_TOPICS
    if "municipality" in entities:
        assert entities["municipality"] == ALL_MUNICIPALITIES
    if "contact_method" in entities:
        assert entities["contact_method"] == CHAT_CONTACT
    if "change_field" in entities:
        assert entities["change_field"] in INTERPRETER_FIELDS
    if WAY_OUT_SLOT in entities:
        assert entities[WAY_OUT_SLOT] == WAY_OUT_SKIP


def variation_languages(response: str) -> set[str]:
    """The languages a response has a variation for (German is the one without condition)."""
    return {
        next(
            (c["value"] for c in variation.get("condition") or [] if c.get("name") == "language"),
            "de",
        )
        for variation in domain()["responses"][response]
    }


FORMS = ("offers_form", "internship_form", "interpreter_form", "handoff_form")


@pytest.mark.parametrize("form", FORMS)
def test_every_form_can_ask_its_way_out_in_every_native_language(form):
    # Rasa asks a form's question with utter_ask_<form>_<slot>, else utter_ask_<slot>.
    specific = f"utter_ask_{form}_{WAY_OUT_SLOT}"
    response = specific if specific in domain()["responses"] else f"utter_ask_{WAY_OUT_SLOT}"
    assert form in domain()["forms"]
    assert variation_languages(response) == set(LANGUAGES)
    for variation in domain()["responses"][response]:
        payloads = [button["payload"] for button in variation["buttons"]]
        assert "/stop" in payloads
        assert any(WAY_OUT_SKIP in p for p in payloads)


def test_the_interpreter_form_asks_for_the_interpreter_fields_in_their_order():
    asked = domain()["forms"]["interpreter_form"]["required_slots"]
    assert [slot for slot in asked if slot in INTERPRETER_FIELDS] == list(INTERPRETER_FIELDS)


def test_handoff_categories_are_the_ones_the_handoff_knows():
    assert set(FIELDS_BY_CATEGORY) == set(HANDOFF_CATEGORIES)
    assert set(CATEGORY_AFTER_ACTION.values()) <= set(HANDOFF_CATEGORIES)
    assert set(CATEGORIES_WITH_NOTE) <= set(HANDOFF_CATEGORIES)


def test_offer_topics_are_the_topic_entitys_values():
    lookup = yaml.safe_load(
        (PROJECT_ROOT / "data" / "nlu" / "entities" / "topics.yml").read_text(encoding="utf-8")
    )
    synonyms = {item["synonym"] for item in lookup["nlu"] if "synonym" in item}
    assert synonyms == set(OFFER_TOPICS)


def test_the_payload_builder_writes_what_rasa_reads():
    assert payload("greet") == "/greet"
    assert payload("change_language", language="ar") == '/change_language{"language": "ar"}'
    assert payload("greet", municipality="Böblingen") == '/greet{"municipality": "Böblingen"}'
    assert set(button_payloads()) >= {payload("inform", topic=topic) for topic in OFFER_TOPICS}
