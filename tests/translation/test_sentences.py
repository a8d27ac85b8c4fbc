"""The offline sentence splitter."""

from __future__ import annotations

import pytest

from bot.translation.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Hallo. Wie geht es Ihnen?", ["Hallo.", "Wie geht es Ihnen?"]),
        ("Super! Danke!! Wirklich?!", ["Super!", "Danke!!", "Wirklich?!"]),
        ("Zeile eins\nZeile zwei.\n\nAbsatz", ["Zeile eins", "Zeile zwei.", "Absatz"]),
        ("Er sagte: „Danke.“ Dann ging er.", ["Er sagte: „Danke.“", "Dann ging er."]),
        ("hallo. ich brauche hilfe", ["hallo.", "ich brauche hilfe"]),
        ("Ich weiß nicht … vielleicht morgen. Ok?", ["Ich weiß nicht … vielleicht morgen.", "Ok?"]),
        ("Seit 2015. Ich wohne hier.", ["Seit 2015.", "Ich wohne hier."]),
        ("你好。我需要帮助！谢谢", ["你好。", "我需要帮助！", "谢谢"]),
    ],
)
def test_splits_at_sentence_ends_and_line_breaks(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    "text",
    [
        "Wir treffen uns z. B. am Montag.",
        "Wir treffen uns z.B. am Montag.",
        "Dr. Müller hilft Ihnen gern.",
        "Sprechen Sie mit Frau Prof. Dr. Yılmaz.",
        "Kommen Sie in Zimmer Nr. 12 bei Hr. Weber.",
        "Wir wohnen in der Hauptstr. 5 in Böblingen.",
        "Der Kurs beginnt am 1. Dezember.",
        "Der Kurs beginnt am 01.12.2026 um 10:30 Uhr.",
        "Das kostet 3.5 Euro bzw. 4 Euro mit Buch.",
        "Bring documents, e.g. your passport.",
        "Bring documents, i.e. passport, visa etc. to the office.",
        "Mehr unter https://www.lrabb.de/start/Integration.html?x=1 und hier.",
        "Schreiben Sie an info.integration@lrabb.de und wir antworten.",
    ],
)
def test_does_not_split_abbreviations_numbers_dates_or_addresses(text: str) -> None:
    assert split_sentences(text) == [text]


def test_a_url_at_the_end_of_a_sentence_keeps_its_full_stop_outside() -> None:
    assert split_sentences("Siehe www.lrabb.de. Danke.") == ["Siehe www.lrabb.de.", "Danke."]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("مرحبا. كيف حالك؟ أنا بخير.", ["مرحبا.", "كيف حالك؟", "أنا بخير."]),
        ("سلام. حال شما چطور است؟ ممنون", ["سلام.", "حال شما چطور است؟", "ممنون"]),
        ("یہ ٹھیک ہے۔ شکریہ", ["یہ ٹھیک ہے۔", "شکریہ"]),
        # A right-to-left mark after the question mark stays with its sentence.
        ("كيف حالك؟\u200f أنا بخير", ["كيف حالك؟\u200f", "أنا بخير"]),
        ("اتصل على 07031 663-0. شكرا", ["اتصل على 07031 663-0.", "شكرا"]),
    ],
)
def test_right_to_left_text_is_split_and_left_intact(text: str, sentences: list[str]) -> None:
    # The expected sentences are the original characters in their original (logical) order.
    assert split_sentences(text) == sentences


def test_spans_cover_everything_but_the_whitespace_between_sentences() -> None:
    text = "  Guten Tag.\n\nWie geht's?  Danke. "

    spans = sentence_spans(text)

    assert [text[start:end] for start, end in spans] == ["Guten Tag.", "Wie geht's?", "Danke."]
    gaps = [text[: spans[0][0]]] + [
        text[a[1] : b[0]] for a, b in zip(spans, spans[1:], strict=False)
    ]
    assert all(not gap.strip() for gap in gaps + [text[spans[-1][1] :]])


def test_empty_and_blank_texts_have_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []
