"""Word-by-word test models for Romanian, Polish and French (and German <-> English).

Small real Argos packages (see :mod:`tests.helpers.argos_dictionary`) whose
output is predictable, so an end-to-end test can show that a Romanian sentence
is understood in English and answered in Romanian. The dictionaries cover the
test sentences, not the languages: their "Romanian" answers are English words
with a few Romanian ones, which is enough to tell a prepared translation from
the English source.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from tests.helpers.argos_dictionary import build_dictionary_package

#: What users write, and the English the NLU then reads.
SENTENCES = {
    "ro": "Am nevoie de un interpret pentru o programare la medic.",
    "pl": "Potrzebuję tłumacza na wizytę u lekarza w Böblingen.",
    "fr": "Je cherche un interprète pour un rendez-vous chez le médecin.",
}
OFFER_SEARCH_RO = "Caut un curs de germană pentru adulți în orașul Sindelfingen."

TO_ENGLISH = {
    "ro": {
        "am": "I",
        "nevoie": "need",
        "de": "of",
        "un": "an",
        "interpret": "interpreter",
        "pentru": "for",
        "o": "an",
        "programare": "appointment",
        "la": "at",
        "medic": "doctor",
        "caut": "I am looking for",
        "curs": "course",
        "limba": "language",
        "germană": "German",
        "în": "in",
        "mulțumesc": "thank you",
    },
    "pl": {
        "potrzebuję": "I need",
        "tłumacza": "an interpreter",
        "na": "for",
        "wizytę": "an appointment",
        "u": "at",
        "lekarza": "the doctor",
        "w": "in",
    },
    "fr": {
        "je": "I",
        "cherche": "am looking for",
        "un": "an",
        "interprète": "interpreter",
        "pour": "for",
        "rendez-vous": "appointment",
        "chez": "at",
        "le": "the",
        "médecin": "doctor",
    },
    "de": {"ich": "I", "brauche": "need", "einen": "an", "dolmetscher": "interpreter"},
}

FROM_ENGLISH = {
    "ro": {
        "you": "dumneavoastră",
        "interpreter": "interpret",
        "the": "la",
        "and": "și",
        # The web chat widget's words (tests/browser/test_webchat_languages.py).
        "open": "deschide",
        "send": "trimite",
    },
    "pl": {"you": "pan", "interpreter": "tłumacz", "and": "i"},
    "fr": {"you": "vous", "interpreter": "interprète", "and": "et"},
    "de": {
        "i": "ich",
        "need": "brauche",
        "an": "einen",
        "interpreter": "Dolmetscher",
        "for": "für",
        "appointment": "Termin",
        "at": "beim",
        "doctor": "Arzt",
        "of": "von",
    },
}


def build_models(
    folder: Path,
    languages: tuple[str, ...] = ("ro", "pl", "fr"),
    more_to_english: dict[str, dict[str, str]] | None = None,
) -> Path:
    """``.argosmodel`` files for ``languages`` <-> English and German <-> English.

    ``more_to_english`` adds words to the dictionaries into English (per language),
    for test sets beyond the sentences above.
    """
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "build"
    more_to_english = more_to_english or {}
    for language in (*languages, "de"):
        to_english = {**TO_ENGLISH[language], **more_to_english.get(language, {})}
        for source, target, dictionary in (
            (language, "en", to_english),
            ("en", language, FROM_ENGLISH[language]),
        ):
            package = build_dictionary_package(work, source, target, dictionary)
            archive = folder / f"translate-{source}_{target}-1_0.argosmodel"
            with zipfile.ZipFile(archive, "w") as bundle:
                for path in sorted(package.rglob("*")):
                    bundle.write(path, path.relative_to(package.parent))
    shutil.rmtree(work)
    return folder
