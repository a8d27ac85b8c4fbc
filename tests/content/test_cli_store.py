"""``welcome content export|import`` through the real command line entry point."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.store import ContentStore
from bot.settings import get_settings
from tests.content.conftest import REAL_DIR
from tests.helpers.databases import POSTGRES_URL, database_backends, empty_database


@pytest.fixture(params=database_backends())
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    with empty_database(request.param, tmp_path, POSTGRES_URL) as url:
        monkeypatch.setenv("WELCOME_DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


def files_in(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.yml"))}


def test_import_then_export_gives_back_the_files(database_url, tmp_path, capsys):
    assert main(["content", "import", "--dir", str(REAL_DIR), "--publish"]) == 0
    out = capsys.readouterr().out
    assert "Published as version 1" in out

    assert main(["content", "export", "--dir", str(tmp_path / "out")]) == 0
    assert main(["content", "export", "--dir", str(tmp_path / "live"), "--published"]) == 0
    assert files_in(tmp_path / "out") == files_in(REAL_DIR)
    assert files_in(tmp_path / "live") == files_in(REAL_DIR)


def test_import_of_a_broken_folder_names_the_field_and_changes_nothing(
    database_url, mini_dir, edit, capsys
):
    edit(mini_dir / "offers.yml", '"+49 000 0000000"', "12ab")
    assert main(["content", "import", "--dir", str(mini_dir), "--publish"]) == 1
    out = capsys.readouterr().out
    assert (
        "offers.yml: entry 'kurs-sindelfingen' field 'contact.phone': not a phone number ('12ab')"
        in out
    )
    assert "Nothing was imported." in out
    with ContentStore(database_url) as store:
        assert store.is_empty()


def test_import_of_a_missing_folder_fails(database_url, tmp_path, capsys):
    assert main(["content", "import", "--dir", str(tmp_path / "nope")]) == 1
    assert "content directory not found" in capsys.readouterr().out


def test_export_of_a_published_version_before_any_publication(database_url, tmp_path, capsys):
    assert main(["content", "export", "--dir", str(tmp_path / "out"), "--published"]) == 1
    assert "Nothing is published yet" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_unreachable_database_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WELCOME_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/nothing")
    get_settings.cache_clear()
    try:
        assert main(["content", "export", "--dir", str(tmp_path / "out")]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "database" in err and "127.0.0.1" in err
    assert "secret" not in err


def test_a_fresh_store_takes_the_files_once(database_url, mini_dir, edit):
    main(["content", "export", "--dir", str(mini_dir.parent / "unused")])  # migrates
    with ContentStore(database_url) as store:
        assert store.seed(REAL_DIR)
        assert store.draft_texts() == {
            name: data.decode("utf-8") for name, data in files_in(REAL_DIR).items()
        }
        # Later starts keep what staff edited.
        assert not store.seed(mini_dir)
        assert store.publications() == []
