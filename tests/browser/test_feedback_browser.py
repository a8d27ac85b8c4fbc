"""The feedback buttons in the web chat, in a real browser (strict CSP: no inline script)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from bot.store.chat_figures import feedback_table
from bot.texts import text
from tests.browser.chat_page import ChatPage

pytestmark = pytest.mark.model


def votes(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    sa.select(feedback_table.c.answer_id, feedback_table.c.language,
                              feedback_table.c.helpful)
                )
            ]  # fmt: skip
    finally:
        engine.dispose()


def test_a_vote_under_an_answer_is_thanked_and_counted_once(page, assistant, shot) -> None:
    before = votes(assistant.settings.database_url)
    chat = ChatPage(page).open(assistant.base_url)

    chat.say("Ich suche eine Mentorin")

    group = page.locator(".wl-feedback")
    expect(group).to_have_count(1)  # under the mentoring text only
    buttons = group.locator("button")
    expect(buttons).to_have_text(
        [text("widget.feedback_helpful", "de"), text("widget.feedback_not_helpful", "de")]
    )
    shot("offered")
    buttons.nth(1).click()
    expect(group.locator(".wl-feedback-thanks")).to_have_text(text("widget.feedback_thanks", "de"))
    expect(group.locator("button")).to_have_count(0)  # one vote per answer
    shot("thanked")
    assert votes(assistant.settings.database_url) == [*before, ("mentoring", "de", False)]
    # The conversation goes on; the next answer has its own buttons.
    chat.say("Was macht das Welcome Center?")
    expect(page.locator(".wl-feedback button")).to_have_count(2)
