"""Entity coverage of the lookup tables, synonyms and regexes in data/nlu/entities/.

Builds the real RegexEntityExtractor (settings from config/config.yml) and EntitySynonymMapper
the way the pipeline does, without training a model, and checks that
(a) every entity annotation in the training data and the held-out splits is extracted with its
    span and value (the mapper only knows the synonyms of data/nlu/entities/, so every
    annotated surface form must be covered there, not only by the annotated example itself);
(b) sentences without municipality/language give none, and age/date regexes stay precise;
(c) every lookup form is extracted as a whole and maps to a canonical value.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.entity_synonyms import EntitySynonymMapper
from rasa.nlu.extractors.regex_entity_extractor import RegexEntityExtractor
from rasa.shared.nlu.training_data.entities_parser import replace_entities
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = ROOT / "data" / "nlu"
ENTITY_DIR = NLU_DIR / "entities"
SPLITS_DIR = ROOT / "tests" / "nlu"

MUNICIPALITIES = {
    "Aidlingen", "Altdorf", "Böblingen", "Bondorf", "Deckenpfronn", "Ehningen", "Gärtringen",
    "Gäufelden", "Grafenau", "Herrenberg", "Hildrizhausen", "Holzgerlingen", "Jettingen",
    "Leonberg", "Magstadt", "Mötzingen", "Nufringen", "Renningen", "Rutesheim", "Schönaich",
    "Sindelfingen", "Steinenbronn", "Waldenbuch", "Weil der Stadt", "Weil im Schönbuch",
    "Weissach",
}  # fmt: skip
LANGUAGES = {
    "de", "en", "ar", "uk", "tr", "fa", "ru", "fr", "ro", "pl", "it", "es", "el", "sq", "sr",
    "hr", "bs", "ku", "ps", "so", "ti", "am", "ur", "hi", "bn", "zh", "vi", "ka", "hy", "prs",
    "kmr", "ckb", "bg",
}  # fmt: skip
TOPICS = {"integration_course", "language_course", "counselling", "general"}
CANONICAL = {"municipality": MUNICIPALITIES, "language": LANGUAGES, "topic": TOPICS}


def _extractor_config() -> dict:
    """RegexEntityExtractor settings of the real pipeline (brief's settings as fallback)."""
    config = {
        "case_sensitive": False,
        "use_lookup_tables": True,
        "use_regexes": True,
        "use_word_boundaries": True,
    }
    path = ROOT / "config" / "config.yml"
    if path.exists():
        pipeline = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("pipeline") or []
        for component in pipeline:
            if component.get("name") == "RegexEntityExtractor":
                config.update({k: v for k, v in component.items() if k != "name"})
    return config


def _nlu_files(directory: Path, pattern: str) -> list[Path]:
    return sorted(p for p in directory.glob(pattern) if p.suffix in (".yml", ".yaml"))


ANNOTATED_FILES = [p for p in _nlu_files(NLU_DIR, "*/*.y*ml") if p.parent != ENTITY_DIR] + [
    p for p in _nlu_files(SPLITS_DIR, "*.y*ml")
]


class Pipeline:
    def __init__(self, tmp: Path) -> None:
        storage = LocalModelStorage.create(tmp)
        context = ExecutionContext(GraphSchema({}), uuid.uuid4().hex)
        self.extractor = RegexEntityExtractor.create(
            _extractor_config(), storage, Resource("regex_entity_extractor"), context
        )
        # Lookup tables/regexes are used for entities that occur in the training data.
        self.extractor.train(load_data(str(NLU_DIR)))
        # Synonyms only from data/nlu/entities/: every annotated form must be covered there.
        self.mapper = EntitySynonymMapper.create({}, storage, Resource("synonyms"), context)
        self.mapper.train(load_data(str(ENTITY_DIR)))

    def parse(self, text: str) -> list[dict]:
        message = Message(data={"text": text})
        self.extractor.process([message])
        self.mapper.process([message])
        return message.get("entities") or []


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("entity_coverage"))


