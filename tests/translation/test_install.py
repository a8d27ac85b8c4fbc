"""Installing translation models: from files (offline servers) and from the Argos index.

The packages are real (tiny) Argos packages built by the tests; the index is a
real HTTP server on 127.0.0.1. What an operator notices is checked: which
models end up installed, that a broken file or a dead network leaves the
installed models as they were, the error messages, and that the engine can
translate with what was installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest

from bot.commands import languages as languages_command
from bot.settings import get_settings
from bot.translation.install import (
    InstallError,
    install_from_file,
    install_from_index,
    installed_packages,
    remove,
)
from tests.helpers.argos_packages import build_argosmodel_file
from tests.helpers.fake_argos_index import FakeArgosIndex, unused_local_url

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def package_files(tmp_path_factory) -> dict[tuple[str, str, str], Path]:
    """Built once per module: (from, to, version) -> .argosmodel file."""
    folder = tmp_path_factory.mktemp("argosmodels")
    files = {}
    for from_code, to_code, version in [
        ("de", "en", "1.0"),
        ("en", "de", "1.0"),
        ("ro", "en", "1.9"),
        ("en", "ro", "1.9"),
        ("pl", "en", "1.9"),
        ("en", "pl", "1.9"),
        ("de", "en", "1.9"),
    ]:
        name = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}.argosmodel"
        files[(from_code, to_code, version)] = build_argosmodel_file(
            folder / name, from_code, to_code, version=version
        )
    return files


@pytest.fixture
def packages_dir(tmp_path) -> Path:
    return tmp_path / "translation" / "packages"


def copy_files(files, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        (folder / file.name).write_bytes(file.read_bytes())
    return folder


def snapshot(packages_dir: Path) -> dict[str, str]:
    """Every file under packages_dir (hidden ones too) with a hash of its content."""
    if not packages_dir.exists():
        return {}
    return {
        str(path.relative_to(packages_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(packages_dir.rglob("*"))
        if path.is_file() and path.name != ".install.lock"
    }


def pairs_with_versions(packages_dir: Path) -> set[tuple[str, str, str]]:
    return {
        (package.from_code, package.to_code, package.package_version)
        for package in installed_packages(packages_dir)
    }


def translator_for(packages_dir: Path):
    from bot.translation import Translator

    return Translator(packages_dir)


def rezip(source: Path, target: Path, *, drop=(), add=None) -> Path:
    """A copy of an .argosmodel without the entries ending in ``drop``, plus ``add``."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            if not any(info.filename.endswith(suffix) for suffix in drop):
                copy.writestr(info, original.read(info))
        for name, data in (add or {}).items():
            copy.writestr(name, data)
    return target


# --------------------------------------------------------------------------- from files


def test_a_file_and_a_folder_install_packages_the_engine_can_use(
    package_files, packages_dir, tmp_path
):
    installed = install_from_file(package_files[("de", "en", "1.0")], packages_dir)
    assert [(p.from_code, p.to_code, p.package_version) for p in installed] == [("de", "en", "1.0")]

    folder = copy_files(
        [
            package_files[key]
            for key in [("en", "de", "1.0"), ("ro", "en", "1.9"), ("en", "ro", "1.9")]
        ],
        tmp_path / "usb-stick",
    )
    install_from_file(folder, packages_dir)

    assert pairs_with_versions(packages_dir) == {
        ("de", "en", "1.0"),
        ("en", "de", "1.0"),
        ("ro", "en", "1.9"),
        ("en", "ro", "1.9"),
    }
    # Only the package folders remain: no staging folder, no copy of the zip files.
    assert sorted(p.name for p in packages_dir.iterdir() if p.name != ".install.lock") == [
        "translate-de_en-1_0",
        "translate-en_de-1_0",
        "translate-en_ro-1_9",
        "translate-ro_en-1_9",
    ]
    translator = translator_for(packages_dir)
    assert translator.can_translate("de", "ro")
    assert translator.can_translate("ro", "de")
    assert translator.translate("Wo finde ich einen Deutschkurs?", "de", "ro").strip()


