"""The forms' questions (required slots) for the action server.

Rasa 3.6 sends its whole domain with every call to the action server unless
``enable_selective_domain`` is set in ``endpoints.yml``. Ours is 205 KB, nearly
all of it response texts in seven languages, and encoding it was the largest
single cost of a turn (14 % of the Rasa server's CPU, measured with py-spy
under ``bench/load.py``). The actions need only the forms' required slots, so
``endpoints.yml`` switches the domain off (and the domain files mark the
``validate_*_form`` actions ``send_domain: false``, which Rasa would otherwise
send it anyway), and the action server reads the forms here from the model it
serves: the domain stored in ``models/welcome.tar.gz``, or,
before anything is trained, the domain files it will be trained from.
"""

from __future__ import annotations

import logging
import tarfile
import threading
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)

#: Where `rasa train` stores the domain inside the model archive.
MODEL_DOMAIN_MEMBER = "components/domain_provider/domain.yml"
DOMAIN_DIR = PROJECT_ROOT / "config" / "domain"
MODEL_FILE_NAME = "welcome.tar.gz"

_lock = threading.Lock()
_loaded: tuple[tuple[str, float] | None, dict[str, list[str]]] | None = None


def _yaml(text: str | bytes) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def _required_slots(forms: Any) -> dict[str, list[str]]:
    if not isinstance(forms, dict):
        return {}
    return {
        str(name): [str(slot) for slot in (form or {}).get("required_slots") or []]
        for name, form in forms.items()
    }


def forms_in_model(path: Path) -> dict[str, list[str]]:
    """Required slots per form, from a trained model archive."""
    with tarfile.open(path, mode="r:gz") as archive:
        member = archive.extractfile(MODEL_DOMAIN_MEMBER)
        if member is None:
            raise KeyError(MODEL_DOMAIN_MEMBER)
        domain = _yaml(member.read())
    return _required_slots((domain or {}).get("forms"))


def forms_in_domain_files(folder: Path = DOMAIN_DIR) -> dict[str, list[str]]:
    """Required slots per form, from the domain files (``config/domain``)."""
    forms: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yml")):
        forms.update(_required_slots((_yaml(path.read_text(encoding="utf-8")) or {}).get("forms")))
    return forms


def _model_file() -> tuple[Path, float] | None:
    path = get_settings().model_dir / MODEL_FILE_NAME
    try:
        return path, path.stat().st_mtime
    except OSError:
        return None


def served_forms() -> dict[str, list[str]]:
    """Required slots per form of the served model; re-read when the model changes."""
    global _loaded
    model = _model_file()
    key = (str(model[0]), model[1]) if model else None
    loaded = _loaded
    if loaded is not None and loaded[0] == key:
        return loaded[1]
    with _lock:
        if _loaded is not None and _loaded[0] == key:
            return _loaded[1]
        forms: dict[str, list[str]] | None = None
        if model is not None:
            try:
                forms = forms_in_model(model[0])
            except (OSError, KeyError, tarfile.TarError, yaml.YAMLError) as error:
                logger.warning(
                    "Cannot read the forms from the model %s (%s); using %s",
                    model[0],
                    error,
                    DOMAIN_DIR,
                )
        if forms is None:
            forms = forms_in_domain_files()
        _loaded = (key, forms)
        return forms


def form_required_slots(form: str | None, domain: dict[str, Any] | None = None) -> list[str]:
    """The slots ``form`` asks for, in order.

    ``domain`` is what Rasa sent with the call; it carries the forms only when
    selective domain is switched off, and then it wins.
    """
    forms = (domain or {}).get("forms")
    required = _required_slots(forms) if forms else served_forms()
    return list(required.get(form or "", []))
