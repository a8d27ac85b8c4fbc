"""Mentoring ("Paten"): explain, then hand off to find or become a mentor."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from bot.content.render import render_mentoring
from bot.texts import render_marked


class ActionShowMentoring(Action):
    def name(self) -> str:
        return "action_show_mentoring"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = common.reply_language(tracker)
        dispatcher.utter_message(
            text=render_marked(language, render_mentoring, language, common.content()),
            answer_id="mentoring",
        )
        dispatcher.utter_message(response="utter_ask_mentor_role")
        return []
