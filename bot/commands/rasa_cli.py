"""``python -m bot.commands.rasa_cli ARGS``: Rasa's own command line, without the noise.

``welcome train`` and ``welcome run`` start Rasa through this module (and the
action server through ``python -m actions``, which shares it). Rasa 3.6
prints dozens of warnings a reader cannot act on: deprecation notices of
libraries it pins, and validation notes that are wrong for this project
(each listed below with the reason). They are filtered exactly, through
Rasa's own list of expected warnings, so any other warning still shows.
The log level of both servers is ``WELCOME_LOG_LEVEL``.
"""

from __future__ import annotations

import re
import sys
import warnings

import yaml

from bot.forms import DOMAIN_DIR, forms_in_domain_files
from bot.settings import PROJECT_ROOT

ACTIONS_DIR = PROJECT_ROOT / "actions"

# Responses the custom actions send (dispatcher.utter_message(response=...)):
# Rasa's validator sees only stories and rules, and calls them unused.
_RESPONSE_NAME = re.compile(r"[\"'](utter_[a-z0-9_]+)[\"']")

KNOWN_WARNINGS: tuple[tuple[type[Warning], str], ...] = (
    # Set by bot.nlu.translation.RestoreOriginalText for a language without a
    # model; never trained, on purpose.
    (
        UserWarning,
        re.escape("The intent 'language_unavailable' is listed in the domain file, but is not "),
    ),
    # Set by bot.nlu.faq.FaqMatcher from the staff's FAQ at parse time; never
    # trained, so that a published FAQ needs no training.
    (UserWarning, re.escape("The intent 'faq' is listed in the domain file, but is not ")),
    # RegexEntityExtractor reads the lookup tables (use_lookup_tables: true).
    (UserWarning, re.escape("You have defined training data consisting of lookup tables, but ")),
    # Entities come from RegexEntityExtractor and EntitySynonymMapper; the
    # annotated examples teach them their synonyms.
    (UserWarning, re.escape("You have defined training data consisting of entity examples, but ")),
)


def responses_sent_by_actions() -> list[str]:
    """The ``utter_*`` names in the action code."""
    names = set()
    for path in ACTIONS_DIR.glob("*.py"):
        names.update(_RESPONSE_NAME.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


def responses_forms_ask() -> list[str]:
    """The questions forms send themselves: ``utter_ask_<slot>`` and ``utter_ask_<form>_<slot>``.

    Any slot of the domain counts, not only the listed required slots: the
    validation actions add questions at run time (the way out of a form).
    """
    slots: set[str] = set()
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        slots.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("slots") or {})
    forms = forms_in_domain_files()
    return sorted(
        {f"utter_ask_{slot}" for slot in slots}
        | {f"utter_ask_{form}_{slot}" for form in forms for slot in slots}
    )


def expected_warnings() -> list[tuple[type[Warning], str]]:
    """What Rasa should not print: the known warnings, and "unused" for responses in use."""
    unused = [
        (UserWarning, re.escape(f"The utterance '{name}' is not used in any story or rule."))
        for name in sorted({*responses_sent_by_actions(), *responses_forms_ask()})
    ]
    return [*KNOWN_WARNINGS, *unused]


def quiet_library_deprecations() -> None:
    """Silence deprecation notices raised inside installed libraries (only those).

    A filter would not do: some libraries Rasa imports (aiogram) reset the
    filters for deprecation warnings whenever they warn themselves.
    """
    show = warnings.showwarning

    def quiet(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
        if issubclass(category, DeprecationWarning | PendingDeprecationWarning) and (
            "site-packages" in str(filename)
        ):
            return
        show(message, category, filename, lineno, file, line)

    warnings.showwarning = quiet


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    quiet_library_deprecations()
    from rasa.utils import common

    common.EXPECTED_WARNINGS.extend(expected_warnings())
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
