"""Rasa's responses in the user's language: curated, else prepared translation with marker.

The generator runs on the real domain (config/domain) and a store prepared by
the real engine with tiny Argos packages (en->ro, de->en): nothing is
translated while the tests "chat".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content import load_content
from bot.nlg import TranslatingNaturalLanguageGenerator
from bot.prepared import PreparedTranslations, get_prepared
from bot.settings import PROJECT_ROOT, get_settings
from bot.translation import Translator
from bot.translation.preparing import prepare
from bot.translation.sources import collect_sources, protected_terms
from tests.helpers.argos_packages import build_argos_package

DOMAIN_DIR = PROJECT_ROOT / "config" / "domain"
MINI_CONTENT = PROJECT_ROOT / "tests" / "content" / "fixtures" / "mini"
CHANNEL = "rest"
MARKER_RO = "🌐 Tradus automat"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN_DIR))


@pytest.fixture(scope="module")
def translation_dir(tmp_path_factory) -> Path:
    """Packages en->ro and de->en, and every domain text prepared for Romanian."""
    directory = tmp_path_factory.mktemp("translation")
    packages = directory / "packages"
    build_argos_package(packages, "en", "ro")
    build_argos_package(packages, "de", "en")
    content = load_content(MINI_CONTENT)
    store = PreparedTranslations(directory / "prepared")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WELCOME_TRANSLATION_DIR", str(directory))
        get_settings.cache_clear()
        report = prepare(
            store,
            ["ro"],
            Translator(packages),
            sources=collect_sources(content=content),
            terms=protected_terms(content),
        )
        get_settings.cache_clear()
    assert report.for_language("ro").rejected == 0
    return directory


@pytest.fixture
def settings(translation_dir: Path, monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(translation_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def store(settings) -> PreparedTranslations:
    return get_prepared()


@pytest.fixture
def nlg(domain: Domain, settings) -> TranslatingNaturalLanguageGenerator:
    return TranslatingNaturalLanguageGenerator(domain=domain)


def conversation_in(language: str | None, domain: Domain) -> DialogueStateTracker:
    events = [SlotSet("language", language)] if language else []
    return DialogueStateTracker.from_events("newcomer-1", events, slots=domain.slots)


def variation(domain: Domain, response: str, language: str) -> dict:
    """The variation staff wrote for ``language`` ("de": the one without condition)."""
    for candidate in domain.responses[response]:
        conditions = candidate.get("condition") or []
        if (language == "de" and not conditions) or any(
            c.get("value") == language for c in conditions
        ):
            return candidate
    raise LookupError(f"{response} has no {language} variation")


async def test_curated_variation_wins_for_arabic(nlg, domain):
    reply = await nlg.generate("utter_greet", conversation_in("ar", domain), CHANNEL)

    assert reply["text"] == variation(domain, "utter_greet", "ar")["text"]
    assert "🌐" not in reply["text"]


async def test_german_is_the_default(nlg, domain):
    for language in ("de", None):
        reply = await nlg.generate("utter_greet", conversation_in(language, domain), CHANNEL)
        assert reply["text"] == variation(domain, "utter_greet", "de")["text"]


async def test_romanian_gets_the_prepared_translation_with_marker(nlg, domain, store):
    english = variation(domain, "utter_handoff_confirmed", "en")["text"]

    reply = await nlg.generate(
        "utter_handoff_confirmed", conversation_in("ro", domain), CHANNEL, reference="WL-7K3F9Q"
    )

    translated = store.lookup(english, "ro")
    assert translated is not None and "{reference}" in translated
    assert reply["text"] == translated.replace("{reference}", "WL-7K3F9Q") + "\n" + MARKER_RO
    assert "WL-7K3F9Q" in reply["text"]


async def test_button_titles_translated_and_payloads_untouched(nlg, domain, store):
    english = variation(domain, "utter_offer_human", "en")

    reply = await nlg.generate("utter_offer_human", conversation_in("ro", domain), CHANNEL)

    assert [b["title"] for b in reply["buttons"]] == [
        store.lookup(b["title"], "ro") for b in english["buttons"]
    ]
    assert [b["payload"] for b in reply["buttons"]] == [
        '/request_human{"handoff_category": "fallback"}',
        "/deny",
    ]
    assert reply["text"].endswith("\n" + MARKER_RO)


async def test_language_without_prepared_texts_gets_english(nlg, domain):
    english = variation(domain, "utter_greet", "en")["text"]

    reply = await nlg.generate("utter_greet", conversation_in("pl", domain), CHANNEL)

    assert reply["text"] == english


async def test_german_only_response_is_translated_through_english(nlg, domain, store):
    german = variation(domain, "utter_ask_second_language", "de")["text"]
    assert store.read(store.path("ro"))["models"]["de"]["route"] == ["de->en", "en->ro"]

    reply = await nlg.generate(
        "utter_ask_second_language",
        conversation_in("ro", domain),
        CHANNEL,
        language_en="Tigrinya",
        language_de="Tigrinya",
    )

    expected = store.lookup(german, "ro").format(language_en="Tigrinya", language_de="Tigrinya")
    assert reply["text"] == f"{expected}\n{MARKER_RO}"


async def test_loaded_by_rasa_from_the_endpoints_file(domain, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("WELCOME_ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    # The project's own endpoints file, as `welcome run` hands it to Rasa.
    endpoints = read_endpoints_from_path(PROJECT_ROOT / "config" / "endpoints.yml")

    # `rasa run` builds the agent before the model; loading it sets the responses.
    agent = Agent(generator=endpoints.nlg)
    assert isinstance(agent.nlg, TranslatingNaturalLanguageGenerator)
    agent.nlg.responses = domain.responses

    reply = await agent.nlg.generate("utter_greet", conversation_in("ro", domain), CHANNEL)
    assert reply["text"].endswith("\n" + MARKER_RO)
    assert Agent(domain=domain, generator=endpoints.nlg).nlg.responses == domain.responses
