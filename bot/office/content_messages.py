"""The content check's problems in German, for the office.

The loader (:mod:`bot.content.loader`) reports each problem in English for
``welcome content check`` and the developers, with a ``code`` and its details
(``params``). The office's staff read German: this catalogue says the same
in German. A problem without an entry here keeps its English text (rare
ones: they still name the field).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.content.models import ContentIssue
from bot.language_names import display_name


def _language(code: str) -> str:
    name = display_name(code, "de") if code else ""
    return f"{name} ({code})" if name and name != code else f"„{code}“"


def _hint(issue: ContentIssue) -> str:
    suggestion = issue.param("suggestion")
    if suggestion:
        return f" Meinten Sie „{suggestion}“?"
    allowed = issue.param("allowed")
    return f" Möglich: {allowed}." if allowed else ""


#: code -> German message from the issue's details.
MESSAGES: dict[str, Callable[[ContentIssue], str]] = {
    "file_missing": lambda i: "Die Datei fehlt.",
    "no_directory": lambda i: "Der Inhaltsordner wurde nicht gefunden.",
    "not_utf8": lambda i: "Die Datei ist kein UTF-8-Text.",
    "not_text": lambda i: "Die Datei ist kein Text.",
    "file_empty": lambda i: "Die Datei ist leer.",
    "yaml_syntax": lambda i: (
        "YAML-Syntaxfehler"
        + (f" in Zeile {i.param('line')}, Spalte {i.param('column')}" if i.param("line") else "")
        + f": {i.param('problem')}"
    ),
    "key_twice": lambda i: (
        f"Dieses Feld steht zweimal in der Datei (Zeile {i.param('line')}); bitte eines entfernen."
    ),
    "expected_mapping": lambda i: "Hier werden Felder erwartet (Name: Wert).",
    "unknown_field": lambda i: f"Unbekanntes Feld „{i.param('value')}“.{_hint(i)}",
    "missing_field": lambda i: "Pflichtfeld: bitte ausfüllen.",
    "no_value": lambda i: "Pflichtfeld: bitte ausfüllen.",
    "expected_entries": lambda i: "Hier wird eine Liste von Einträgen erwartet.",
    "duplicate_id": lambda i: (
        f"Die Kennung „{i.param('value')}“ gibt es schon ({i.param('other')}). "
        "Jede Kennung darf nur einmal vorkommen."
    ),
    "expected_text": lambda i: "Hier wird ein Text erwartet.",
    "empty_text": lambda i: "Der Text ist leer.",
    "invalid_id": lambda i: (
        f"„{i.param('value')}“ ist keine gültige Kennung: nur Kleinbuchstaben a-z, Ziffern, "
        "„-“ und „_“, ohne Leerzeichen und Umlaute (z. B. „vhs-herrenberg“)."
    ),
    "expected_boolean": lambda i: "Bitte ja oder nein wählen.",
    "expected_age": lambda i: "Bitte ein Alter in ganzen Jahren angeben.",
    "age_out_of_range": lambda i: f"Das Alter {i.param('value')} ist nicht möglich (0 bis 120).",
    "expected_list": lambda i: "Hier wird eine Liste erwartet.",
    "expected_localized": lambda i: "Hier werden Texte je Sprache erwartet (Deutsch, Englisch …).",
    "missing_text": lambda i: (
        f"Der Text auf {_language(i.param('language'))} fehlt (Deutsch und Englisch sind Pflicht)."
    ),
    "unknown_language": lambda i: f"Unbekannte Sprache „{i.param('value')}“.{_hint(i)}",
    "expected_keywords": lambda i: "Hier werden Stichwörter je Sprache erwartet.",
    "keyword_problem": lambda i: (
        f"Das Stichwort „{i.param('value')}“ ist nicht verwendbar: leer, ohne Buchstaben "
        "oder mit „*“ mitten im Wort (nur am Wortanfang oder -ende erlaubt)."
    ),
    "missing_keywords": lambda i: (
        f"Stichwörter auf {_language(i.param('language'))} fehlen "
        "(alle 7 Sprachen werden gebraucht, um getippte Antworten zu verstehen)."
    ),
    "expected_examples": lambda i: "Hier werden Beispielfragen je Sprache erwartet.",
    "example_elsewhere": lambda i: (
        f"Die Beispielfrage „{i.param('value')}“ gehört schon zum Eintrag „{i.param('other')}“."
    ),
    "few_examples": lambda i: (
        f"Mindestens {i.param('needed')} deutsche Beispielfragen nötig (bisher {i.param('count')})."
    ),
    "phone_quotes": lambda i: 'Die Telefonnummer bitte in Anführungszeichen ("...") schreiben.',
    "invalid_phone": lambda i: (
        f"„{i.param('value')}“ ist keine Telefonnummer (nur Ziffern, Leerzeichen, +, /, -, "
        "Klammern; 6 bis 15 Ziffern)."
    ),
    "invalid_email": lambda i: f"„{i.param('value')}“ ist keine E-Mail-Adresse.",
    "invalid_url": lambda i: (
        f"„{i.param('value')}“ ist keine Webadresse; sie muss mit https:// beginnen."
    ),
    "all_and_list": lambda i: "Entweder „Ganzer Landkreis“ oder einzelne Orte, nicht beides.",
    "no_municipalities": lambda i: "Bitte „Ganzer Landkreis“ oder mindestens einen Ort wählen.",
    "listed_twice": lambda i: f"„{i.param('value')}“ steht zweimal in der Liste.",
    "unknown_municipality": lambda i: (
        f"Unbekannter Ort „{i.param('value')}“."
        + (
            f" Meinten Sie „{i.param('suggestion')}“? Bitte den amtlichen Namen verwenden."
            if i.param("suggestion")
            else " Die 26 Orte stehen unter „Orte“."
        )
    ),
    "unknown_topic": lambda i: f"Unbekanntes Thema „{i.param('value')}“.{_hint(i)}",
    "no_topic": lambda i: "Mindestens ein Thema wählen.",
    "unknown_field_ref": lambda i: f"Unbekanntes Berufsfeld „{i.param('value')}“.{_hint(i)}",
    "review_both": lambda i: (
        f"{_language(i.param('language'))} steht zugleich als „zu prüfen“ und als „geprüft“."
    ),
    "review_unmarked": lambda i: (
        f"Texte auf {_language(i.param('language'))} sind nicht als „zu prüfen“ oder "
        "„geprüft“ vermerkt."
    ),
    "ambiguous_spelling": lambda i: (
        f"„{i.param('value')}“ ist nicht eindeutig: So heißt auch „{i.param('other')}“."
    ),
}


def german_message(issue: ContentIssue) -> str:
    """The issue's message in German (its English text if the catalogue lacks it)."""
    render = MESSAGES.get(issue.code)
    if render is None:
        return issue.message
    try:
        return render(issue)
    except Exception:  # noqa: BLE001 - a catalogue slip must not hide the problem
        return issue.message


def german_issue(issue: ContentIssue) -> str:
    """The issue with where it is, in German: "offers.yml, Eintrag „x“, Feld „y“: ..."."""
    where = [issue.file]
    if issue.entry is not None:
        where.append(f"Eintrag „{issue.entry}“")
    if issue.field is not None:
        where.append(f"Feld „{issue.field}“")
    return f"{', '.join(where)}: {german_message(issue)}"
