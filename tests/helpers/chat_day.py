"""A scripted "day of chats" against a running assistant, for the statistics and
unanswered-questions pages (not a test; the lead runs it before taking screenshots).

    WELCOME_REST_TOKEN=... .venv/bin/python tests/helpers/chat_day.py \\
        --url http://127.0.0.1:5005 --conversations 40 --seed 7

Each conversation is one scripted journey in one language: greetings, offer
searches with "more", mentoring and Welcome Center answers, FAQ questions,
gibberish, a message with a phone number, a request handed to the office.
Conversations alternate between the REST channel and the web chat (the web
chat's replies carry the feedback buttons; a share of the answers is voted
on, helpful or not). It prints what it did: conversations, turns, votes,
failures. Sender ids are random and never printed.

``--scripted`` runs :data:`SCRIPTED_DAY` instead: a fixed day whose inputs
are known, so that the figures the office shows follow from them
(tests/browser/test_editor_pages.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

#: Journeys: a list of messages; "{all}" stands for the "any town" button's payload.
JOURNEYS: dict[str, list[list[str]]] = {
    "de": [
        ["Hallo", "Ich suche einen Deutschkurs", "{all}", "mehr"],
        ["Guten Tag", "Ich suche eine Mentorin"],
        ["Wo melde ich meinen Wohnsitz an?"],
        ["Brauche ich einen Termin bei der Ausländerbehörde?"],
        ["Hallo", "asdkjh qwe zzz"],
        ["Ruf mich bitte an unter 0151 23456789, ich heiße Amina Yousef"],
        [
            "Ich möchte mit einem Menschen sprechen",
            "ja",
            "0151 23456789",
            "Ich habe eine Frage zur Wohnsitzauflage",
        ],
        ["Gibt es einen Schachclub für Jugendliche?"],
        ["Wo kann ich schwimmen lernen?"],
    ],
    "en": [
        ["Hello", "I am looking for a German language course for adults", "{all}", "more"],
        ["I would like to have my nursing degree recognised in Germany"],
        ["Hi", "I need a mentor"],
        ["where can I open a bank account"],
        ["my name is John Smith, call me at +49 176 12345678"],
        ["qwerty uiop"],
    ],
    "ar": [
        ["مرحبا", "أبحث عن دورة لغة ألمانية", "{all}"],
        ["أين أسجل عنواني؟"],
        ["اسمي محمد ورقمي ٠١٧٦١٢٣٤٥٦٧"],
    ],
    "uk": [
        ["Привіт", "Мені потрібен перекладач до лікаря"],
        ["Де можна відкрити банківський рахунок?"],
    ],
    "tr": [["Merhaba", "Almanca kursu arıyorum", "{all}"], ["Banka hesabı nasıl açılır?"]],
    "ru": [["Здравствуйте", "Меня зовут Ольга, где курсы немецкого?"]],
    "fa": [["سلام", "دنبال کلاس زبان آلمانی هستم", "{all}"]],
}


#: The user's answer to the "any town" question of an offer search.
ANY_TOWN = "{all}"
#: The same unanswered question, asked by three users in slightly different words
#: (one with a phone number, one with an e-mail address).
SAME_QUESTION = (
    "Grillen im Park erlaubt oder verboten?",
    "Grillen im Park erlaubt? Tel 0151 23456789",
    "Grillen im Park erlaubt? amina.yousef@example.org",
)
PHONE_NUMBER = "0151 23456789"
EMAIL_ADDRESS = "amina.yousef@example.org"
#: "Is there a chess club?" in Arabic: nothing the assistant knows.
ARABIC_QUESTION = "هل يوجد نادي شطرنج؟"
GIBBERISH = "asdkjh qwe zzz"
FAQ_REGISTRATION = "Wo melde ich meinen Wohnsitz an?"
FAQ_APPOINTMENT = "Brauche ich einen Termin bei der Ausländerbehörde?"
HANDOFF = (
    "Ich möchte mit einem Menschen sprechen",
    "ja",
    PHONE_NUMBER,
    "Ich habe eine Frage zur Wohnsitzauflage",
)


@dataclass(frozen=True)
class ScriptedChat:
    """One conversation of the scripted day (its own sender).

    ``vote``: on the web chat, the verdict given with the feedback buttons
    under the (last) answer that offers them; ``None``: no vote.
    ``hint``: the ``language_hint`` a client sends along (as the web chat's
    language picker does).
    """

    language: str
    channel: str  # "rest" or "webchat"
    messages: tuple[str, ...]
    vote: bool | None = None
    hint: str | None = None


#: A day of chats: 15 conversations (13 German, 1 English, 1 Arabic), 21 messages, 5 votes.
SCRIPTED_DAY: tuple[ScriptedChat, ...] = (
    ScriptedChat("de", "rest", ("Hallo", "Ich suche einen Deutschkurs", ANY_TOWN)),
    ScriptedChat("de", "rest", (FAQ_REGISTRATION,)),
    ScriptedChat("de", "webchat", (FAQ_REGISTRATION,)),
    ScriptedChat("de", "rest", HANDOFF),
    *(ScriptedChat("de", "rest", (question,)) for question in SAME_QUESTION),
    ScriptedChat("de", "webchat", (GIBBERISH,)),
    ScriptedChat("en", "rest", ("Hello", "I need a mentor")),
    ScriptedChat("ar", "rest", (ARABIC_QUESTION,), hint="ar"),
    # One FAQ answer rated in the web chat: helpful 3 times, not helpful twice.
    *(
        ScriptedChat("de", "webchat", (FAQ_APPOINTMENT,), vote=helpful)
        for helpful in (True, False, True, False, True)
    ),
)


@dataclass
class ScriptedConversation:
    chat: ScriptedChat
    sender: str
    replies: list[list[dict]]  # per message
    voted: dict | None = None  # the feedback endpoint's answer


@dataclass
class Tally:
    conversations: int = 0
    turns: int = 0
    votes: dict[str, int] = field(default_factory=lambda: {"helpful": 0, "not_helpful": 0})
    failures: int = 0


def _post(url: str, body: dict, headers: dict[str, str] | None = None) -> object:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read().decode("utf-8"))


class Chat:
    """One conversation over REST or the web chat."""

    def __init__(self, base_url: str, channel: str, token: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.channel = channel
        self.token = token
        prefix = "web" if channel == "webchat" else "day"
        self.sender = f"{prefix}-{uuid.uuid4().hex}"

    def say(self, text: str, hint: str | None = None) -> list[dict]:
        metadata = {"metadata": {"language_hint": hint}} if hint else {}
        if self.channel == "webchat":
            body = {"sender": self.sender, "message": text, "message_id": uuid.uuid4().hex[:24]}
            return _post(f"{self.base_url}/webhooks/webchat/webhook", {**body, **metadata})  # type: ignore[return-value]
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        body = {"sender": self.sender, "message": text, **metadata}
        return _post(f"{self.base_url}/webhooks/rest/webhook", body, headers)  # type: ignore[return-value]

    def vote(self, token: str, helpful: bool, language: str) -> object:
        body = {"token": token, "helpful": helpful, "language": language}
        return _post(f"{self.base_url}/webhooks/webchat/feedback", body)


def _any_town(replies: list[dict]) -> str:
    for reply in replies:
        for button in reply.get("buttons") or []:
            if '"all"' in str(button.get("payload")):
                return str(button["payload"])
    return "/inform"


def run_day(base_url: str, conversations: int, seed: int, token: str | None) -> Tally:
    chooser = random.Random(seed)
    tally = Tally()
    journeys = [(language, journey) for language, items in JOURNEYS.items() for journey in items]
    for number in range(conversations):
        language, journey = chooser.choice(journeys)
        chat = Chat(base_url, "webchat" if number % 2 else "rest", token)
        replies: list[dict] = []
        try:
            for message in journey:
                text = _any_town(replies) if message == "{all}" else message
                replies = chat.say(text)
                tally.turns += 1
                for reply in replies:
                    feedback = reply.get("feedback") or {}
                    if feedback.get("token") and chooser.random() < 0.6:
                        helpful = chooser.random() < 0.7
                        chat.vote(feedback["token"], helpful, language)
                        tally.votes["helpful" if helpful else "not_helpful"] += 1
            tally.conversations += 1
        except (urllib.error.URLError, OSError, ValueError) as error:
            tally.failures += 1
            print(f"conversation {number}: {type(error).__name__}", file=sys.stderr)
    return tally


def run_script(
    base_url: str, chats: tuple[ScriptedChat, ...] = SCRIPTED_DAY, token: str | None = None
) -> list[ScriptedConversation]:
    """Each scripted conversation in turn; what was said and answered, and the votes."""
    done: list[ScriptedConversation] = []
    for scripted in chats:
        chat = Chat(base_url, scripted.channel, token)
        conversation = ScriptedConversation(scripted, chat.sender, [])
        replies: list[dict] = []
        for message in scripted.messages:
            text = _any_town(replies) if message == ANY_TOWN else message
            replies = chat.say(text, scripted.hint)
            conversation.replies.append(replies)
        if scripted.vote is not None:
            offered = [(r.get("feedback") or {}).get("token") for r in replies]
            tokens = [token for token in offered if token]
            if tokens:
                verdict = chat.vote(tokens[-1], scripted.vote, scripted.language)
                conversation.voted = verdict  # type: ignore[assignment]
        done.append(conversation)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scripted", action="store_true", help="run SCRIPTED_DAY instead")
    options = parser.parse_args(argv)
    if options.scripted:
        day = run_script(options.url, token=os.environ.get("WELCOME_REST_TOKEN"))
        votes = sum(1 for conversation in day if (conversation.voted or {}).get("counted"))
        turns = sum(len(conversation.replies) for conversation in day)
        print(f"conversations={len(day)} turns={turns} votes_counted={votes}")
        return 0
    tally = run_day(
        options.url, options.conversations, options.seed, os.environ.get("WELCOME_REST_TOKEN")
    )
    print(
        f"conversations={tally.conversations} turns={tally.turns} "
        f"votes_helpful={tally.votes['helpful']} votes_not_helpful={tally.votes['not_helpful']} "
        f"failures={tally.failures}"
    )
    return 0 if tally.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
