"""argostranslate's folders for a test session, set before anything imports it.

argostranslate reads its folders once, when first imported, and creates them
at once; importing it here, through :func:`import_argos_package`, keeps it out
of ``~/.local`` and ``var/`` whichever test imports it first.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from bot.translation.argos import import_argos_package

ARGOS_HOME = Path(tempfile.mkdtemp(prefix="welcome-argos-"))
atexit.register(shutil.rmtree, ARGOS_HOME, ignore_errors=True)
#: argostranslate's own packages folder for this test session (install_from_path writes here).
ARGOS_PACKAGES_DIR = ARGOS_HOME / "packages"
#: XDG folders the caller set (they win over ours); import_argos_package puts them back.
XDG_BEFORE = {
    name: os.environ.get(name) for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
}
import_argos_package(ARGOS_PACKAGES_DIR, home=ARGOS_HOME / "home")
