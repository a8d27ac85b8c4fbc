"""Installed Argos packages as the folder holds them: one model for the installer and the engine.

A package is a folder in the packages folder with ``metadata.json``, a
CTranslate2 model in ``model/`` and a tokenizer. Reading what is installed
needs the metadata only: cheap, no model loaded, and safe while an install is
running (its staging and trash folders are hidden, and skipped here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

PIVOT_LANGUAGE = "en"
"""Every language reaches every other through English (the Argos index pairs
German only with English)."""

STAFF_LANGUAGE = "de"
"""The coordination office reads and writes German."""

Pair = tuple[str, str]


@dataclass(frozen=True)
class InstalledPackage:
    """One installed package (or one an install just put in place or left as it was).

    Attributes:
        from_code, to_code: Argos language codes of the pair.
        version: the package's ``package_version``.
        path: its folder.
        target_prefix: a token the model's output starts with (multilingual models).
        replaced_version: after an install, the version it replaced.
        unchanged: after an install, the same or a newer version was there already.
    """

    from_code: str
    to_code: str
    version: str
    path: Path
    target_prefix: str = ""
    replaced_version: str | None = None
    unchanged: bool = False

    @property
    def pair(self) -> Pair:
        return (self.from_code, self.to_code)

    @property
    def package_version(self) -> str:
        """Argos' name for :attr:`version`."""
        return self.version

    def describe(self) -> str:
        text = f"{self.from_code} -> {self.to_code} {self.version}"
        if self.unchanged:
            return f"{text} (already installed)"
        if self.replaced_version == self.version:
            return f"{text} (reinstalled)"
        if self.replaced_version is not None:
            return f"{text} (replaced {self.replaced_version})"
        return text


def version_key(version: str) -> tuple[int, Any]:
    """Sort key for package versions ("1.9" < "1.10"); unparsable ones sort first."""
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def read_package(folder: Path) -> InstalledPackage | None:
    """The package in ``folder`` from its ``metadata.json``; ``None`` if it is not one."""
    if folder.name.startswith(".") or not folder.is_dir():
        return None  # hidden: the installer's staging and trash areas
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(metadata, dict) or metadata.get("type", "translate") != "translate":
        return None
    from_code, to_code = metadata.get("from_code"), metadata.get("to_code")
    if not isinstance(from_code, str) or not isinstance(to_code, str):
        return None
    return InstalledPackage(
        from_code=from_code,
        to_code=to_code,
        version=str(metadata.get("package_version") or "0"),
        path=folder,
        target_prefix=str(metadata.get("target_prefix") or ""),
    )


def installed_packages(packages_dir: Path) -> list[InstalledPackage]:
    """Every package folder in ``packages_dir``, in folder-name order."""
    if not packages_dir.is_dir():
        return []
    found = (read_package(folder) for folder in sorted(packages_dir.iterdir()))
    return [package for package in found if package is not None]


def installed_pairs(packages_dir: Path) -> set[Pair]:
    return {package.pair for package in installed_packages(packages_dir)}


def newest(packages: list[InstalledPackage]) -> dict[Pair, InstalledPackage]:
    """The newest version of each pair."""
    chosen: dict[Pair, InstalledPackage] = {}
    for package in packages:
        current = chosen.get(package.pair)
        if current is None or version_key(package.version) > version_key(current.version):
            chosen[package.pair] = package
    return chosen
