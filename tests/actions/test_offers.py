"""Offers (courses, counselling) by topic and town, three at a time."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.offers import ActionShowMore, ActionShowOffers, ValidateOffersForm
from bot.content import get_content
from tests.actions.scenarios import form_turn, more_offers, responses, texts, tracker, user


def titles(dispatcher, language: str) -> list[str]:
    """The first line of each offer shown, as ids of the content entries."""
    by_title = {offer.title.get(language): offer.id for offer in get_content().offers}
    return [by_title.get(text.splitlines()[0], text) for text in texts(dispatcher)]


async def test_language_courses_in_sindelfingen_local_first(
    offers_in_sindelfingen, dispatcher, domain
):
    events = await ActionShowOffers().run(dispatcher, offers_in_sindelfingen, domain)

    assert responses(dispatcher) == ["utter_offers_intro", "text", "text", "text"]
    assert titles(dispatcher, "de") == [
        "vhs-boeblingen-sindelfingen-deutsch",
        "bamf-integrationskurs",
        "berufssprachkurs",
    ]
    assert "Wo: Böblingen, Sindelfingen" in texts(dispatcher)[0]
    # Exactly three offers: no "more" button.
    assert events == [
        SlotSet("offers_shown", 3.0),
        SlotSet("last_offer_topic", "language_course"),
        SlotSet("offer_topic", None),
    ]


async def test_county_wide_search_shows_three_then_the_more_button(
    language_courses_county_wide, dispatcher, domain
):
    events = await ActionShowOffers().run(dispatcher, language_courses_county_wide, domain)

    assert responses(dispatcher) == [
        "utter_offers_intro",
        "text",
        "text",
        "text",
        "utter_offers_more_button",
    ]
    # In the user's language (Persian), county-wide offers first.
    assert titles(dispatcher, "fa") == [
        "bamf-integrationskurs",
        "berufssprachkurs",
        "vhs-boeblingen-sindelfingen-deutsch",
    ]
    assert events[0] == SlotSet("offers_shown", 3.0)


async def test_more_shows_the_next_offers_without_another_button(dispatcher, domain):
    events = await ActionShowMore().run(dispatcher, more_offers(3.0), domain)

    assert responses(dispatcher) == ["text", "text"]
    assert titles(dispatcher, "fa") == ["vhs-herrenberg-deutsch", "vhs-leonberg-deutsch"]
    assert events == [SlotSet("offers_shown", 5.0)]


async def test_more_after_the_last_offer_says_that_was_all(dispatcher, domain):
    events = await ActionShowMore().run(dispatcher, more_offers(5.0), domain)

    assert responses(dispatcher) == ["utter_no_more_offers", "utter_anything_else"]
    assert events == []


async def test_more_without_a_search_shows_the_topics(dispatcher, domain):
    conversation = tracker([user("mehr", "more")], slots={"language": "de"})

    events = await ActionShowMore().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_help"]
    assert events == []


async def test_every_offer_is_shown_once_over_all_pages(dispatcher, domain):
    first = tracker(
        [user("Deutschkurs", "ask_offers")],
        slots={"language": "en", "offer_topic": "language_course", "municipality": "all"},
    )
    events = await ActionShowOffers().run(dispatcher, first, domain)
    shown = events[0]["value"]
    while True:
        page = tracker(
            [user("more", "more")],
            slots={
                "language": "en",
                "last_offer_topic": "language_course",
                "municipality": "all",
                "offers_shown": shown,
            },
        )
        events = await ActionShowMore().run(dispatcher, page, domain)
        if not events:
            break
        shown = events[0]["value"]

    expected = [offer.id for offer in get_content().offers_for("language_course")]
    assert sorted(titles(dispatcher, "en")) == sorted(expected)
    assert len(titles(dispatcher, "en")) == len(expected)


# --------------------------------------------------------------------------- the form


@pytest.mark.parametrize(
    ("text", "candidate", "town"),
    [
        ("in Sindelfinge", "in Sindelfinge", "Sindelfingen"),
        ("boblingen", "boblingen", "Böblingen"),
        ("Зіндельфінген", "Зіндельфінген", "Sindelfingen"),
        ("egal, überall", "all", "all"),
    ],
)
async def test_the_town_is_understood_however_it_is_written(
    text, candidate, town, dispatcher, domain
):
    conversation = form_turn(
        "offers_form",
        "municipality",
        user(text, "inform"),
        candidate,
        slots={"language": "de", "offer_topic": "counselling"},
    )

    events = await ValidateOffersForm().run(dispatcher, conversation, domain)

    assert events == [SlotSet("municipality", town), SlotSet("attempts", None)]


async def test_a_town_outside_the_county_is_asked_again(dispatcher, domain):
    conversation = form_turn(
        "offers_form",
        "municipality",
        user("Berlin", "inform"),
        "Berlin",
        slots={"language": "de", "offer_topic": "counselling"},
    )

    events = await ValidateOffersForm().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_municipality_unknown"]
    assert events == [SlotSet("municipality", None), SlotSet("attempts", 1.0)]


async def test_after_three_unknown_towns_the_whole_county_is_searched(dispatcher, domain):
    conversation = form_turn(
        "offers_form",
        "municipality",
        user("Stuttgart", "inform"),
        "Stuttgart",
        slots={"language": "de", "offer_topic": "counselling", "attempts": 2.0},
    )

    events = await ValidateOffersForm().run(dispatcher, conversation, domain)

    assert dispatcher.messages == []
    assert events == [SlotSet("municipality", "all"), SlotSet("attempts", None)]


async def test_an_unknown_topic_is_asked_again_then_general(dispatcher, domain):
    first = form_turn(
        "offers_form", "offer_topic", user("Fußball", "inform"), "Fußball", slots={"language": "de"}
    )
    third = form_turn(
        "offers_form",
        "offer_topic",
        user("Fußball", "inform"),
        "Fußball",
        slots={"language": "de", "attempts": 2.0},
    )

    first_events = await ValidateOffersForm().run(dispatcher, first, domain)
    third_events = await ValidateOffersForm().run(CollectingDispatcher(), third, domain)

    assert responses(dispatcher) == ["utter_topic_unknown"]
    assert first_events == [SlotSet("offer_topic", None), SlotSet("attempts", 1.0)]
    assert third_events == [SlotSet("offer_topic", "general"), SlotSet("attempts", None)]
