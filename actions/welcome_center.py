"""Welcome Center Region Stuttgart: what it does, contact, referral offer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from bot.content.render import render_welcome_center
from bot.texts import render_marked


class ActionShowWelcomeCenter(Action):
    def name(self) -> str:
        return "action_show_welcome_center"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = common.reply_language(tracker)
        dispatcher.utter_message(
            text=render_marked(language, render_welcome_center, language, common.content()),
            answer_id="welcome_center",
        )
        dispatcher.utter_message(response="utter_ask_welcome_center_referral")
        return []
