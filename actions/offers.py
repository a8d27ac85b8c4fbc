"""Offers journey: courses and counselling filtered by topic and town."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.validation import CommonFormValidation
from bot.content.render import render_offer
from bot.texts import render_marked
from bot.vocabulary import ALL_MUNICIPALITIES, OFFER_TOPICS

PAGE_SIZE = 3


class ValidateOffersForm(CommonFormValidation):
    def name(self) -> str:
        return "validate_offers_form"

    def validate_offer_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value in OFFER_TOPICS:
            return self.accepted("offer_topic", value)
        if self.last_try(tracker):
            # Better general offers than a user stuck on the topic buttons.
            return self.accepted("offer_topic", "general")
        return self.retry("offer_topic", dispatcher, tracker, "utter_topic_unknown")


def _matching_offers(tracker: Tracker) -> list:
    topic = tracker.get_slot("last_offer_topic") or tracker.get_slot("offer_topic")
    municipality = tracker.get_slot("municipality")
    if municipality == ALL_MUNICIPALITIES:
        municipality = None
    return common.content().offers_for(topic=topic, municipality=municipality)


def _show_page(dispatcher: CollectingDispatcher, offers: list, start: int, language: str) -> int:
    page = offers[start : start + PAGE_SIZE]
    for offer in page:
        # answer_id: the channels put "helpful / not helpful" under it (bot.chatfigures.feedback).
        dispatcher.utter_message(
            text=render_marked(language, render_offer, offer, language),
            answer_id=f"offer:{offer.id}",
        )
    shown = start + len(page)
    if shown < len(offers):
        dispatcher.utter_message(response="utter_offers_more_button")
    return shown


class ActionShowOffers(Action):
    def name(self) -> str:
        return "action_show_offers"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        topic = tracker.get_slot("offer_topic")
        offers = _matching_offers(tracker)
        if not offers:
            dispatcher.utter_message(response="utter_no_offers")
            shown = 0
        else:
            dispatcher.utter_message(response="utter_offers_intro")
            shown = _show_page(dispatcher, offers, 0, common.reply_language(tracker))
        # The topic is asked again next time; "more" remembers this search.
        return [
            SlotSet("offers_shown", float(shown)),
            SlotSet("last_offer_topic", topic),
            SlotSet("offer_topic", None),
        ]


class ActionShowMore(Action):
    def name(self) -> str:
        return "action_show_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("offers_shown") is None:
            dispatcher.utter_message(response="utter_help")
            return []
        offers = _matching_offers(tracker)
        start = int(tracker.get_slot("offers_shown") or 0)
        if start >= len(offers):
            dispatcher.utter_message(response="utter_no_more_offers")
            dispatcher.utter_message(response="utter_anything_else")
            return []
        shown = _show_page(dispatcher, offers, start, common.reply_language(tracker))
        return [SlotSet("offers_shown", float(shown))]