def test_a_newer_version_replaces_the_old_one(package_files, packages_dir):
    install_from_file(package_files[("de", "en", "1.0")], packages_dir)

    [installed] = install_from_file(package_files[("de", "en", "1.9")], packages_dir)

    assert installed.replaced_version == "1.0"
    assert installed.describe() == "de -> en 1.9 (replaced 1.0)"
    assert pairs_with_versions(packages_dir) == {("de", "en", "1.9")}
    assert not (packages_dir / "translate-de_en-1_0").exists()


def test_a_folder_with_two_versions_of_a_pair_installs_the_newest(
    package_files, packages_dir, tmp_path
):
    folder = copy_files(
        [package_files[("de", "en", "1.9")], package_files[("de", "en", "1.0")]], tmp_path / "in"
    )
    install_from_file(folder, packages_dir)
    assert pairs_with_versions(packages_dir) == {("de", "en", "1.9")}


def _not_a_zip(source: Path, tmp_path: Path) -> Path:
    path = tmp_path / "broken.argosmodel"
    path.write_text("<html>404 Not Found</html>")
    return path


def _no_metadata(source: Path, tmp_path: Path) -> Path:
    return rezip(source, tmp_path / "no-metadata.argosmodel", drop=["metadata.json"])


def _zip_slip(source: Path, tmp_path: Path) -> Path:
    return rezip(source, tmp_path / "evil.argosmodel", add={"../../../escaped.txt": "gotcha"})


def _no_tokenizer(source: Path, tmp_path: Path) -> Path:
    return rezip(source, tmp_path / "no-tokenizer.argosmodel", drop=["sentencepiece.model"])


def _no_model(source: Path, tmp_path: Path) -> Path:
    return rezip(source, tmp_path / "no-model.argosmodel", drop=["model.bin", "config.json"])


def _two_folders(source: Path, tmp_path: Path) -> Path:
    return rezip(source, tmp_path / "two-folders.argosmodel", add={"other/README.md": "hi"})


def _metadata_without_codes(source: Path, tmp_path: Path) -> Path:
    with zipfile.ZipFile(source) as archive:
        name = next(n for n in archive.namelist() if n.endswith("/metadata.json"))
        metadata = json.loads(archive.read(name))
    del metadata["to_code"]
    return rezip(
        source,
        tmp_path / "no-to-code.argosmodel",
        drop=["metadata.json"],
        add={name: json.dumps(metadata)},
    )


@pytest.mark.parametrize(
    ("make_broken", "problem"),
    [
        (_not_a_zip, "not a zip archive"),
        (_no_metadata, "metadata.json is missing"),
        (_metadata_without_codes, "metadata.json has no to_code"),
        (_zip_slip, "'..' in the path"),
        (_no_tokenizer, "no tokenizer"),
        (_no_model, "model"),
        (_two_folders, "exactly one top-level folder"),
    ],
)
def test_a_broken_file_is_refused_and_the_installed_models_stay(
    package_files, packages_dir, tmp_path, make_broken, problem
):
    install_from_file(package_files[("de", "en", "1.0")], packages_dir)
    before = snapshot(packages_dir)
    work = tmp_path / "work"
    work.mkdir()
    broken = make_broken(package_files[("de", "en", "1.9")], work)

    with pytest.raises(InstallError) as error:
        install_from_file(broken, packages_dir)

    message = str(error.value)
    assert str(broken) in message
    assert problem in message
    assert snapshot(packages_dir) == before
    assert not list(tmp_path.rglob("escaped.txt"))


def test_one_broken_file_in_a_folder_installs_nothing(package_files, packages_dir, tmp_path):
    folder = copy_files(
        [package_files[("ro", "en", "1.9")], package_files[("en", "ro", "1.9")]], tmp_path / "in"
    )
    (folder / "truncated.argosmodel").write_bytes(
        package_files[("pl", "en", "1.9")].read_bytes()[:2000]
    )

    with pytest.raises(InstallError, match="truncated.argosmodel: not an Argos package"):
        install_from_file(folder, packages_dir)

    assert installed_packages(packages_dir) == []


