"""What a user does and sees in the web chat, for the browser tests."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from playwright.sync_api import Locator, Page

IDLE = """() => {
  const chat = document.querySelector('.wl-chat');
  return chat && !chat.hasAttribute('aria-busy') && !document.querySelector('.wl-pending');
}"""


@dataclass
class ChatPage:
    page: Page

    @property
    def chat(self) -> Locator:
        return self.page.locator(".wl-chat")

    @property
    def input(self) -> Locator:
        return self.page.locator(".wl-input")

    def open(self, base_url: str) -> ChatPage:
        self.page.goto(f"{base_url}/chat")
        self.page.locator(".wl-bot").first.wait_for()
        self.wait_idle()
        return self

    def wait_idle(self) -> None:
        """Until every message is sent and answered (the typing indicator is gone)."""
        self.page.wait_for_function(IDLE, timeout=90_000)

    def bubbles(self, selector: str = ".wl-msg") -> list[tuple[str, str]]:
        """(``user``/``bot``, text) of every message shown, the screen-reader prefix left out."""
        return [
            ("user" if "wl-user" in (bubble.get_attribute("class") or "") else "bot", text)
            for bubble in self.page.locator(selector).all()
            for text in [" ".join(bubble.locator("p").all_inner_texts())]
        ]

    def bot_texts(self) -> list[str]:
        return [text for who, text in self.bubbles() if who == "bot"]

    def last_bot_text(self) -> str:
        return self.bot_texts()[-1]

    def say(self, text: str) -> list[str]:
        """Type ``text``, press Enter; the assistant's new messages."""
        before = len(self.bot_texts())
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_idle()
        return self.bot_texts()[before:]

    def reply_button(self, payload: str) -> Locator:
        buttons = self.page.locator(".wl-buttons button")
        for index in range(buttons.count()):
            if buttons.nth(index).get_attribute("data-payload") == payload:
                return buttons.nth(index)
        offered = [b.get_attribute("data-payload") for b in buttons.all()]
        raise AssertionError(f"no reply button with payload {payload!r}; offered: {offered}")

    def click_reply(self, payload: str) -> tuple[str, list[str]]:
        """Click the reply button for ``payload``; its title and the assistant's new messages."""
        button = self.reply_button(payload)
        title = button.inner_text()
        before = len(self.bot_texts())
        button.click()
        self.wait_idle()
        return title, self.bot_texts()[before:]

    def choose_language(self, code: str) -> list[str]:
        before = len(self.bot_texts())
        self.page.locator(".wl-language-toggle").click()
        self.page.locator(f".wl-languages button[data-language='{code}']").click()
        self.wait_idle()
        return self.bot_texts()[before:]

    def status(self) -> str:
        return self.page.locator(".wl-status").inner_text()

    def stored_sender(self) -> str | None:
        return self.page.evaluate("() => localStorage.getItem('willkommenslotse.sender')")

    def focused(self) -> dict:
        """Class, tag and text of the element that has the keyboard focus."""
        return self.page.evaluate(
            """() => { const e = document.activeElement; return {
                 tag: e.tagName.toLowerCase(), cls: e.className || '',
                 text: (e.innerText || '').trim(), payload: e.getAttribute('data-payload'),
                 outline: getComputedStyle(e).outlineStyle,
                 outlineWidth: getComputedStyle(e).outlineWidth }; }"""
        )


@contextlib.contextmanager
def serving_page(html: str) -> Iterator[str]:
    """A real web server on 127.0.0.1 (another port: another origin) serving ``html``.

    Not page.route(): Chromium treats a routed page as public, and a public page
    may not reach the loopback address the test assistant listens on.
    """

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            body = html.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rathaus.html"
    finally:
        server.shutdown()
        server.server_close()
