"""Installing and removing Argos translation packages (``welcome languages``).

A package is a zip file (``.argosmodel``) holding one folder with
``metadata.json``, a CTranslate2 model in ``model/`` and a tokenizer. Each one
is checked completely before the installed set changes, extracted into a hidden
folder inside the packages folder and then renamed into place, so a running
server never sees half a package. One package per language pair is kept: a new
one replaces the old one.

This is the only module that talks to the network, and only when an operator
runs ``welcome languages install`` without ``--from-file``. It does not use
argostranslate's own download code, which retries forever when offline.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import http.client
import json
import logging
import re
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from bot.languages import get_languages, language_info
from bot.translation.packages import (
    PIVOT_LANGUAGE,
    STAFF_LANGUAGE,
    InstalledPackage,
    installed_packages,
    version_key,
)

log = logging.getLogger(__name__)

PACKAGE_SUFFIX = ".argosmodel"
TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")
DOWNLOAD_ATTEMPTS = 3
CHUNK_BYTES = 1 << 20
LOCK_FILE = ".install.lock"

# Hidden names are never read as packages (see installed_packages); the engine
# must skip them too while an install is running.
STAGING_PREFIX = ".install-"
DOWNLOAD_PREFIX = ".download-"
TRASH_PREFIX = ".remove-"

Progress = Callable[[str], None]
T = TypeVar("T")


class InstallError(Exception):
    """A package could not be installed; the message says which file and why."""


@dataclass(frozen=True)
class _CheckedFile:
    """A package file that passed every check, not extracted yet."""

    path: Path
    top_folder: str
    from_code: str
    to_code: str
    package_version: str

    @property
    def pair(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)


# --------------------------------------------------------------------------- checking


def _unsafe_member(name: str) -> str | None:
    """Why a zip member name could write outside the extraction folder (zip slip)."""
    if "\\" in name or "\x00" in name:
        return "a backslash or NUL in the name"
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in path.parts:
        return "'..' in the path"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return (mode & 0o170000) == 0o120000


def check_package_file(path: Path) -> _CheckedFile:
    """Check a ``.argosmodel`` file without extracting it; raise InstallError if broken."""
    where = str(path)
    if not path.is_file():
        raise InstallError(f"{where}: no such file")
    if not zipfile.is_zipfile(path):
        raise InstallError(f"{where}: not an Argos package (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = [info.filename for info in members]
            for info in members:
                reason = _unsafe_member(info.filename)
                if reason:
                    raise InstallError(
                        f"{where}: refused, the archive entry {info.filename!r} has {reason}"
                    )
                if _is_symlink(info):
                    raise InstallError(
                        f"{where}: refused, the archive entry {info.filename!r} is a symbolic link"
                    )
            parts = [PurePosixPath(name).parts for name in names if name.strip("/")]
            tops = {entry[0] for entry in parts}
            loose_files = [name for name in names if "/" not in name]
            if len(tops) != 1 or loose_files:
                raise InstallError(
                    f"{where}: not an Argos package (it must hold exactly one top-level folder, "
                    f"found {', '.join(sorted(tops)) or 'nothing'})"
                )
            top = tops.pop()
            metadata = _read_metadata(archive, f"{top}/metadata.json", where)
            if not any(name.startswith(f"{top}/model/") for name in names):
                raise InstallError(f"{where}: not an Argos package (no model/ folder)")
            if f"{top}/model/model.bin" not in names:
                raise InstallError(f"{where}: broken Argos package (model/model.bin is missing)")
            if not any(f"{top}/{tokenizer}" in names for tokenizer in TOKENIZER_FILES):
                raise InstallError(
                    f"{where}: not an Argos package (no tokenizer: "
                    f"{' or '.join(TOKENIZER_FILES)} is missing)"
                )
            bad = archive.testzip()
            if bad is not None:
                raise InstallError(f"{where}: damaged archive (bad checksum for {bad!r})")
    except zipfile.BadZipFile as error:
        raise InstallError(f"{where}: damaged archive ({error})") from None
    return _CheckedFile(
        path=path,
        top_folder=top,
        from_code=metadata["from_code"],
        to_code=metadata["to_code"],
        package_version=metadata["package_version"],
    )


def _read_metadata(archive: zipfile.ZipFile, name: str, where: str) -> dict[str, str]:
    try:
        raw = archive.read(name)
    except KeyError:
        raise InstallError(f"{where}: not an Argos package (metadata.json is missing)") from None
    try:
        metadata = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InstallError(f"{where}: metadata.json is not valid JSON ({error})") from None
    if not isinstance(metadata, dict):
        raise InstallError(f"{where}: metadata.json is not a JSON object")
    for field in ("from_code", "to_code", "package_version"):
        value = metadata.get(field)
        if not isinstance(value, str | int | float) or not str(value).strip():
            raise InstallError(f"{where}: metadata.json has no {field}")
    package_type = metadata.get("type", "translate")
    if package_type != "translate":
        raise InstallError(
            f"{where}: a {package_type!r} package, not a translation model (type 'translate')"
        )
    codes = {field: str(metadata[field]).strip() for field in ("from_code", "to_code")}
    for field, code in codes.items():
        if not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?", code):
            raise InstallError(f"{where}: metadata.json has an invalid {field} {code!r}")
    return {**codes, "package_version": str(metadata["package_version"]).strip()}


def _package_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == PACKAGE_SUFFIX and p.is_file())
        if not files:
            raise InstallError(f"{path}: no {PACKAGE_SUFFIX} files in this folder")
        return files
    if not path.exists():
        raise InstallError(f"{path}: no such file or folder")
    return [path]


# --------------------------------------------------------------------------- installing


def install_from_file(
    path: Path,
    packages_dir: Path,
    *,
    only_pairs: Iterable[tuple[str, str]] | None = None,
    progress: Progress | None = None,
) -> list[InstalledPackage]:
    """Install one ``.argosmodel`` file or every one in a folder, fully offline.

    Every file is checked before anything is installed: one broken file leaves
    the installed packages as they were. Where a folder holds several versions of
    a pair, the newest is installed.

    Args:
        path: A package file or a folder of them.
        packages_dir: The folder of installed packages (created if missing).
        only_pairs: Install only packages of these (from_code, to_code) pairs.
        progress: Called with one line of text per step, for the command line.
    """
    packages_dir.mkdir(parents=True, exist_ok=True)
    with _install_lock(packages_dir):
        _clean_leftovers(packages_dir)
        return _install_files(Path(path), packages_dir, only_pairs, progress)


def _install_files(
    path: Path,
    packages_dir: Path,
    only_pairs: Iterable[tuple[str, str]] | None,
    progress: Progress | None,
) -> list[InstalledPackage]:
    """install_from_file, with the install lock held."""
    report = progress or (lambda _line: None)
    checked = [check_package_file(file) for file in _package_files(path)]
    if only_pairs is not None:
        wanted = set(only_pairs)
        checked = [item for item in checked if item.pair in wanted]
    newest: dict[tuple[str, str], _CheckedFile] = {}
    for item in checked:
        current = newest.get(item.pair)
        if current is None or version_key(item.package_version) > version_key(
            current.package_version
        ):
            newest[item.pair] = item
    staged = []
    try:
        for item in newest.values():
            report(f"installing {item.path.name} ({item.from_code} -> {item.to_code})")
            staged.append((item, _stage(item, packages_dir)))
        return [_put_in_place(item, folder, packages_dir) for item, folder in staged]
    finally:
        for _item, folder in staged:
            shutil.rmtree(folder.parent, ignore_errors=True)


def _stage(item: _CheckedFile, packages_dir: Path) -> Path:
    """Extract into a hidden folder of ``packages_dir`` and let Argos read it."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=packages_dir))
    try:
        with zipfile.ZipFile(item.path) as archive:
            for info in archive.infolist():
                # The names were checked for zip slip in check_package_file.
                archive.extract(info, staging)
        folder = staging / item.top_folder
        _check_with_argos(folder, item)
    except InstallError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except (OSError, zipfile.BadZipFile) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise InstallError(f"{item.path}: could not extract ({error})") from None
    return folder


