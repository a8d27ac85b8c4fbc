"""Offline machine translation with installed Argos packages.

:class:`Translator` reads the packages in one folder (one sub-folder per
package, as ``welcome languages install`` leaves them) and translates with
CTranslate2 directly. It uses argostranslate only for package metadata and
tokenizers, not its ``translate`` module: that one splits sentences with
models it downloads, and loads every model it meets without a bound.

- Route: same language -> unchanged; an installed package for the pair; else
  through English (``de -> en -> ro``: two models).
- Protected spans (URLs, phone numbers, office names, ...) come out
  byte-identical (:mod:`bot.translation.protect`).
- Texts are split into sentences offline (:mod:`bot.translation.sentences`);
  :meth:`Translator.translate_many` sends all sentences of all texts through
  one ``translate_batch`` call per hop.
- Models load on first use and stay loaded, at most ``max_loaded_models`` at
  once (the least recently used is dropped).
- Whole-route results are cached (memory and database, see
  :mod:`bot.translation.cache`); the cache context holds the package versions,
  so installing a new model version invalidates old translations.

Translation is CPU work that blocks: async code should call it in an executor.
The class is thread-safe.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.settings import Settings
from bot.translation.argos import import_argos_package
from bot.translation.packages import (
    PIVOT_LANGUAGE,
    InstalledPackage,
    Pair,
    installed_packages,
    version_key,
)
from bot.translation.protect import Masked, protect
from bot.translation.sentences import sentence_spans

if TYPE_CHECKING:
    from bot.translation.cache import TranslationCache

logger = logging.getLogger(__name__)

#: Sentences per CTranslate2 batch: larger batches gain little on 1-2 cores.
MAX_BATCH_SIZE = 32
#: As argostranslate decodes, so a model translates here as it does in Argos/LibreTranslate.
LENGTH_PENALTY = 0.2
#: Part of every cache key: raise it when a change here changes translations.
PIPELINE_REVISION = 1


class TranslationUnavailable(Exception):
    """No installed package (nor a route through English) for ``source`` -> ``target``."""

    def __init__(self, source: str, target: str):
        super().__init__(f"no translation model installed for {source} -> {target}")
        self.source = source
        self.target = target


@dataclass(frozen=True)
class TranslatorStats:
    """Counters since the translator was created (benchmarks and tests read them)."""

    model_calls: int = 0  # translate_batch calls
    sentences_translated: int = 0  # sentences given to a model, per hop
    cache_hits: int = 0  # texts answered from the cache
    texts_translated: int = 0  # texts that needed a model


@dataclass(frozen=True)
class _Usable:
    """An installed package Argos could read, with its tokenizer."""

    package: InstalledPackage
    tokenizer: Any = field(compare=False, repr=False)


@dataclass
class _LoadedModel:
    usable: _Usable
    translator: Any  # ctranslate2.Translator


@dataclass
class _Job:
    index: int
    text: str
    masked: Masked
    context: str


class Translator:
    """Translates with the Argos packages installed in ``packages_dir``."""

    def __init__(
        self,
        packages_dir: Path,
        *,
        max_loaded_models: int = 4,
        beam_size: int = 2,
        threads: int = 1,
        cache: TranslationCache | None = None,
    ):
        if max_loaded_models < 1:
            raise ValueError("max_loaded_models must be at least 1")
        self.packages_dir = Path(packages_dir)
        self.max_loaded_models = max_loaded_models
        self.beam_size = beam_size
        self.threads = threads
        self.cache = cache
        self._lock = threading.RLock()
        self._packages: dict[Pair, _Usable] | None = None  # scanned on first use
        self._models: OrderedDict[Pair, _LoadedModel] = OrderedDict()
        self._load_locks: dict[Pair, threading.Lock] = {}
        self._stats = TranslatorStats()

    def __repr__(self) -> str:
        return f"Translator({str(self.packages_dir)!r}, max_loaded_models={self.max_loaded_models})"

    # -- packages and routes -----------------------------------------------------------

    def installed_packages(self) -> list[InstalledPackage]:
        return sorted(
            (usable.package for usable in self._installed().values()),
            key=lambda package: package.pair,
        )

    def installed_pairs(self) -> set[Pair]:
        return set(self._installed())

    def refresh(self) -> None:
        """Re-scan the packages folder (after an install); drops models that were replaced."""
        packages = _scan(self.packages_dir)
        with self._lock:
            self._packages = packages
            for pair, model in list(self._models.items()):
                if packages.get(pair) != model.usable:
                    del self._models[pair]

    def can_translate(self, source: str, target: str) -> bool:
        try:
            self.route(source, target)
        except TranslationUnavailable:
            return False
        return True

    def route(self, source: str, target: str) -> list[Pair]:
        """The model hops from ``source`` to ``target`` (none for the same language)."""
        source, target = _code(source), _code(target)
        if source == target:
            return []
        installed = self._installed()
        if (source, target) in installed:
            return [(source, target)]
        via_pivot = [(source, PIVOT_LANGUAGE), (PIVOT_LANGUAGE, target)]
        if PIVOT_LANGUAGE not in (source, target) and all(hop in installed for hop in via_pivot):
            return via_pivot
        raise TranslationUnavailable(source, target)

    def loaded_models(self) -> list[Pair]:
        """Pairs whose model is in memory, least recently used first."""
        with self._lock:
            return list(self._models)

    def stats(self) -> TranslatorStats:
        with self._lock:
            return self._stats

    # -- translating -------------------------------------------------------------------

    def translate(
        self, text: str, source: str, target: str, *, protected: Iterable[str] = ()
    ) -> str:
        return self.translate_many([text], source, target, protected=protected)[0]

    def translate_many(
        self,
        texts: Sequence[str],
        source: str,
        target: str,
        *,
        protected: Iterable[str] = (),
    ) -> list[str]:
        """Translate ``texts``; ``protected`` terms (and URLs, numbers, ...) stay as they are.

        Raises:
            TranslationUnavailable: no route from ``source`` to ``target``.
        """
        hops = self.route(source, target)
        results = list(texts)
        if not hops:
            return results
        terms = tuple(protected)
        route_context = self._route_context(hops)
        jobs = []
        for index, text in enumerate(results):
            if not text.strip():
                continue  # nothing to translate; keep the whitespace as it is
            masked = protect(text, terms)
            # The spans decide what the model sees, so they are part of the key.
            context = "\x1e".join((route_context, *masked.spans))
            jobs.append(_Job(index, text, masked, context))
        if not jobs:
            return results

        jobs = self._answer_from_cache(jobs, results)
        if jobs:
            translations = self._translate_jobs(jobs, hops)
            _release_freed_memory()
            for job, translation in zip(jobs, translations, strict=True):
                results[job.index] = translation
            if self.cache is not None:
                self.cache.put_many(
                    (job.context, job.text, translation)
                    for job, translation in zip(jobs, translations, strict=True)
                )
        return results

    def _answer_from_cache(self, jobs: list[_Job], results: list[str]) -> list[_Job]:
        """Fill ``results`` from the cache; returns the jobs still to translate."""
        if self.cache is None:
            return jobs
        cached = self.cache.get_many([(job.context, job.text) for job in jobs])
        remaining = []
        for job, translation in zip(jobs, cached, strict=True):
            if translation is None:
                remaining.append(job)
            else:
                results[job.index] = translation
        self._count(cache_hits=len(jobs) - len(remaining))
        return remaining

    def _translate_jobs(self, jobs: list[_Job], hops: list[Pair]) -> list[str]:
        self._count(texts_translated=len(jobs))
        # First attempt: whole sentences with placeholders, so the model sees the context.
        attempts = self._translate_texts([job.masked.text for job in jobs], hops, jobs)
        translations: list[str | None] = [
            job.masked.restore(attempt) for job, attempt in zip(jobs, attempts, strict=True)
        ]
        # A placeholder was lost or doubled: translate the pieces between the spans instead
        # and put the spans back verbatim. Slightly worse sentences, but nothing is lost.
        failed = [i for i, translation in enumerate(translations) if translation is None]
        if failed:
            pieces = [piece for i in failed for piece in jobs[i].masked.pieces]
            translated_pieces = iter(self._translate_texts(pieces, hops))
            for i in failed:
                masked = jobs[i].masked
                translations[i] = masked.join([next(translated_pieces) for _ in masked.pieces])
            logger.debug("Placeholders lost in %d of %d texts", len(failed), len(jobs))
        return [translation or "" for translation in translations]  # all filled in by now

    def _translate_texts(
        self, texts: list[str], hops: list[Pair], jobs: list[_Job] | None = None
    ) -> list[str]:
        """Translate each text sentence by sentence; whitespace between sentences is kept."""
        layouts: list[list[tuple[int, int]]] = []
        unique: dict[str, int] = {}
        for number, text in enumerate(texts):
            masked = jobs[number].masked if jobs else None
            spans = [
                span
                for span in sentence_spans(text)
                if _worth_translating(text[span[0] : span[1]], masked)
            ]
            layouts.append(spans)
            for start, end in spans:
                unique.setdefault(text[start:end], len(unique))

        sentences = list(unique)
        for hop in hops:
            if not sentences:
                break
            sentences = self._translate_hop(hop, sentences)
        translated = dict(zip(unique, sentences, strict=True))

        results = []
        for text, spans in zip(texts, layouts, strict=True):
            parts, position = [], 0
            for start, end in spans:
                parts += [text[position:start], translated[text[start:end]]]
                position = end
            parts.append(text[position:])
            results.append("".join(parts))
        return results

    def _translate_hop(self, pair: Pair, sentences: list[str]) -> list[str]:
        model = self._model(pair)
        package = model.usable.package
        tokens = [model.usable.tokenizer.encode(sentence) for sentence in sentences]
        target_prefix = [[package.target_prefix]] * len(tokens) if package.target_prefix else None
        results = model.translator.translate_batch(
            tokens,
            target_prefix=target_prefix,
            beam_size=self.beam_size,
            max_batch_size=MAX_BATCH_SIZE,
            length_penalty=LENGTH_PENALTY,
            replace_unknowns=True,
        )
        self._count(model_calls=1, sentences_translated=len(sentences))
        return [_decode(model.usable, result.hypotheses[0]) for result in results]

    # -- models ------------------------------------------------------------------------

    def _model(self, pair: Pair) -> _LoadedModel:
        """The loaded model of ``pair``, loading it (and unloading the oldest) if needed."""
        with self._lock:
            model = self._fresh_model(pair)
            if model is not None:
                return model
            load_lock = self._load_locks.setdefault(pair, threading.Lock())
        # Loading takes a moment: other pairs keep translating meanwhile, and two threads
        # wanting the same model load it once.
        with load_lock:
            with self._lock:
                model = self._fresh_model(pair)
                usable = self._installed().get(pair)
            if model is not None:
                return model
            if usable is None:  # removed by a refresh since the route was chosen
                raise TranslationUnavailable(*pair)
            model = _LoadedModel(usable, self._load(usable.package))
            with self._lock:
                self._models[pair] = model
                self._models.move_to_end(pair)
                while len(self._models) > self.max_loaded_models:
                    # A thread still translating with it keeps its own reference; the memory
                    # is freed when it is done.
                    unloaded, _ = self._models.popitem(last=False)
                    logger.info("Unloaded translation model %s->%s", *unloaded)
            _release_freed_memory()
            return model

    def _fresh_model(self, pair: Pair) -> _LoadedModel | None:
        model = self._models.get(pair)
        if model is None or model.usable != self._installed().get(pair):
            return None
        self._models.move_to_end(pair)
        return model

    def _load(self, package: InstalledPackage) -> Any:
        import ctranslate2

        started = time.perf_counter()
        translator = ctranslate2.Translator(
            str(package.path / "model"),
            device="cpu",
            compute_type=_compute_type(),
            inter_threads=1,
            intra_threads=self.threads,
        )
        logger.info(
            "Loaded translation model %s->%s (version %s) in %.2f s",
            package.from_code,
            package.to_code,
            package.version,
            time.perf_counter() - started,
        )
        return translator

    # -- helpers -----------------------------------------------------------------------

    def _installed(self) -> dict[Pair, _Usable]:
        with self._lock:
            if self._packages is None:
                self._packages = _scan(self.packages_dir)
            return self._packages

    def _route_context(self, hops: list[Pair]) -> str:
        installed = self._installed()
        versions = ",".join(f"{a}-{b}@{installed[(a, b)].package.version}" for a, b in hops)
        return f"r{PIPELINE_REVISION}|{versions}|beam{self.beam_size}"

    def _count(self, **increments: int) -> None:
        with self._lock:
            current = self._stats
            self._stats = TranslatorStats(
                **{
                    name: getattr(current, name) + increments.get(name, 0)
                    for name in TranslatorStats.__dataclass_fields__
                }
            )


def _code(code: str) -> str:
    return code.strip().lower()


def _worth_translating(sentence: str, masked: Masked | None) -> bool:
    # Numbers, emoji, punctuation and lone placeholders ("XKQ0.") stay as they are.
    if masked is not None:
        sentence = masked.without_placeholders(sentence)
    return any(char.isalpha() for char in sentence)


def _decode(usable: _Usable, tokens: list[str]) -> str:
    # As argostranslate: drop the target prefix and the space the tokenizer puts in front.
    value = usable.tokenizer.decode(tokens)
    prefix = usable.package.target_prefix
    if prefix and value.startswith(prefix):
        value = value[len(prefix) :]
    return value[1:] if value.startswith(" ") else value


def _release_freed_memory() -> None:
    """Give memory freed by CTranslate2 back to the operating system (glibc only).

    Each model decodes on its own worker thread, and glibc keeps what a thread
    frees in that thread's arena: without this, every loaded model would hold
    on to its largest decoding buffers (20-40 MB) for good. Takes about 1 ms.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None


