"""The content files in the database: the working copy staff edit, and its publications.

::

    store = ContentStore(engine)
    texts = store.draft_texts()                      # file name -> YAML text
    store.save_draft("offers.yml", text, "m.mueller")  # ContentError names file/entry/field
    publication = store.publish("m.mueller")         # served within a second (get_content)
    store.republish(3, "m.mueller")                  # roll back: version 3 again, as a new one
    store.export_dir(Path("data/content"))           # the YAML files, byte for byte

The working copy starts as the latest publication, else the files in
``settings.content_dir``. Every save validates all files together with the
same checks as ``welcome content check``, so a publication always loads.
Texts are stored exactly as written (comments, line ends, order): an export
gives back the bytes of the import.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.content.catalog import Content
from bot.content.loader import FILES, MUNICIPALITIES, load_content_from_texts
from bot.content.models import ContentError, ContentIssue
from bot.content.status import (
    CURATED,
    MACHINE,
    SOURCE_LANGUAGE,
    SourceRecord,
    TextKey,
    TextStatus,
    changed_translations,
    curated_translations,
    localized_texts,
    parse,
    text_hash,
    text_statuses,
)
from bot.prepared import PreparedTranslations
from bot.settings import get_settings
from bot.store.db import make_engine
from bot.store.models import ContentFile, ContentPublication, ContentTextSource

files_table = ContentFile.__table__
publications_table = ContentPublication.__table__
sources_table = ContentTextSource.__table__

#: Publishing twice at the same moment: the second one takes the next number.
PUBLISH_ATTEMPTS = 3


@dataclass(frozen=True)
class Publication:
    """One published version of the content."""

    version: int
    published_at: datetime
    author: str
    changed_files: tuple[str, ...]
    needs_training: bool
    note: str = ""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_dir(path: Path | str) -> dict[str, str]:
    """The content files in ``path`` as stored: UTF-8 text with its line ends untouched.

    Raises :class:`ContentError` for a missing folder or file or a file that is not UTF-8.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise ContentError(
            [ContentIssue(str(directory), None, None, "content directory not found")]
        )
    texts: dict[str, str] = {}
    issues: list[ContentIssue] = []
    for name in FILES:
        file = directory / name
        if not file.is_file():
            issues.append(ContentIssue(name, None, None, f"file is missing ({file})"))
            continue
        try:
            texts[name] = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            issues.append(ContentIssue(name, None, None, f"not UTF-8 text ({exc.reason})"))
    if issues:
        raise ContentError(issues)
    return texts


def write_dir(path: Path | str, texts: Mapping[str, str]) -> list[Path]:
    """Write ``texts`` into ``path`` byte for byte (each file replaced at once)."""
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        target = directory / name
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(text.encode("utf-8"))
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def same_line_ends(text: str, previous: str | None) -> str:
    """``text`` with the line ends of ``previous``.

    Browsers send a form's text with CRLF line ends; a file kept with LF in
    git stays LF (an export would otherwise change every line).
    """
    if previous is not None and "\r\n" not in previous and "\r\n" in text:
        return text.replace("\r\n", "\n")
    return text


def town_spellings(content: Content) -> frozenset[tuple[str, str]]:
    """Every town name, alias and district: the NLU's town lookup must know each one.

    ``data/nlu/entities/municipalities.yml`` (the entity ``municipality``)
    lists the spellings of these towns; a change here needs that table updated
    and a new model trained.
    """
    return frozenset(
        (town.name, spelling)
        for town in content.municipalities
        for spelling in (town.name, *town.aliases, *town.districts)
    )