def _check_with_argos(folder: Path, item: _CheckedFile) -> None:
    import ctranslate2

    from bot.translation.argos import import_argos_package

    package_module = import_argos_package()
    try:
        package = package_module.Package(folder)
    except Exception as error:  # Argos raises plain Exceptions of many kinds
        raise InstallError(f"{item.path}: Argos Translate cannot read it ({error})") from None
    if getattr(package, "tokenizer", None) is None:
        raise InstallError(f"{item.path}: Argos Translate found no tokenizer in it")
    if not ctranslate2.contains_model(str(folder / "model")):
        raise InstallError(f"{item.path}: model/ is not a CTranslate2 model")


def _folder_name(item: _CheckedFile) -> str:
    version = re.sub(r"[^0-9A-Za-z]+", "_", item.package_version)
    return f"translate-{item.from_code}_{item.to_code}-{version}"


def _put_in_place(item: _CheckedFile, staged: Path, packages_dir: Path) -> InstalledPackage:
    """Rename the staged folder into place, then retire older packages of the pair.

    Renames within one folder are atomic: a scan sees the old package, both, or
    the new one, never a half-written one.
    """
    old = [package for package in installed_packages(packages_dir) if package.pair == item.pair]
    target = packages_dir / _folder_name(item)
    if target.exists():  # the same version again: retire it first
        _retire(target, packages_dir)
    staged.rename(target)
    for package in old:
        if package.path != target and package.path.exists():
            _retire(package.path, packages_dir)
    replaced = max((p.version for p in old), key=version_key, default=None)
    log.info("installed %s -> %s %s", item.from_code, item.to_code, item.package_version)
    return InstalledPackage(
        from_code=item.from_code,
        to_code=item.to_code,
        version=item.package_version,
        path=target,
        replaced_version=replaced,
    )