@functools.lru_cache(maxsize=1)
def _compute_type() -> str:
    import ctranslate2

    # int8 halves the memory of a float model and is what Argos packages ship.
    return "int8" if "int8" in ctranslate2.get_supported_compute_types("cpu") else "default"


def _scan(packages_dir: Path) -> dict[Pair, _Usable]:
    """The packages Argos can read in ``packages_dir``; the newest version wins per pair."""
    found: dict[Pair, _Usable] = {}
    packages = installed_packages(packages_dir)
    if not packages:
        return found
    argos_package = import_argos_package()
    for package in packages:
        try:
            tokenizer = getattr(argos_package.Package(package.path), "tokenizer", None)
        except Exception as exc:  # Argos raises plain exceptions for broken metadata
            logger.warning("Ignoring translation package %s: %s", package.path.name, exc)
            continue
        if tokenizer is None or not (package.path / "model").is_dir():
            logger.warning(
                "Ignoring translation package %s: no model or tokenizer", package.path.name
            )
            continue
        existing = found.get(package.pair)
        if existing is None or version_key(package.version) > version_key(existing.package.version):
            found[package.pair] = _Usable(package, tokenizer)
    return found


# -- the process's translator ----------------------------------------------------------

_translator: Translator | None = None
_translator_lock = threading.Lock()


def translator_from_settings(
    settings: Settings, cache: TranslationCache | None = None
) -> Translator:
    """A translator over the installed packages, tuned as ``settings`` say.

    Without ``cache`` (``welcome content translate``): the prepared files are
    the cache of build-time translations, and hundreds of answer texts need
    neither the chat's cache nor a database (e.g. while a Docker image is built).
    """
    return Translator(
        settings.packages_dir,
        max_loaded_models=settings.translation_max_models,
        beam_size=settings.translation_beam_size,
        threads=settings.translation_threads,
        cache=cache,
    )


def get_translator() -> Translator:
    """The process-wide translator: settings from :func:`bot.settings.get_settings`,
    the persistent cache in the assistant's database."""
    global _translator
    with _translator_lock:
        if _translator is None:
            from bot.settings import get_settings
            from bot.translation.cache import TranslationCache

            settings = get_settings()
            _translator = translator_from_settings(
                settings,
                TranslationCache(
                    settings.database_url, max_age_days=settings.translation_cache_days
                ),
            )
        return _translator


def reset_translator() -> None:
    """Forget the process-wide translator (tests; settings changed)."""
    global _translator
    with _translator_lock:
        _translator = None
