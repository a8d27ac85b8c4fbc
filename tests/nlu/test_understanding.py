"""What the trained model understands: held-out accuracy per language, the
fallback for gibberish, and the `welcome parse` contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.nlu.evaluation import (
    HARMLESS_INTENTS,
    fallback_examples,
    format_scores,
    held_out_examples,
    parse_all,
    score_languages,
)
from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "welcome.tar.gz"
# Every language must stay usable; a drop below these is a regression to fix.
MIN_ACCURACY_PER_LANGUAGE = 0.80
MIN_ACCURACY_OVERALL = 0.85
MIN_FALLBACK_SHARE = 0.90

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def agent():
    from bot.commands.nlu import load_agent

    return load_agent(str(MODEL))


def test_every_language_is_understood_on_the_held_out_split(agent, request):
    scores = score_languages(agent, held_out_examples())
    request.config.stash_nlu_report.append(("held-out NLU accuracy", format_scores(scores)))
    assert {s.language for s in scores} == {"de", "en", "ar", "uk", "tr", "fa", "ru"}
    weak = {
        s.language: round(s.accuracy, 3) for s in scores if s.accuracy < MIN_ACCURACY_PER_LANGUAGE
    }
    assert not weak, f"languages below {MIN_ACCURACY_PER_LANGUAGE:.0%}: {weak}"
    overall = sum(s.correct for s in scores) / sum(s.total for s in scores)
    assert overall >= MIN_ACCURACY_OVERALL


def test_gibberish_and_off_topic_never_start_a_journey(agent):
    texts = fallback_examples()
    assert len(texts) >= 40
    results = parse_all(agent, texts)
    landed = {text: r["intent"]["name"] for text, r in zip(texts, results, strict=True)}
    journeys = {t: i for t, i in landed.items() if i not in HARMLESS_INTENTS}
    share = 1 - len(journeys) / len(texts)
    assert share >= MIN_FALLBACK_SHARE, f"these start a journey: {journeys}"
    # The clearest cases must never slip through.
    for text in ("blablub xyz", "asdfghjkl", "😀😀😀", "123456789"):
        assert landed[text] in HARMLESS_INTENTS, (text, landed[text])


def test_the_detected_language_comes_with_the_parse(agent):
    (arabic, ukrainian, german) = parse_all(
        agent,
        ["أحتاج مترجم عربي لموعد عند الطبيب", "Мені потрібен перекладач до лікаря", "ok"],
    )
    assert arabic["language"]["code"] == "ar" and arabic["language"]["reliable"]
    assert arabic["intent"]["name"] == "request_interpreter"
    assert ukrainian["language"]["code"] == "uk"
    assert german["language"]["reliable"] is False  # "ok" must not flip a conversation


def _welcome(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )


def test_welcome_parse_prints_one_json_object_for_a_text():
    result = _welcome("parse", "Ich brauche einen Dolmetscher für Arabisch in Sindelfingen")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    parsed = json.loads(lines[0])
    assert parsed["text"].startswith("Ich brauche")
    assert parsed["language"] == "de"
    assert parsed["intent"] == "request_interpreter"
    assert 0 < parsed["confidence"] <= 1
    entities = {(e["entity"], e["value"]) for e in parsed["entities"]}
    assert {("language", "ar"), ("municipality", "Sindelfingen")} <= entities


def test_welcome_parse_reads_one_text_per_line_from_stdin():
    texts = ["I need a German course in Leonberg", "مرحبا", "Хочу стати наставником", ""]
    result = _welcome("parse", stdin="\n".join(texts) + "\n")
    assert result.returncode == 0, result.stderr[-2000:]
    objects = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [o["text"] for o in objects] == texts
    assert [o["language"] for o in objects[:3]] == ["en", "ar", "uk"]
    assert objects[0]["intent"] == "ask_offers"
    assert objects[2]["intent"] == "ask_mentoring"
    assert all({"text", "language", "intent", "confidence"} <= o.keys() for o in objects)
