"""Readability of the real content texts and ``welcome content readability``."""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass

import pytest

from bot.cli import main
from bot.content import LocalizedText, load_content
from bot.content.readability import content_readability, hardest_first
from bot.settings import PROJECT_ROOT

REAL_DIR = PROJECT_ROOT / "data" / "content"

# welcome_center.yml, service "arbeit": "Informationen zur Arbeitssuche in der Region Stuttgart."
# In-for-ma-ti-o-nen(6) zur(1) Ar-beits-su-che(4) in(1) der(1) Re-gi-on(3) Stutt-gart(2)
# 1 sentence, 7 words, 18 syllables: Flesch = 180 - 7 - 58.5*18/7 = 173 - 150.43 = 22.57
ARBEIT = ("welcome_center.yml", "welcome-center-region-stuttgart", "services[arbeit].text")
ARBEIT_FLESCH = 22.6
# offers.yml, berufssprachkurs summary (3 sentences):
# Im(1) Be-rufs-sprach-kurs(4) ler-nen(2) Sie(1) Deutsch(1) für(1) die(1) Ar-beit(2)  8 w, 13 s
# Der Kurs ist für Men-schen(2) die schon et-was(2) Deutsch kön-nen(2)              10 w, 13 s
# Fra-gen(2) Sie beim Job-cen-ter(3) o-der(2) bei der A-gen-tur(3) für Ar-beit(2)
#   nach ei-nem(2) Kurs                                                              13 w, 21 s
# 31 words, 47 syllables: Flesch = 180 - 31/3 - 58.5*47/31 = 180 - 10.33 - 88.69 = 80.97
BERUFSSPRACHKURS = ("offers.yml", "berufssprachkurs", "summary")


@pytest.fixture(scope="module")
def real_content():
    return load_content(REAL_DIR)


def by_place(results):
    return {(r.file, r.entry, r.field): r.readability for r in results}


def test_every_kind_of_content_text_is_scored(real_content):
    scored = by_place(content_readability(real_content, min_flesch=60))
    assert round(scored[ARBEIT].flesch_amstad, 1) == ARBEIT_FLESCH
    assert not scored[ARBEIT].plain
    assert round(scored[BERUFSSPRACHKURS].flesch_amstad, 1) == 81.0
    assert scored[BERUFSSPRACHKURS].plain
    places = set(scored)
    assert ("offers.yml", "bamf-integrationskurs", "summary") in places
    assert ("internships.yml", "bundesfreiwilligendienst", "summary") in places
    assert ("welcome_center.yml", "welcome-center-region-stuttgart", "summary") in places
    assert ("mentoring.yml", "mentoring", "explanation") in places
    assert ("mentoring.yml", "pate-werden", "summary") in places
    assert ("contacts.yml", "koordinierungsstelle-integration", "summary") in places
    assert ("contacts.yml", "dolmetscher-pool", "guidelines[schweigepflicht].text") in places
    # Headings are left out unless asked for.
    assert not any(field.endswith(("title", "label")) for _file, _entry, field in places)


def test_headings_on_request(real_content):
    scored = by_place(content_readability(real_content, headings=True))
    # "Integrationskurs": 1 word, In-te-gra-ti-ons-kurs 6 syllables: 180 - 1 - 351 = -172
    title = scored[("offers.yml", "bamf-integrationskurs", "title")]
    assert round(title.flesch_amstad, 1) == -172.0
    assert ("internships.yml", "handwerk", "label") in scored


@dataclass(frozen=True)
class FaqLike:
    """The shape of an FAQ entry (issue 11): id, question and answer per language."""

    id: str
    question: LocalizedText
    answer: LocalizedText
    verified: bool = False


def test_faq_answers_are_scored(real_content):
    scored = [r.entry for r in content_readability(real_content) if r.file == "faq.yml"]
    assert scored == [entry.id for entry in real_content.faq]
    with_faq = copy.copy(real_content)
    with_faq.faq = [
        FaqLike(
            "wohnsitz-anmelden",
            LocalizedText({"de": "Wo melde ich meinen Wohnsitz an?", "en": "Where do I register?"}),
            LocalizedText({"de": "Wir helfen Ihnen gern. Rufen Sie uns an.", "en": "We help."}),
        )
    ]
    [faq] = [r for r in content_readability(with_faq) if r.file == "faq.yml"]
    assert (faq.entry, faq.field) == ("wohnsitz-anmelden", "answer")
    # By hand (tests/readability/test_scores.py::test_plain_text): 95.5625
    assert round(faq.readability.flesch_amstad, 1) == 95.6
    questions = [r for r in content_readability(with_faq, headings=True) if r.file == "faq.yml"]
    assert [r.field for r in questions] == ["question", "answer"]


def test_hardest_first(real_content):
    ordered = hardest_first(content_readability(real_content))
    places = [(r.file, r.entry, r.field) for r in ordered]
    assert places.index(ARBEIT) < places.index(BERUFSSPRACHKURS)


def rows(out: str) -> list[str]:
    """The table's rows (they start with the Flesch score)."""
    return [line for line in out.splitlines() if re.match(r"\s*-?\d+\.\d ", line)]


def test_cli_names_the_hardest_text_first(capsys):
    assert main(["content", "readability", "--dir", str(REAL_DIR)]) == 0
    out = capsys.readouterr().out
    assert "German texts below Flesch 60" in out.splitlines()[0]
    table = rows(out)
    # The Welcome Center's one-sentence service texts are the hardest: "arbeit" by
    # hand 22.6, "anerkennung" 25.0 (Ers-te In-for-ma-ti-o-nen zur An-er-ken-nung von
    # aus-län-di-schen Ab-schlüs-sen. Sie er-fah-ren wel-che Stel-le zu-stän-dig ist:
    # 13 words, 33 syllables, 2 sentences: 180 - 6.5 - 148.5 = 25.0).
    assert table[0].split()[0] == "22.6"
    assert "welcome_center.yml welcome-center-region-stuttgart services[arbeit].text" in table[0]
    assert "services[anerkennung].text" in table[1]
    assert any("offers.yml berufssprachkurs summary" in row for row in table)


def test_cli_below_leaves_plain_texts_out(capsys):
    assert main(["content", "readability", "--below", "--dir", str(REAL_DIR)]) == 0
    table = rows(capsys.readouterr().out)
    assert "services[arbeit].text" in table[0]
    assert not any("offers.yml berufssprachkurs summary" in row for row in table)


def test_cli_prints_hints_in_german(capsys):
    assert main(["content", "readability", "--hints", "--dir", str(REAL_DIR)]) == 0
    out = capsys.readouterr().out
    # mentoring.yml, pate-werden: "... sagt Ihnen, wo Hilfe gebraucht wird."
    assert "Passiv („wird … gebraucht“)" in out
    assert "wo Hilfe gebraucht wird." in out


def test_cli_on_broken_content_names_the_problem(tmp_path, capsys):
    broken = tmp_path / "content"
    shutil.copytree(REAL_DIR, broken)
    offers = broken / "offers.yml"
    text = offers.read_text(encoding="utf-8")
    offers.write_text(text.replace("id: berufssprachkurs", "id: Berufs Kurs"), encoding="utf-8")
    assert main(["content", "readability", "--dir", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "welcome content check" in out
    assert "offers.yml" in out and "Berufs Kurs" in out
