"""Fixtures for the content tests: the real data/content and a small test set."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import Content, ContentError, load_content
from bot.settings import PROJECT_ROOT

REAL_DIR = PROJECT_ROOT / "data" / "content"
MINI_DIR = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="session")
def real_content() -> Content:
    return load_content(REAL_DIR)


@pytest.fixture(scope="session")
def mini() -> Content:
    return load_content(MINI_DIR)


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A writable copy of the small test content set."""
    target = tmp_path / "content"
    shutil.copytree(MINI_DIR, target)
    return target


@pytest.fixture
def real_dir(tmp_path: Path) -> Path:
    """A writable copy of the real content."""
    target = tmp_path / "real"
    shutil.copytree(REAL_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _issues_of(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(directory)
    return [str(issue) for issue in caught.value.issues]


@pytest.fixture
def edit():
    """edit(path, old, new): replace ``old`` (must occur exactly once) in a content file."""
    return _edit


@pytest.fixture
def issues_of():
    """issues_of(directory): the issue lines load_content reports (it must fail)."""
    return _issues_of
