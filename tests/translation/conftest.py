"""Fixtures for the translation tests: real (tiny) Argos packages built in a temporary folder.

argostranslate reads its folders once, when first imported, and creates them
at once; importing it here, through :func:`import_argos_package`, before any
test module can, keeps it out of ``~/.local`` and ``var/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.translation.cache import TranslationCache
from bot.translation.engine import Translator
from tests.helpers.argos_home import ARGOS_HOME, ARGOS_PACKAGES_DIR, XDG_BEFORE  # noqa: F401
from tests.helpers.argos_packages import build_argos_package
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database

#: Names of offices and places that must survive translation (as in data/content).
OFFICE_TERMS = (
    "Welcome Center Region Stuttgart",
    "Bundesamt für Migration und Flüchtlinge (BAMF)",
    "Landratsamt Böblingen",
    "Böblingen",
    "Sindelfingen",
    "Weil der Stadt",
)

InstallPackage = Callable[..., Path]


@pytest.fixture
def packages_dir(tmp_path: Path) -> Path:
    """An empty packages folder (like ``var/translation/packages``)."""
    folder = tmp_path / "packages"
    folder.mkdir()
    return folder


@pytest.fixture
def install_package(packages_dir: Path) -> InstallPackage:
    """``install_package("de", "en", version="1.0", seed=0)`` puts a tiny package in place."""

    def install(from_code: str, to_code: str, **options) -> Path:
        return build_argos_package(packages_dir, from_code, to_code, **options)

    return install


@pytest.fixture
def official_pairs(install_package: InstallPackage) -> None:
    """German only with English, the other languages via English (as in the Argos index)."""
    for pair in [
        ("de", "en"),
        ("en", "de"),
        ("en", "ro"),
        ("ro", "en"),
        ("en", "fr"),
        ("fr", "en"),
    ]:
        install_package(*pair)


@pytest.fixture
def translator(packages_dir: Path, official_pairs: None) -> Translator:
    """A translator without cache over de<->en, en<->ro, en<->fr."""
    return Translator(packages_dir)


@pytest.fixture(params=database_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: SQLite, and PostgreSQL in a schema of its own when
    WELCOME_TEST_DATABASE_URL is set (dropped afterwards)."""
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        yield url


@pytest.fixture
def cache(database_url: str) -> Iterator[TranslationCache]:
    """A persistent cache on a migrated database."""
    translation_cache = TranslationCache(database_url)
    translation_cache.migrate()
    yield translation_cache
    translation_cache.close()
