"""Answers to the staff's FAQ (data/content/faq.yml), matched by bot.nlu.faq."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.core import ActionHandleFallback
from bot.content.render import render_faq_answer
from bot.faq import faq_id_of
from bot.texts import render_marked


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entry = common.content().faq_entry(faq_id_of(tracker.latest_message))
        if entry is None:
            # Unpublished since the message was parsed (or a made-up payload).
            return await ActionHandleFallback().run(dispatcher, tracker, domain)
        language = common.reply_language(tracker)
        dispatcher.utter_message(
            text=render_marked(language, render_faq_answer, entry, language),
            answer_id=entry.response_id,
        )
        return []
