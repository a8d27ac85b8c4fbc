"""The web chat in a real browser: what a newcomer sees and does at /chat and on a website."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.chat_page import ChatPage, serving_page
from tests.e2e.support import INTERPRETER_QUESTIONS, interpreter_answers, is_response
from tests.helpers.held_conversation import hold_conversation

pytestmark = pytest.mark.model

# Questions of the interpreter request answered with a button in the browser
# (the rest are typed): the payload of the button to click.
CLICKED = {
    "interpreter_dialect": "/deny",
    "appointment_kind": '/inform{"appointment_kind": "health"}',
    "interpreter_mode": '/inform{"interpreter_mode": "on_site"}',
    "consent": "/affirm",
    "interpreter_confirmed": "/affirm",
}


def assert_asks(replies: list[str], response: str, language: str, after: str) -> None:
    assert replies, f"no reply after {after!r}; expected {response}"
    assert is_response(replies[-1], response, language), (
        f"after {after!r} expected {response} ({language}), got: {replies[-1][:200]!r}"
    )


def test_arabic_interpreter_request_right_to_left(page, assistant, shot) -> None:
    chat = ChatPage(page).open(assistant.base_url)
    shot("opened")

    replies = chat.choose_language("ar")
    assert_asks(replies, "utter_language_changed", "ar", "choosing العربية")
    # Right to left: the conversation's container, as the browser computes it,
    # and each message decides its own direction (Latin names inside Arabic).
    expect(chat.chat).to_have_attribute("dir", "rtl")
    assert chat.chat.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # The layout mirrors: the send button sits left of the message field.
    send_box = page.locator(".wl-send").bounding_box()
    assert send_box["x"] < chat.input.bounding_box()["x"]
    assert page.locator(".wl-msg").last.get_attribute("dir") == "auto"
    expect(page.locator(".wl-send")).to_have_text("إرسال")
    shot("arabic")

    answers = interpreter_answers("ar")
    replies = chat.say(answers["start"])
    said = answers["start"]
    for slot, question in INTERPRETER_QUESTIONS.items():
        assert_asks(replies, question, "ar", said)
        if slot in CLICKED:
            said, replies = chat.click_reply(CLICKED[slot])
            # The click shows as the user's message, with the button's title.
            assert chat.bubbles()[-len(replies) - 1] == ("user", said)
        else:
            said = answers[slot]
            replies = chat.say(said)
        if slot in ("interpreter_language", "appointment_kind"):
            shot(f"answered-{slot.replace('_', '-')}")
        if slot == "description":
            shot("summary")
    assert any(is_response(text, "utter_handoff_confirmed", "ar") for text in replies), replies
    expect(chat.chat).to_have_attribute("dir", "rtl")
    shot("confirmed")


def test_reload_keeps_the_conversation(page, assistant, shot) -> None:
    chat = ChatPage(page).open(assistant.base_url)
    chat.say("Hallo")
    chat.click_reply("/request_interpreter")
    # The widget's own greeting is not part of the stored conversation.
    before = chat.bubbles(".wl-msg:not(.wl-welcome)")
    sender = chat.stored_sender()
    open_buttons = [b.inner_text() for b in page.locator(".wl-buttons button").all()]
    shot("before-reload")

    page.reload()
    page.locator(".wl-msg").nth(len(before) - 1).wait_for()
    chat.wait_idle()
    assert chat.bubbles() == before
    assert chat.stored_sender() == sender
    # The last question's buttons still work after the reload; older ones are gone.
    assert [b.inner_text() for b in page.locator(".wl-buttons button").all()] == open_buttons
    shot("after-reload")


def test_keyboard_only(page, assistant, shot) -> None:
    chat = ChatPage(page).open(assistant.base_url)

    # The language menu opens and closes from the keyboard.
    page.keyboard.press("Tab")
    assert "wl-language-toggle" in chat.focused()["cls"]
    page.keyboard.press("Enter")
    assert chat.focused()["cls"].startswith("wl-choice"), "focus goes into the language menu"
    shot("language-menu")
    page.keyboard.press("Escape")
    assert "wl-language-toggle" in chat.focused()["cls"]

    # Tab reaches the message field.
    for _ in range(20):
        if "wl-input" in chat.focused()["cls"]:
            break
        page.keyboard.press("Tab")
    assert "wl-input" in chat.focused()["cls"], "Tab never reached the message field"
    page.keyboard.type("Hallo")
    page.keyboard.press("Enter")
    chat.wait_idle()
    assert is_response(chat.bot_texts()[-2], "utter_greet", "de")
    assert "wl-input" in chat.focused()["cls"], "after typing, focus stays in the field"
    shot("replied")

    # Shift+Tab goes back from the field to the reply buttons, which show their focus.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if chat.focused()["payload"]:
            break
    focused = chat.focused()
    assert focused["tag"] == "button" and focused["payload"], f"no reply button: {focused}"
    assert focused["outline"] != "none" and focused["outlineWidth"] != "0px"
    shot("reply-button-focused")

    before = len(chat.bubbles())
    page.keyboard.press("Enter")
    chat.wait_idle()
    assert chat.bubbles()[before] == ("user", focused["text"])
    assert len(chat.bubbles()) > before + 1, "no reply to the button"
    after = chat.focused()
    assert after["tag"] != "body", "focus was lost after answering with a button"
    assert after["payload"] or "wl-input" in after["cls"]
    shot("after-reply-button")


def test_delete_my_conversation(page, assistant, shot) -> None:
    chat = ChatPage(page).open(assistant.base_url)
    chat.say("Ich brauche einen Dolmetscher für einen Termin beim Arzt")
    old_sender = chat.stored_sender()
    assert old_sender
    expect(page.locator(".wl-privacy")).to_contain_text("Datenschutz")
    shot("before")

    page.locator(".wl-delete").click()
    chat.wait_idle()
    assert is_response(chat.last_bot_text(), "utter_confirm_delete", "de")
    shot("confirm")

    chat.click_reply("/affirm")
    # Only the assistant's confirmation is left on the screen.
    [(who, text)] = chat.bubbles()
    assert who == "bot" and is_response(text, "utter_data_deleted", "de"), text
    assert chat.stored_sender() is None, "the browser still knows the conversation id"
    expect(page.locator(".wl-status")).to_contain_text("gelöscht")
    shot("deleted")

    page.reload()
    chat.wait_idle()
    assert "Dolmetscher für einen Termin beim Arzt" not in str(chat.bubbles())
    chat.say("Hallo")
    assert chat.stored_sender() not in (None, old_sender)
    shot("after-reload")


def test_reconnects_after_a_dropped_connection(page, context, assistant, shot) -> None:
    chat = ChatPage(page).open(assistant.base_url)
    context.set_offline(True)
    chat.input.fill("Hallo")
    chat.input.press("Enter")
    expect(page.locator(".wl-status")).to_contain_text("Keine Verbindung")
    expect(page.locator(".wl-user.wl-pending")).to_have_text("Sie: Hallo")
    shot("offline")

    context.set_offline(False)
    chat.wait_idle()
    assert any(is_response(text, "utter_greet", "de") for text in chat.bot_texts())
    assert [text for who, text in chat.bubbles() if who == "user"] == ["Hallo"]
    expect(page.locator(".wl-status")).to_contain_text("Wieder verbunden")
    shot("reconnected")


def test_too_many_messages_at_once_are_sent_a_little_later(page, assistant) -> None:
    chat = ChatPage(page).open(assistant.base_url)
    refused = []

    def too_many_once(route) -> None:
        # As the server answers a conversation over its flood limit.
        if not refused:
            refused.append(route.request.url)
            route.fulfill(
                status=429,
                headers={"Retry-After": "2", "Content-Type": "application/json"},
                body='{"error": "Too many messages at once. Please wait a moment."}',
            )
        else:
            route.continue_()

    page.route("**/webhooks/webchat/webhook", too_many_once)
    chat.input.fill("Hallo")
    chat.input.press("Enter")
    expect(page.locator(".wl-status")).to_contain_text("Viele Nachrichten auf einmal")
    expect(page.locator(".wl-status")).not_to_contain_text("Keine Verbindung")

    chat.wait_idle()
    assert refused, "the first try was refused"
    assert any(is_response(text, "utter_greet", "de") for text in chat.bot_texts())
    assert [text for who, text in chat.bubbles() if who == "user"] == ["Hallo"]
    expect(page.locator(".wl-status")).not_to_contain_text("Viele Nachrichten")


def test_one_script_tag_embeds_the_widget(page, assistant, shot) -> None:
    # A town's website on another origin; the assistant answers cross-origin.
    script = f"{assistant.base_url}/webhooks/webchat/webchat.js"
    html = (
        "<!doctype html><html lang='de'><head><title>Stadt</title></head><body>"
        "<h1>Willkommen in der Stadt</h1><p>Inhalt der Seite.</p>"
        f'<script src="{script}" data-language="ar" defer></script></body></html>'
    )
    with serving_page(html) as website:
        page.goto(website)
        launcher = page.locator(".wl-launcher")
        expect(launcher).to_have_text("افتح المحادثة")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        assert launcher.evaluate("e => getComputedStyle(e).position") == "fixed"
        assert page.locator("h1").count() == 1, "the widget adds no second main heading"
        shot("closed")

        launcher.click()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        chat = ChatPage(page)
        expect(chat.chat).to_have_attribute("dir", "rtl")
        assert "wl-input" in chat.focused()["cls"], "opening the chat puts the cursor in the field"
        replies = chat.say("مرحبا")
        assert any(is_response(text, "utter_greet", "ar") for text in replies), replies
        shot("open")

        page.keyboard.press("Escape")
        expect(page.locator(".wl-panel")).to_be_hidden()
        assert "wl-launcher" in chat.focused()["cls"]


def test_an_office_reply_appears_without_writing_and_stays_after_a_reload(
    page, assistant, shot
) -> None:
    chat = ChatPage(page).open(assistant.base_url)
    chat.say("Hallo")
    work, anna, reference = hold_conversation(assistant.settings.database_url, chat.stored_sender())
    reply = "Ihr Termin ist am Montag um 9 Uhr."
    work.reply(reference, anna, reply, reply, "de", False)
    work.close()

    office = page.locator(".wl-office")
    expect(office.filter(has_text=reply)).to_have_count(1, timeout=30_000)
    expect(office.first).to_contain_text("Koordinierungsstelle Integration")
    page.wait_for_timeout(5_000)  # another poll: nothing is shown twice
    expect(office).to_have_count(2)  # "being handled", then the reply
    before = chat.bubbles()
    shot("office-reply")

    page.reload()
    expect(page.locator(".wl-office")).to_have_count(2)
    chat.wait_idle()
    page.wait_for_timeout(5_000)
    # The conversation as it was, the widget's own welcome line aside (a reload
    # with a history shows the history instead).
    conversation = before[before.index(("user", "Hallo")) :]
    assert chat.bubbles() == conversation
