"""Code-mixed messages: the language around the German names, and the intent.

Newcomers write their own language around German names ("بدي Dolmetscher لموعد
في Jobcenter", "Dolmetscher lazım, Ausländerbehörde randevusu var"). The set
(tests/nlu/fixtures/code_mixed.yml) goes through `welcome parse` with the trained
model, as an operator would run it, with word-by-word test models for Romanian,
Polish and French installed by `welcome languages install --from-file`: their
messages are translated to English and their intent is judged too. The other
translated languages (it, es, el, sq, bg) have no test models: only their
language is judged. The per-language table is printed in the test summary next
to the held-out NLU accuracy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot import LANGUAGES
from bot.language import SCRIPT_LANGUAGES
from bot.nlu.evaluation import (
    CODE_MIXED_SET,
    code_mixed_dictionaries,
    code_mixed_messages,
    code_mixed_totals,
    format_code_mixed,
    score_code_mixed,
)
from bot.settings import PROJECT_ROOT
from tests.helpers.dictionaries import build_models

pytestmark = pytest.mark.model

MODEL = PROJECT_ROOT / "models" / "welcome.tar.gz"
MESSAGES = code_mixed_messages()
# Languages read through the word-by-word test models (the words are in the set's file).
WITH_TEST_MODELS = tuple(code_mixed_dictionaries())
MIN_LANGUAGE_ACCURACY = 0.95
MIN_INTENT_ACCURACY = 0.90
NON_LATIN = {
    code for script, codes in SCRIPT_LANGUAGES.items() if script != "latin" for code in codes
}


def welcome(env: dict[str, str], *args: str, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> list[dict]:
    """`welcome parse` of every message, one model load, test models installed."""
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL}; run `welcome train`")
    folder = tmp_path_factory.mktemp("code-mixed")
    env = {
        "WELCOME_VAR_DIR": str(folder / "var"),
        "WELCOME_TRANSLATION_DIR": str(folder / "translation"),
        "WELCOME_DATABASE_URL": f"sqlite:///{folder / 'welcome.db'}",
    }
    models = build_models(folder / "argosmodels", WITH_TEST_MODELS, code_mixed_dictionaries())
    installed = welcome(env, "languages", "install", *WITH_TEST_MODELS, "--from-file", str(models))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    result = welcome(
        env, "parse", "--model", str(MODEL), stdin="".join(m.text + "\n" for m in MESSAGES)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    objects = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [o["text"] for o in objects] == [m.text for m in MESSAGES]
    return objects


@pytest.fixture(scope="module")
def scores(parsed, request):
    scores = score_code_mixed(MESSAGES, parsed, judge_intent=(*LANGUAGES, *WITH_TEST_MODELS))
    request.config.stash_nlu_report.append(
        (
            f"code-mixed messages ({CODE_MIXED_SET.name}; intent of it/es/el/sq/bg not judged)",
            format_code_mixed(scores),
        )
    )
    return scores


def _mistakes(scores, kind: str) -> list[tuple[str, str, str]]:
    return [error for score in scores for error in score.errors if error[1].startswith(kind)]


def test_the_set_covers_every_native_language_and_translated_ones():
    languages = {m.language for m in MESSAGES}

    assert len(MESSAGES) >= 100
    assert set(LANGUAGES) <= languages
    assert len(languages - set(LANGUAGES)) >= 5
    assert len({m.text for m in MESSAGES}) == len(MESSAGES)


def test_the_language_is_the_one_around_the_names(scores):
    language, _ = code_mixed_totals(scores)

    assert language >= MIN_LANGUAGE_ACCURACY, _mistakes(scores, "language")


def test_the_intent_is_understood(scores):
    _, intent = code_mixed_totals(scores)

    assert intent >= MIN_INTENT_ACCURACY, _mistakes(scores, "intent")


def test_a_message_mostly_in_another_alphabet_is_never_german(parsed):
    in_other_alphabets = [
        (message.text, result["language"])
        for message, result in zip(MESSAGES, parsed, strict=True)
        if message.language in NON_LATIN
    ]

    assert len(in_other_alphabets) >= 50
    assert [(text, code) for text, code in in_other_alphabets if code == "de"] == []


def test_german_sentences_with_german_names_stay_german(parsed):
    german = [
        (m.text, r["language"]) for m, r in zip(MESSAGES, parsed, strict=True) if m.language == "de"
    ]

    assert german and all(code == "de" for _, code in german), german


def test_messages_in_languages_with_test_models_are_read_in_english(parsed):
    # The intent of ro/pl/fr messages counts only because the NLU read a translation.
    translated = [
        (m.text, (r.get("translation") or {}).get("source_language"))
        for m, r in zip(MESSAGES, parsed, strict=True)
        if m.language in WITH_TEST_MODELS and r["language"] == m.language
    ]

    assert len(translated) >= 0.8 * sum(m.language in WITH_TEST_MODELS for m in MESSAGES)
    assert [(text, source) for text, source in translated if source is None] == []
