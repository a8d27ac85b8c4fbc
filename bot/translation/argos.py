"""The one way to import argostranslate.

``argostranslate.settings`` reads ``ARGOS_*`` and ``XDG_*`` variables once, at
import, and creates folders under ``~/.local/share``, ``~/.config`` and
``~/.local/cache`` right away. So the variables are set before the first
import: packages in our packages folder, Argos' own folders in ``argos-home``
next to it, CPU only.

We only use ``argostranslate.package`` (metadata and tokenizers of installed
packages). Nothing here touches the network: no index update, no
``get_available_packages()`` (offline it retries forever), and not
``argostranslate.translate``, whose sentence splitters download models.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from pathlib import Path
from types import ModuleType

_lock = threading.Lock()


def argos_environment(packages_dir: Path, home: Path) -> dict[str, str]:
    """The variables argostranslate reads at import."""
    return {
        # ARGOS_PACKAGES_DIR is what 1.9+ reads; ARGOS_TRANSLATE_PACKAGE_DIR is the old name.
        "ARGOS_PACKAGES_DIR": str(packages_dir),
        "ARGOS_TRANSLATE_PACKAGE_DIR": str(packages_dir),
        "ARGOS_DEVICE_TYPE": "cpu",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }


def import_argos_package(
    packages_dir: Path | None = None, *, home: Path | None = None
) -> ModuleType:
    """Import and return ``argostranslate.package`` with our folders configured.

    By default the packages folder and ``<packages_dir>/../argos-home`` come
    from :func:`bot.settings.get_settings`; tests and benchmarks pass their
    own. Variables the caller already set are kept. The arguments only matter
    for the first import in a process: argostranslate cannot be reconfigured.
    """
    with _lock:
        module = sys.modules.get("argostranslate.package")
        if module is not None:
            return module
        if packages_dir is None or home is None:
            from bot.settings import get_settings

            settings_packages_dir = get_settings().packages_dir
            packages_dir = packages_dir or settings_packages_dir
            home = home or settings_packages_dir.parent / "argos-home"
        environment = argos_environment(Path(packages_dir), Path(home))
        # ARGOS_* stay set (only argostranslate reads them). XDG_* are put back after the
        # import: other libraries in the Rasa process read them too and should not start
        # writing their caches into our folder.
        xdg_before = {name: os.environ.get(name) for name in environment if name.startswith("XDG_")}
        for name, value in environment.items():
            os.environ.setdefault(name, value)
        try:
            module = importlib.import_module("argostranslate.package")
        finally:
            for name, value in xdg_before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        # argostranslate logs the texts it translates at INFO level; keep them out of our logs.
        logging.getLogger("argostranslate").setLevel(logging.WARNING)
        logging.getLogger("argostranslate.utils").setLevel(logging.WARNING)
        return module