def test_a_folder_without_packages_is_an_error(packages_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InstallError, match="no .argosmodel files in this folder"):
        install_from_file(tmp_path / "empty", packages_dir)


# --------------------------------------------------------------------------- from the index


@pytest.fixture
def index(package_files):
    with FakeArgosIndex() as server:
        for key, file in package_files.items():
            if key != ("de", "en", "1.0"):
                # The real index lists ipfs:// links too; they are skipped.
                server.add_package(file, extra_links=["ipfs://QmExample"])
        yield server


def test_install_from_the_index_brings_the_language_and_german_via_english(index, packages_dir):
    installed = install_from_index(["ro"], packages_dir, index.index_url, retry_delay=0)

    assert {p.pair for p in installed} == {("ro", "en"), ("en", "ro"), ("de", "en"), ("en", "de")}
    assert pairs_with_versions(packages_dir) == {
        ("ro", "en", "1.9"),
        ("en", "ro", "1.9"),
        ("de", "en", "1.9"),  # the newest of the two versions in the index
        ("en", "de", "1.0"),
    }
    assert index.requests[0] == "/index.json"
    assert "/packages/translate-pl_en-1_9.argosmodel" not in index.requests
    translator = translator_for(packages_dir)
    assert translator.can_translate("de", "ro")
    assert translator.can_translate("ro", "de")


def test_models_already_installed_are_not_downloaded_again(index, packages_dir):
    install_from_index(["ro"], packages_dir, index.index_url, retry_delay=0)
    index.requests.clear()

    again = install_from_index(["ro", "pl"], packages_dir, index.index_url, retry_delay=0)

    assert index.requests == [
        "/index.json",
        "/packages/translate-pl_en-1_9.argosmodel",
        "/packages/translate-en_pl-1_9.argosmodel",
    ]
    assert {p.pair for p in again if p.unchanged} == {
        ("ro", "en"),
        ("en", "ro"),
        ("de", "en"),
        ("en", "de"),
    }


def test_passing_server_errors_and_dropped_connections_are_retried(index, packages_dir):
    index.fail("/index.json", "500")
    index.fail("/packages/translate-ro_en-1_9.argosmodel", "drop")
    index.fail("/packages/translate-en_ro-1_9.argosmodel", "truncate")

    install_from_index(["ro"], packages_dir, index.index_url, retry_delay=0)

    assert ("ro", "en", "1.9") in pairs_with_versions(packages_dir)
    assert ("en", "ro", "1.9") in pairs_with_versions(packages_dir)
    assert index.requests.count("/index.json") == 2
    assert index.requests.count("/packages/translate-ro_en-1_9.argosmodel") == 2
    assert index.requests.count("/packages/translate-en_ro-1_9.argosmodel") == 2


def test_an_unreachable_index_is_a_clear_error_and_changes_nothing(package_files, packages_dir):
    install_from_file(package_files[("de", "en", "1.0")], packages_dir)
    before = snapshot(packages_dir)
    url = unused_local_url()

    with pytest.raises(InstallError) as error:
        install_from_index(["ro"], packages_dir, url, timeout=5, retry_delay=0)

    assert str(error.value).startswith(f"could not reach the Argos package index at {url}: ")
    assert "--from-file" in str(error.value)
    assert snapshot(packages_dir) == before


def test_an_index_that_keeps_failing_is_given_up_after_a_few_tries(index, packages_dir):
    index.fail("/index.json", "drop", times=None)

    with pytest.raises(InstallError, match="could not reach the Argos package index"):
        install_from_index(["ro"], packages_dir, index.index_url, attempts=3, retry_delay=0)

    assert index.requests == ["/index.json"] * 3


def test_a_failed_download_installs_none_of_the_packages(index, packages_dir):
    index.fail("/packages/translate-en_ro-1_9.argosmodel", "500", times=None)

    with pytest.raises(InstallError, match="could not download the package en -> ro"):
        install_from_index(["ro"], packages_dir, index.index_url, retry_delay=0)

    # ro -> en and de <-> en downloaded fine, but a half-served language is not installed.
    assert installed_packages(packages_dir) == []
    assert snapshot(packages_dir) == {}