def _show(entities: list[dict], text: str) -> str:
    return ", ".join(
        f"{e['entity']} {text[e['start'] : e['end']]!r}->{e['value']!r}" for e in entities
    )


def _line_numbers(path: Path) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("- "):
            lines.setdefault(replace_entities(stripped[2:].strip()), number)
    return lines


def test_entity_files_exist() -> None:
    for name in ("municipalities.yml", "languages.yml", "topics.yml", "regex.yml"):
        assert (ENTITY_DIR / name).is_file(), name
    assert ANNOTATED_FILES, "no NLU training data found"


def test_every_annotation_is_extracted(pipeline: Pipeline) -> None:
    gaps = []
    checked = 0
    for path in ANNOTATED_FILES:
        lines = _line_numbers(path)
        for example in load_data(str(path)).nlu_examples:
            text = example.get("text")
            expected = example.get("entities") or []
            if not expected:
                continue
            got = pipeline.parse(text)
            found = {(e["entity"], e["start"], e["end"], str(e["value"])) for e in got}
            for entity in expected:
                checked += 1
                key = (entity["entity"], entity["start"], entity["end"], str(entity["value"]))
                if key in found:
                    continue
                rel = path.relative_to(ROOT)
                surface = text[entity["start"] : entity["end"]]
                gaps.append(
                    f"{rel}:{lines.get(text, '?')}: {entity['entity']} {surface!r} -> "
                    f"{entity['value']!r} | got: {_show(got, text) or 'nothing'} | {text}"
                )
    assert checked, "no entity annotations found"
    assert not gaps, f"{len(gaps)} of {checked} annotations not extracted:\n" + "\n".join(gaps)


