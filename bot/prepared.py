"""Answers machine translated at build time: the files, and looking texts up in them.

``welcome content translate`` (:mod:`bot.translation.preparing`) translates
every text a newcomer can read into each language with installed models and
writes one JSON file per language to ``settings.prepared_dir``::

    {"language": "ro", "generated_at": "...",
     "models": {"en": {"route": ["en->ro"], "packages": {"en->ro": "1.9"}}},
     "entries": {"<English or German source text>": "<translation>"}}

At chat time only :meth:`PreparedTranslations.lookup` runs: a dictionary
lookup, plus a ``stat`` of the file so that a running server sees a new
translation run without a restart. This module loads no model and imports
neither CTranslate2 nor argostranslate: the content, the catalogue of
interface words and the Rasa NLG look texts up here on every message.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import get_settings

logger = logging.getLogger(__name__)

SOURCE_LANGUAGES = ("en", "de")
"""Preferred source of a machine translation, in this order: one model hop from
English reaches every language of the Argos index; German needs two."""


def source_language(texts: Mapping[str, str]) -> str | None:
    """The language a machine translation of ``texts`` starts from (English, else German)."""
    for code in SOURCE_LANGUAGES:
        if texts.get(code):
            return code
    return None


def source_text(texts: Mapping[str, str]) -> str | None:
    """The text a machine translation of ``texts`` starts from: its key in the files."""
    code = source_language(texts)
    return texts[code] if code else None


@dataclass(frozen=True)
class _Loaded:
    state: tuple[int, int, int] | None
    document: dict[str, Any]


class PreparedTranslations:
    """The prepared translations in one folder (one ``<lang>.json`` per language)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    # -- reading

    def path(self, lang: str) -> Path:
        return self.directory / f"{lang}.json"

    def lookup(self, source_text: str, lang: str) -> str | None:
        """The prepared translation of ``source_text`` into ``lang``, or None."""
        return self.entries(lang).get(source_text)

    def entries(self, lang: str) -> Mapping[str, str]:
        """Source text -> translation for ``lang`` (empty if nothing was prepared)."""
        return self._document(lang).get("entries", {})

    def languages(self) -> list[str]:
        """Languages with a prepared file."""
        if not self.directory.is_dir():
            return []
        return sorted(path.stem for path in self.directory.glob("*.json"))

    def _document(self, lang: str) -> dict[str, Any]:
        path = self.path(lang)
        try:
            stat = path.stat()
            state: tuple[int, int, int] | None = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except (FileNotFoundError, NotADirectoryError):
            state = None
        loaded = self._loaded.get(lang)
        if loaded is not None and loaded.state == state:
            return loaded.document
        with self._lock:
            document = self.read(path) if state is not None else {}
            self._loaded[lang] = _Loaded(state, document)
        return document

    @staticmethod
    def read(path: Path) -> dict[str, Any]:
        """The document in ``path``; empty if it is missing or unreadable (logged)."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.warning("Ignoring unreadable prepared translations %s: %s", path, error)
            return {}
        if not isinstance(document, dict) or not isinstance(document.get("entries"), dict):
            logger.warning("Ignoring prepared translations %s: no 'entries'", path)
            return {}
        return document

    def write(self, lang: str, document: dict[str, Any]) -> None:
        """Replace the file of ``lang`` (written then renamed: readers never see half a file)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{lang}.", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(document, file, ensure_ascii=False, indent=1, sort_keys=True)
                file.write("\n")
            os.replace(temporary, self.path(lang))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


_stores: dict[Path, PreparedTranslations] = {}


def get_prepared() -> PreparedTranslations:
    """The store in ``settings.prepared_dir`` (one per folder and process)."""
    directory = get_settings().prepared_dir
    store = _stores.get(directory)
    if store is None:
        store = _stores.setdefault(directory, PreparedTranslations(directory))
    return store