def test_a_language_without_a_model_is_refused_before_any_download(index, packages_dir):
    with pytest.raises(InstallError, match=r"no translation model exists for Dari \(prs\)"):
        install_from_index(["ro", "prs"], packages_dir, index.index_url, retry_delay=0)
    assert index.requests == []


def test_an_unknown_language_code_lists_the_known_ones(index, packages_dir):
    with pytest.raises(InstallError) as error:
        install_from_index(["xx"], packages_dir, index.index_url, retry_delay=0)
    message = str(error.value)
    assert "unknown language code 'xx'" in message
    assert "ro" in message and "prs" in message and "ti" in message


def test_a_pair_missing_from_the_index_is_named(index, packages_dir):
    with pytest.raises(InstallError, match="has no package for fr -> en"):
        install_from_index(["fr"], packages_dir, index.index_url, retry_delay=0)
    assert installed_packages(packages_dir) == []


def test_remove_takes_a_language_out_and_keeps_german(index, packages_dir):
    install_from_index(["ro", "pl"], packages_dir, index.index_url, retry_delay=0)

    removed = remove(["ro"], packages_dir)

    assert {p.pair for p in removed} == {("ro", "en"), ("en", "ro")}
    assert {(f, t) for f, t, _v in pairs_with_versions(packages_dir)} == {
        ("de", "en"),
        ("en", "de"),
        ("pl", "en"),
        ("en", "pl"),
    }
    assert not translator_for(packages_dir).can_translate("de", "ro")


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def settings_in(tmp_path, monkeypatch):
    monkeypatch.setenv("WELCOME_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("WELCOME_TRANSLATION_DIR", str(tmp_path / "translation"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def welcome_languages(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="welcome")
    subparsers = parser.add_subparsers(dest="command")
    languages_command.register(subparsers)
    args = parser.parse_args(["languages", *argv])
    return args.func(args)


def test_cli_install_from_files_then_list(package_files, settings_in, tmp_path, capsys):
    folder = copy_files(
        [package_files[key] for key in [("de", "en", "1.0"), ("en", "de", "1.0")]]
        + [package_files[("ro", "en", "1.9")], package_files[("en", "ro", "1.9")]],
        tmp_path / "models",
    )

    assert welcome_languages("install", "--from-file", str(folder)) == 0
    output = capsys.readouterr().out
    assert "installed ro -> en 1.9" in output
    assert "Romanian (ro): machine translation" in output
    assert "welcome content translate" in output

    assert welcome_languages("list") == 0
    lines = capsys.readouterr().out.splitlines()
    header, rows = columns(lines[0]), {}
    for line in lines[1:]:
        if line.strip() and not line.startswith("CURATED"):
            cells = dict(zip(header, columns(line), strict=True))
            rows[cells["CODE"]] = cells
    assert (
        rows["ro"]
        | {
            "NATIVE NLU": "no",
            "TO EN": "yes",
            "FROM EN": "yes",
            "STATUS": "machine translation",
        }
        == rows["ro"]
    )
    assert rows["pl"]["STATUS"] == "no model installed"
    assert rows["ti"]["LANGUAGE"] == "Tigrinya"
    assert rows["ti"]["STATUS"] == "no model exists"
    assert rows["de"] | {"NATIVE NLU": "yes", "STATUS": "native"} == rows["de"]
    # Curated answers: "written in the language / all answers".
    curated, total = map(int, rows["de"]["CURATED"].split("/"))
    assert 0 < curated <= total


def test_cli_install_of_a_language_without_a_model(settings_in, capsys):
    assert welcome_languages("install", "prs") == 1
    assert "no translation model exists for Dari (prs)" in capsys.readouterr().err


def test_cli_install_offline_points_to_from_file(settings_in, monkeypatch, capsys):
    monkeypatch.setenv("WELCOME_ARGOS_INDEX_URL", unused_local_url())
    get_settings.cache_clear()

    assert welcome_languages("install", "ro", "--timeout", "5") == 1

    error = capsys.readouterr().err
    assert "could not reach the Argos package index" in error
    assert "--from-file" in error