def _retire(folder: Path, packages_dir: Path) -> None:
    trash = Path(tempfile.mkdtemp(prefix=TRASH_PREFIX, dir=packages_dir))
    folder.rename(trash / folder.name)
    shutil.rmtree(trash, ignore_errors=True)


@contextlib.contextmanager
def _install_lock(packages_dir: Path) -> Iterator[None]:
    """One install or removal at a time per packages folder (across processes)."""
    with open(packages_dir / LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- languages


def model_code(language: str) -> str:
    """The Argos code of one of our language codes; InstallError if there is none."""
    info = language_info(language)
    if info is None:
        known = ", ".join(sorted(get_languages()))
        raise InstallError(f"unknown language code {language!r}; known codes: {known}")
    if not info.argos_code:
        raise InstallError(
            f"no translation model exists for {info.english_name} ({info.code}); "
            "the assistant offers these users a second language and an interpreter"
        )
    return info.argos_code


def pairs_for_languages(languages: Iterable[str]) -> list[tuple[str, str]]:
    """The pairs that serve these languages: each to and from English, and German<->English.

    Every language code is checked before any pair is returned.
    """
    codes = [model_code(language.strip().lower()) for language in languages]
    pairs: list[tuple[str, str]] = []
    for code in [STAFF_LANGUAGE, *codes]:
        if code == PIVOT_LANGUAGE:
            continue
        for pair in ((code, PIVOT_LANGUAGE), (PIVOT_LANGUAGE, code)):
            if pair not in pairs:
                pairs.append(pair)
    return pairs


# --------------------------------------------------------------------------- the index


def install_from_index(
    languages: list[str],
    packages_dir: Path,
    index_url: str,
    *,
    timeout: float = 30,
    attempts: int = DOWNLOAD_ATTEMPTS,
    retry_delay: float = 2.0,
    progress: Progress | None = None,
) -> list[InstalledPackage]:
    """Download and install the packages for ``languages`` from the Argos package index.

    Installs each language to and from English, plus German<->English (staff
    read German; German reaches other languages through English). Pairs already
    installed in the same or a newer version are not downloaded again. All
    files are downloaded and checked before any is installed.
    """
    report = progress or (lambda _line: None)
    pairs = pairs_for_languages(languages)
    report(f"reading the Argos package index at {index_url}")
    entries = _read_index(index_url, timeout=timeout, attempts=attempts, retry_delay=retry_delay)
    chosen = {pair: _newest_entry(entries, pair, index_url) for pair in pairs}

    packages_dir.mkdir(parents=True, exist_ok=True)
    with _install_lock(packages_dir):
        current = {package.pair: package for package in installed_packages(packages_dir)}
        unchanged = []
        to_download = {}
        for pair, entry in chosen.items():
            installed = current.get(pair)
            if installed and version_key(installed.version) >= version_key(
                str(entry["package_version"])
            ):
                unchanged.append(dataclasses.replace(installed, unchanged=True))
            else:
                to_download[pair] = entry
        if not to_download:
            return unchanged
        _clean_leftovers(packages_dir)
        # Inside packages_dir: same file system as the packages, and cleaned up
        # by the next install if this one is killed.
        downloads = Path(tempfile.mkdtemp(prefix=DOWNLOAD_PREFIX, dir=packages_dir))
        try:
            for (from_code, to_code), entry in to_download.items():
                report(f"downloading {from_code} -> {to_code} {entry['package_version']}")
                _download(
                    entry,
                    downloads / f"translate-{from_code}_{to_code}{PACKAGE_SUFFIX}",
                    timeout=timeout,
                    attempts=attempts,
                    retry_delay=retry_delay,
                )
            installed = _install_files(downloads, packages_dir, to_download, progress)
        finally:
            shutil.rmtree(downloads, ignore_errors=True)
    return unchanged + installed


def _read_index(
    index_url: str, *, timeout: float, attempts: int, retry_delay: float
) -> list[dict[str, Any]]:
    try:
        data = _fetch(index_url, timeout=timeout, attempts=attempts, retry_delay=retry_delay)
    except _FetchError as error:
        raise InstallError(
            f"could not reach the Argos package index at {index_url}: {error}. "
            "Without internet, copy .argosmodel files to this server and run "
            "`welcome languages install --from-file PATH`."
        ) from None
    try:
        entries = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InstallError(f"the Argos package index at {index_url} is not valid JSON") from None
    if not isinstance(entries, list):
        raise InstallError(f"the Argos package index at {index_url} is not a list of packages")
    return [entry for entry in entries if isinstance(entry, dict)]


def _newest_entry(
    entries: list[dict[str, Any]], pair: tuple[str, str], index_url: str
) -> dict[str, Any]:
    matching = [
        entry
        for entry in entries
        if (entry.get("from_code"), entry.get("to_code")) == pair
        and entry.get("type", "translate") == "translate"
        and entry.get("package_version") is not None
        and _http_links(entry)
    ]
    if not matching:
        raise InstallError(
            f"the Argos package index at {index_url} has no package for {pair[0]} -> {pair[1]}"
        )
    return max(matching, key=lambda entry: version_key(str(entry["package_version"])))


def _http_links(entry: dict[str, Any]) -> list[str]:
    # The index also lists ipfs:// links, which urllib cannot fetch.
    links = entry.get("links") or []
    return [
        link for link in links if isinstance(link, str) and link.startswith(("http://", "https://"))
    ]


class _FetchError(Exception):
    pass


def _open(url: str, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": "willkommenslotse"})
    return urllib.request.urlopen(request, timeout=timeout)


def _fetch(url: str, *, timeout: float, attempts: int, retry_delay: float) -> bytes:
    """GET ``url`` into memory (the index is small)."""

    def read(url: str) -> bytes:
        with _open(url, timeout) as response:
            return response.read()

    return _with_retries(url, read, attempts=attempts, retry_delay=retry_delay)


def _download(
    entry: dict[str, Any], target: Path, *, timeout: float, attempts: int, retry_delay: float
) -> None:
    """Stream a package to ``target``, trying each of its links in turn."""
    failures = []
    for url in _http_links(entry):
        try:
            _with_retries(
                url,
                lambda url: _stream(url, target, timeout=timeout),
                attempts=attempts,
                retry_delay=retry_delay,
            )
            return
        except _FetchError as error:
            failures.append(f"{url}: {error}")
    target.unlink(missing_ok=True)
    name = f"{entry.get('from_code')} -> {entry.get('to_code')}"
    raise InstallError(f"could not download the package {name}: {'; '.join(failures)}")


def _with_retries(url: str, action: Callable[[str], T], *, attempts: int, retry_delay: float) -> T:
    """``action(url)``, tried up to ``attempts`` times while the failure may pass."""
    for attempt in range(1, attempts + 1):
        try:
            return action(url)
        except urllib.error.HTTPError as error:
            reason = f"HTTP {error.code} {error.reason}"
            may_pass = error.code >= 500 or error.code == 429
        except urllib.error.URLError as error:
            reason = str(error.reason)
            # Nothing listens there, or the name does not resolve: offline, and trying
            # again in a few seconds will not change that.
            may_pass = not isinstance(error.reason, ConnectionRefusedError | socket.gaierror)
        except (OSError, http.client.HTTPException) as error:
            # Dropped connections, timeouts while reading, cut-short downloads.
            reason = str(error) or type(error).__name__
            may_pass = True
        if not may_pass or attempt == attempts:
            raise _FetchError(reason)
        log.info("retrying %s after: %s", url, reason)
        time.sleep(retry_delay * attempt)
    raise _FetchError("no attempt made")


def _stream(url: str, target: Path, *, timeout: float) -> None:
    with _open(url, timeout) as response, open(target, "wb") as out:
        expected = response.headers.get("Content-Length")
        written = 0
        while chunk := response.read(CHUNK_BYTES):
            out.write(chunk)
            written += len(chunk)
    if expected is not None and expected.isdigit() and written != int(expected):
        raise OSError(f"download cut short ({written} of {expected} bytes)")


# --------------------------------------------------------------------------- removing


def remove(languages: list[str], packages_dir: Path) -> list[InstalledPackage]:
    """Remove the packages to and from English of ``languages``.

    German<->English stays unless German itself is named: other languages of the
    staff reach German through it.
    """
    codes = set()
    for language in languages:
        code = model_code(language.strip().lower())
        if code == PIVOT_LANGUAGE:
            raise InstallError(
                "English is the pivot of every translation; remove the other languages instead"
            )
        codes.add(code)
    if not packages_dir.is_dir():
        return []
    removed = []
    with _install_lock(packages_dir):
        for package in installed_packages(packages_dir):
            if {package.from_code, package.to_code} & codes:
                _retire(package.path, packages_dir)
                removed.append(package)
    return removed


def _clean_leftovers(packages_dir: Path) -> None:
    """Delete the hidden folders of an install that was killed (the lock is held)."""
    for folder in packages_dir.iterdir():
        if folder.is_dir() and folder.name.startswith(
            (STAGING_PREFIX, DOWNLOAD_PREFIX, TRASH_PREFIX)
        ):
            shutil.rmtree(folder, ignore_errors=True)