class ContentStore:
    """Drafts and publications of the content files (file name -> YAML text)."""

    def __init__(self, engine: Engine | str) -> None:
        """``engine``: one the caller owns (the office app's), or a database URL."""
        if isinstance(engine, str):
            self._engine = make_engine(engine)
            self._owns_engine = True
        else:
            self._engine = engine
            self._owns_engine = False
        # The texts this store last validated and their content: publishing and then
        # preparing its translations (bot.publishing) need the same content twice.
        self._last_loaded: tuple[dict[str, str], Content] | None = None

    def close(self) -> None:
        if self._owns_engine:
            self._engine.dispose()

    def __enter__(self) -> ContentStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the working copy

    def draft_texts(self) -> dict[str, str]:
        """File name -> YAML text of the working copy (each content file)."""
        with self._engine.connect() as connection:
            return self._draft(connection)

    def _draft(self, connection: Connection) -> dict[str, str]:
        rows = dict(connection.execute(sa.select(files_table.c.name, files_table.c.text)).all())
        if all(name in rows for name in FILES):
            return {name: rows[name] for name in FILES}
        base = self._base(connection)
        # A file the working copy does not have yet (a new kind of content) comes from
        # the latest publication, else the folder.
        return {
            name: rows[name] if name in rows else base[name]
            for name in FILES
            if name in rows or name in base
        }

    def _base(self, connection: Connection) -> dict[str, str]:
        latest = self._latest(connection)
        texts = dict(latest[1]) if latest else {}
        missing = [name for name in FILES if name not in texts]
        if missing:
            directory = get_settings().content_dir
            for name in missing:
                try:
                    texts[name] = (directory / name).read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
        return texts

    def save_draft(self, name: str, text: str, author: str) -> Content:
        """Replace one file of the working copy, if all files together still pass the check.

        Raises :class:`ContentError` naming file, entry and field of each problem;
        nothing is saved then. Translations that change are recorded as made from
        the current German (their status: awaiting review).
        """
        if name not in FILES:
            raise ContentError(
                [ContentIssue(name, None, None, f"not a content file ({', '.join(FILES)})")]
            )
        with self._engine.begin() as connection:
            texts = self._draft(connection)
            old = texts.get(name)
            text = same_line_ends(text, old)
            texts[name] = text
            content = self._load(texts)
            if old == text:
                return content
            # The first save copies the whole working copy in: later publications
            # must not change what an editor works on.
            stored = set(connection.execute(sa.select(files_table.c.name)).scalars())
            for other, other_text in texts.items():
                if other != name and other not in stored:
                    self._put_file(connection, other, other_text, author)
            self._put_file(connection, name, text, author)
            now = _now()
            for entry, field, code, german_hash in changed_translations(old, text):
                self._put_source(
                    connection, (name, entry, field, code), german_hash, reviewed=None, at=now
                )
        return content

    def _put_file(self, connection: Connection, name: str, text: str, author: str) -> None:
        values = {"text": text, "sha256": sha256(text), "updated_at": _now(), "updated_by": author}
        updated = connection.execute(
            files_table.update().where(files_table.c.name == name).values(**values)
        ).rowcount
        if not updated:
            connection.execute(files_table.insert().values(name=name, **values))

    def _put_source(
        self,
        connection: Connection,
        key: TextKey,
        german_hash: str,
        *,
        reviewed: str | None,
        at: datetime,
        origin: str = CURATED,
    ) -> None:
        file, entry, field, code = key
        match = (
            (sources_table.c.file == file)
            & (sources_table.c.entry == entry)
            & (sources_table.c.field == field)
            & (sources_table.c.language == code)
        )
        values = {
            "source_hash": german_hash,
            "origin": origin,
            "reviewed_by": reviewed,
            "reviewed_at": at if reviewed else None,
            "updated_at": at,
        }
        if not connection.execute(sources_table.update().where(match).values(**values)).rowcount:
            connection.execute(
                sources_table.insert().values(
                    file=file, entry=entry, field=field, language=code, **values
                )
            )

    # -- publishing

    def publish(self, author: str, note: str = "") -> Publication:
        """Publish the working copy as the next version (served within about a second)."""
        with self._engine.connect() as connection:
            texts = self._draft(connection)
        return self._publish(texts, author, note)

    def republish(self, version: int, author: str) -> Publication:
        """Roll back: publish version ``version``'s files again as a new version.

        The working copy becomes that version too, so the next publication
        builds on it. Raises KeyError for an unknown version.
        """
        texts = self.published_texts(version)
        publication = self._publish(
            texts, author, f"Version {version} wiederhergestellt", replace_draft=True
        )
        return publication

    def _publish(
        self, texts: dict[str, str], author: str, note: str, *, replace_draft: bool = False
    ) -> Publication:
        content = self._load(texts)
        for attempt in range(PUBLISH_ATTEMPTS):
            try:
                with self._engine.begin() as connection:
                    latest = self._latest(connection)
                    # Compared with what was served before: the last version, else the files.
                    previous = dict(latest[1]) if latest else self._base(connection)
                    version = (latest[0] if latest else 0) + 1
                    changed = tuple(
                        name
                        for name in FILES
                        if name in texts and previous.get(name) != texts[name]
                    )
                    publication = Publication(
                        version=version,
                        published_at=_now(),
                        author=author,
                        changed_files=changed,
                        needs_training=_needs_training(content, previous, texts),
                        note=note,
                    )
                    connection.execute(
                        publications_table.insert().values(
                            version=version,
                            published_at=publication.published_at,
                            published_by=author,
                            snapshot=dict(texts),
                            changed_files=list(changed),
                            needs_training=publication.needs_training,
                            note=note or None,
                        )
                    )
                    if replace_draft:
                        for name, text in texts.items():
                            self._put_file(connection, name, text, author)
                return publication
            except sa.exc.IntegrityError:
                # Someone published the same number a moment earlier: take the next one.
                if attempt == PUBLISH_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _latest(self, connection: Connection) -> tuple[int, dict[str, str]] | None:
        row = connection.execute(
            sa.select(publications_table.c.version, publications_table.c.snapshot)
            .order_by(publications_table.c.version.desc())
            .limit(1)
        ).first()
        return (row.version, dict(row.snapshot)) if row else None

    def unpublished_files(self) -> list[str]:
        """The files whose working copy differs from what is served (publication, else files)."""
        with self._engine.connect() as connection:
            draft = self._draft(connection)
            latest = self._latest(connection)
            served = dict(latest[1]) if latest else self._base(connection)
        return [name for name in FILES if name in draft and draft[name] != served.get(name)]

    def publications(self, limit: int = 50) -> list[Publication]:
        """The latest publications, newest first."""
        columns = publications_table.c
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    columns.version,
                    columns.published_at,
                    columns.published_by,
                    columns.changed_files,
                    columns.needs_training,
                    columns.note,
                )
                .order_by(columns.version.desc())
                .limit(limit)
            ).all()
        return [
            Publication(
                version=row.version,
                published_at=row.published_at,
                author=row.published_by,
                changed_files=tuple(row.changed_files or ()),
                needs_training=bool(row.needs_training),
                note=row.note or "",
            )
            for row in rows
        ]

    def published_content(self, version: int | None = None) -> Content:
        """The content of ``version`` (default: the latest; the files' if none is published).

        Raises KeyError for an unknown version, ContentError if it does not load.
        """
        texts = self.published_texts(version)
        if not texts:
            with self._engine.connect() as connection:
                texts = self._base(connection)
        return self._load(texts)

    def _load(self, texts: Mapping[str, str]) -> Content:
        """``load_content_from_texts``, remembering the last texts this store loaded."""
        last = self._last_loaded
        if last is not None and last[0] == texts:
            return last[1]
        content = load_content_from_texts(texts)
        self._last_loaded = (dict(texts), content)
        return content

    def published_texts(self, version: int | None = None) -> dict[str, str]:
        """File name -> YAML text of ``version`` (default: the latest; empty if none).

        Raises KeyError for an unknown version.
        """
        with self._engine.connect() as connection:
            if version is None:
                latest = self._latest(connection)
                return latest[1] if latest else {}
            snapshot = connection.execute(
                sa.select(publications_table.c.snapshot).where(
                    publications_table.c.version == version
                )
            ).scalar()
        if snapshot is None:
            raise KeyError(f"no published version {version}")
        return dict(snapshot)

    # -- files

    def import_dir(
        self, path: Path | str, author: str, publish: bool = False
    ) -> Publication | None:
        """Make the files in ``path`` the working copy (and publish them with ``publish``).

        All files are checked first; with a problem nothing changes
        (:class:`ContentError`). Every translation in them counts as made from
        the current German, reviewed where the file's review block says so.
        """
        texts = read_dir(path)
        load_content_from_texts(texts)
        now = _now()
        with self._engine.begin() as connection:
            for name, text in texts.items():
                self._put_file(connection, name, text, author)
                connection.execute(sources_table.delete().where(sources_table.c.file == name))
                for entry, field, code, german_hash, reviewed in curated_translations(text):
                    self._put_source(
                        connection,
                        (name, entry, field, code),
                        german_hash,
                        reviewed=author if reviewed else None,
                        at=now,
                    )
        return self.publish(author, note="Import") if publish else None

    def export_dir(self, path: Path | str, *, published: bool = False) -> list[Path]:
        """Write the working copy (or the latest publication) into ``path``, byte for byte."""
        texts = self.published_texts() if published else self.draft_texts()
        return write_dir(path, texts)

    def is_empty(self) -> bool:
        """Whether nothing was imported, saved or published yet."""
        with self._engine.connect() as connection:
            files = connection.execute(sa.select(sa.func.count()).select_from(files_table)).scalar()
            published = connection.execute(
                sa.select(sa.func.count()).select_from(publications_table)
            ).scalar()
        return not files and not published

    def seed(self, directory: Path | str, author: str = "system") -> bool:
        """Import the files in ``directory`` if the database has no content yet.

        For a fresh office: the editor shows the repository's content. Nothing
        is published: the assistant serves the same files until staff publish.
        Returns whether it imported; raises :class:`ContentError` for broken files.
        """
        if not self.is_empty():
            return False
        self.import_dir(directory, author)
        return True

    # -- translations' status

    def mark_origin(
        self,
        file: str,
        entry: str,
        field: str,
        language: str,
        origin: str,
        author: str | None = None,
    ) -> bool:
        """Record how the saved text ``(file, entry, field, language)`` was made.

        ``origin``: ``machine`` (the office's "maschinell übersetzen", saved by
        an editor; its status: machine translated until a native speaker
        reviews it) or ``curated``. The record is made from the working copy's
        current German. Returns False when the draft has no such text.
        ``author`` is accepted for the office's call; the file row already
        says who saved.
        """
        if origin not in (MACHINE, CURATED):
            raise ValueError(f"unknown origin {origin!r} (machine or curated)")
        if language == SOURCE_LANGUAGE:
            return False
        texts = self.draft_texts()
        if file not in texts:
            raise KeyError(f"no content file {file}")
        localized = localized_texts(parse(texts[file])).get((entry, field), {})
        german = localized.get(SOURCE_LANGUAGE)
        if not german or not localized.get(language):
            return False
        with self._engine.begin() as connection:
            self._put_source(
                connection,
                (file, entry, field, language),
                text_hash(german),
                reviewed=None,
                at=_now(),
                origin=origin,
            )
        return True

    def source_records(self) -> dict[TextKey, SourceRecord]:
        """(file, entry, field, language) -> the German its translation was made from."""
        with self._engine.connect() as connection:
            rows = connection.execute(sa.select(sources_table)).all()
        return {
            (row.file, row.entry, row.field, row.language): SourceRecord(
                row.source_hash, row.origin, row.reviewed_by, row.reviewed_at
            )
            for row in rows
        }

    def text_statuses(
        self,
        *,
        prepared: PreparedTranslations | None = None,
        languages: list[str] | None = None,
        published: bool = False,
    ) -> list[TextStatus]:
        """The status of every text of the working copy (or the latest publication)."""
        texts = self.published_texts() if published else self.draft_texts()
        return text_statuses(texts, self.source_records(), prepared=prepared, languages=languages)

    def mark_reviewed(self, file: str, entry: str, language: str, author: str) -> int:
        """A native speaker checked ``entry``'s texts in ``language`` against today's German.

        Returns how many texts were marked (0: the entry has no such texts).
        """
        if language == SOURCE_LANGUAGE:
            return 0  # German is the source: nothing to review against.
        texts = self.draft_texts()
        if file not in texts:
            raise KeyError(f"no content file {file}")
        now = _now()
        marked = 0
        with self._engine.begin() as connection:
            for (entry_id, field), localized in localized_texts(parse(texts[file])).items():
                german = localized.get(SOURCE_LANGUAGE)
                if entry_id != entry or not localized.get(language) or not german:
                    continue
                self._put_source(
                    connection,
                    (file, entry, field, language),
                    text_hash(german),
                    reviewed=author,
                    at=now,
                )
                marked += 1
        return marked


def _needs_training(
    content: Content, previous: Mapping[str, str], texts: Mapping[str, str]
) -> bool:
    """Whether the towns' spellings differ from the previous version (the NLU knows them)."""
    if texts.get(MUNICIPALITIES) == previous.get(MUNICIPALITIES):
        return False  # the spellings are all in municipalities.yml: no second load needed
    try:
        before = load_content_from_texts(previous)
    except ContentError:
        return True
    return town_spellings(content) != town_spellings(before)