# sentence -> exactly the (entity, value) pairs the extractor must give
EXPECTED = {
    # no entity at all
    "Guten Morgen": set(),
    "guten morgen, ich brauche hilfe": set(),
    "Ich bin neu hier": set(),
    "Hallo, wie geht es dir?": set(),
    "weil ich Hilfe brauche": set(),
    "Ich wohne in Stuttgart": set(),
    "Danke": set(),
    "thanks a lot": set(),
    "Good morning": set(),
    "شكرا": set(),
    "مرحبا، كيف حالك؟": set(),
    "дякую": set(),
    "спасибо": set(),
    "Привет, как дела?": set(),
    "teşekkürler": set(),
    "merhaba": set(),
    "مرسی": set(),
    "سلام، خوبی؟": set(),
    "چکار کردی؟": set(),
    "خیلی کمک کردی": set(),
    "کار کردی؟": set(),
    "wo lerne ich deutsch": set(),
    "I want to learn German": set(),
    # topic only, no language
    "I need a german course": {("topic", "language_course")},
    "Ich suche einen Deutschkurs": {("topic", "language_course")},
    "Ich suche einen Deutsch Kurs": {("topic", "language_course")},
    "Sprachkurs Deutsch": {("topic", "language_course")},
    "کورس لسان آلمانی": {("topic", "language_course")},
    "хочу на курсы немецкого": {("topic", "language_course")},
    "потрібні курси німецької мови": {("topic", "language_course")},
    "أريد كورس الماني": {("topic", "language_course")},
    "Almanca kursu arıyorum": {("topic", "language_course")},
    "دنبال کلاس زبان آلمانی هستم": {("topic", "language_course")},
    "Gibt es einen Integrationskurs in Sindelfingen?": {
        ("topic", "integration_course"),
        ("municipality", "Sindelfingen"),
    },
    # language
    "auf Deutsch bitte": {("language", "de")},
    "please speak German": {("language", "de")},
    "بالعربي لو سمحت": {("language", "ar")},
    "мне нужен переводчик с арабского": {("language", "ar")},
    "можно по-русски?": {("language", "ru")},
    "Arapça tercüman lazım": {("language", "ar")},
    "به کردی صحبت کن": {("language", "ku")},
    "кажи українською": {("language", "uk")},
    # municipality
    "ich wohne in boeblingen": {("municipality", "Böblingen")},
    "أسكن في زيندلفينغن": {("municipality", "Sindelfingen")},
    "я живу в Леонберге": {("municipality", "Leonberg")},
    "я живу у Леонберзі": {("municipality", "Leonberg")},
    "در بوبلینگن زندگی می‌کنم": {("municipality", "Böblingen")},
    "wohne in Maichingen": {("municipality", "Sindelfingen")},
    "ساكن ببوبلينغن": {("municipality", "Böblingen")},
    # age: only the digits, no times, phone numbers, durations
    "Guten Morgen, ich bin 17 Jahre alt": {("age", "17")},
    "ich bin 17": {("age", "17")},
    "I'm 16": {("age", "16")},
    "16 years old": {("age", "16")},
    "عمري ١٧ سنة": {("age", "17")},
    "١٧ سنة": {("age", "17")},
    "мені 17 років": {("age", "17")},
    "мне 17 лет": {("age", "17")},
    "17 yaşındayım": {("age", "17")},
    "۱۷ سالمه": {("age", "17")},
    "من ۱۷ سال دارم": {("age", "17")},
    "Termin um 14 Uhr": set(),
    "ich bin um 14 uhr da": set(),
    "meine Nummer ist 0151 12345678": set(),
    "call me at +49 7031 663 0": set(),
    "ich bin seit 3 Jahren in Deutschland": set(),
    "I have lived here for 2 years": set(),
    "I am 5 minutes late": set(),
    "۲ سال است که در آلمان هستم": set(),
    "۳ سال است در آلمان هستم": set(),
    "دخترم 9 ساله است": {("age", "9")},
    "опыт 10 лет": set(),
    # date: the text
    "morgen": {("date", "morgen")},
    "Guten Morgen! Morgen habe ich einen Termin": {("date", "Morgen")},
    "am 12.12.2026 um 14 Uhr": {("date", "12.12.2026")},
    "next Monday at 10": {("date", "next Monday")},
    "завтра": {("date", "завтра")},
    "غدا الساعة ١٠": {("date", "غدا")},
    "پس‌فردا": {("date", "پس‌فردا")},
    "yarın saat 10": {("date", "yarın")},
    "2026-12-12": {("date", "2026-12-12")},
    "١٢/٥": {("date", "١٢/٥")},
}


def test_expected_entities_in_sentences(pipeline: Pipeline) -> None:
    wrong = []
    for text, expected in EXPECTED.items():
        got = pipeline.parse(text)
        pairs = {(e["entity"], str(e["value"])) for e in got}
        if pairs != expected or len(got) != len(expected):
            wrong.append(f"{text!r}: expected {sorted(expected)} | got: {_show(got, text)}")
    assert not wrong, "\n".join(wrong)


def _lookup_tables() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for table in load_data(str(ENTITY_DIR)).lookup_tables:
        tables.setdefault(table["name"], []).extend(table["elements"])
    return tables


def test_lookup_forms_map_to_canonical_values(pipeline: Pipeline) -> None:
    tables = _lookup_tables()
    assert set(tables) == set(CANONICAL), sorted(tables)
    wrong = []
    for name, forms in tables.items():
        for form in forms:
            got = pipeline.parse(form)
            whole = [
                e for e in got if e["entity"] == name and (e["start"], e["end"]) == (0, len(form))
            ]
            if len(whole) != 1 or whole[0]["value"] not in CANONICAL[name]:
                wrong.append(f"{name} {form!r}: got {_show(got, form) or 'nothing'}")
    assert not wrong, f"{len(wrong)} lookup forms not extracted/mapped:\n" + "\n".join(wrong)


def test_synonyms_target_canonical_values() -> None:
    data = load_data(str(ENTITY_DIR))
    allowed = set().union(*CANONICAL.values()) | {str(n) for n in range(100)}
    wrong = sorted({v for v in data.entity_synonyms.values() if v not in allowed})
    assert not wrong, wrong
