"""Editors change the assistant's content in the office (``/inhalte``) and publish it."""

from __future__ import annotations

import difflib
import re

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from bot.content import get_content
from bot.content.store import ContentStore
from bot.settings import PROJECT_ROOT
from tests.helpers.html_forms import filled, form_data
from tests.helpers.office import csrf_token

CONTENT_DIR = PROJECT_ROOT / "data" / "content"
OFFER = "/inhalte/offers/bamf-integrationskurs"
NEW_SUMMARY = "Im Kurs lernen Sie Deutsch. Der Kurs ist kostenlos für viele Menschen."
HARD_GERMAN = (
    "Die Inanspruchnahme der integrationsbezogenen Unterstützungsleistungen setzt die "
    "vorherige Beantragung einer entsprechenden Teilnahmeberechtigungsbescheinigung bei "
    "der zuständigen Ausländerbehörde beziehungsweise beim Bundesamt voraus."
)


def page(response) -> str:
    return response.get_data(as_text=True)


def entry_form(client: FlaskClient, url: str) -> MultiDict:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(page(response), "entry-form")


def submit(client: FlaskClient, url: str, data: MultiDict, action: str = "save"):
    data = MultiDict(data)
    data.setlist("action", [action])
    return client.post(url, data=data)


def post_button(client: FlaskClient, url: str, page_url: str = "/inhalte/"):
    """Press a button of ``page_url`` that posts to ``url``."""
    return client.post(url, data={"csrf_token": csrf_token(client.get(page_url))})


def statuses(store: ContentStore, entry: str, field: str) -> dict[str, str]:
    return {
        item.language: item.status
        for item in store.text_statuses()
        if item.entry == entry and item.field == field
    }


def test_an_edited_german_summary_is_saved_as_draft_and_its_translations_are_outdated(
    editor, store
):
    before = statuses(store, "bamf-integrationskurs", "summary")
    assert before["ar"] != "outdated"

    data = filled(entry_form(editor, OFFER), summary__de=NEW_SUMMARY)
    response = submit(editor, OFFER, data)

    assert response.status_code == 302
    assert "Im Kurs lernen Sie Deutsch." in store.draft_texts()["offers.yml"]
    after = statuses(store, "bamf-integrationskurs", "summary")
    assert {after[code] for code in ("ar", "uk", "tr", "fa", "ru")} == {"outdated"}
    shown = page(editor.get(OFFER))
    assert "veraltet" in shown and NEW_SUMMARY in shown
    # Newcomers still get the published text until "Veröffentlichen".
    assert "Der Kurs ist kostenlos" not in get_content().offers[0].summary.get("de")


def test_yaml_comments_and_untouched_entries_survive_an_edit(editor, store):
    original = store.draft_texts()["offers.yml"]

    data = filled(entry_form(editor, OFFER), summary__de=NEW_SUMMARY)
    submit(editor, OFFER, data)

    edited = store.draft_texts()["offers.yml"]
    removed = [
        line[1:]
        for line in difflib.ndiff(original.splitlines(), edited.splitlines())
        if line.startswith("- ")
    ]
    # Only the German summary's lines changed; every comment and every other entry is as it was.
    assert removed and all(
        line.startswith("      de:") or line.startswith("        ") for line in removed
    )
    assert len(removed) <= 5
    for comment in (line for line in original.splitlines() if line.lstrip().startswith("#")):
        assert comment in edited.splitlines()


def test_a_broken_entry_is_refused_naming_the_field_and_keeps_what_was_typed(editor, store):
    before = store.draft_texts()["offers.yml"]
    data = filled(
        entry_form(editor, OFFER),
        title__de="",
        contact__email="kurs at bamf",
        summary__de=NEW_SUMMARY,
    )

    response = submit(editor, OFFER, data)

    assert response.status_code == 422
    shown = page(response)
    assert "Nicht gespeichert" in shown
    errors = form_data(shown, "entry-form")
    assert errors["contact.email"] == "kurs at bamf"
    assert errors["summary.de"] == NEW_SUMMARY
    # The message stands next to the field it names.
    assert 'id="field-contact-email-errors"' in shown
    email_errors = shown.split('id="field-contact-email-errors"')[1].split("</ul>")[0]
    assert "„kurs at bamf“ ist keine E-Mail-Adresse." in email_errors
    assert 'id="field-title-de-errors"' in shown
    assert store.draft_texts()["offers.yml"] == before


def test_an_editor_adds_an_faq_prefilled_from_an_unanswered_question(editor, store):
    question = "Wo bekomme ich einen Bibliotheksausweis?"
    form = entry_form(editor, f"/inhalte/faq/neu?frage={question}")
    assert form["examples.de"] == question

    data = filled(
        form,
        id="bibliotheksausweis",
        question__de=question,
        question__en="Where do I get a library card?",
        examples__de="\n".join(
            [question, "Bibliothek Ausweis beantragen", "wie werde ich mitglied in der bücherei"]
        ),
        examples__en="How do I get a library card?\nlibrary card",
        answer__de="Den Ausweis bekommen Sie in der Stadtbibliothek. Bringen Sie Ihren Pass mit.",
        answer__en="You get the card at the town library. Bring your passport.",
    )
    response = submit(editor, "/inhalte/faq/neu?bereich=faq", data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inhalte/faq/bibliotheksausweis")
    saved = store.draft_texts()["faq.yml"]
    assert "bibliotheksausweis" in saved and "Bibliothek Ausweis beantragen" in saved
    overview = page(editor.get("/inhalte/"))
    assert "/inhalte/faq/bibliotheksausweis" in overview


def test_publishing_makes_the_change_live_and_an_older_version_can_be_brought_back(editor, store):
    data = filled(entry_form(editor, OFFER), summary__de=NEW_SUMMARY)
    submit(editor, OFFER, data)
    assert "Nicht veröffentlichte Änderungen" in page(editor.get("/inhalte/"))

    response = post_button(editor, "/inhalte/veroeffentlichen")
    assert response.status_code == 302
    first = store.publications()[0]
    assert "offers.yml" in first.changed_files
    offer = next(o for o in get_content().offers if o.id == "bamf-integrationskurs")
    assert offer.summary.get("de") == NEW_SUMMARY

    second_text = "Im Kurs lernen Sie Deutsch und viel über Deutschland."
    submit(editor, OFFER, filled(entry_form(editor, OFFER), summary__de=second_text))
    post_button(editor, "/inhalte/veroeffentlichen")
    offer = next(o for o in get_content().offers if o.id == "bamf-integrationskurs")
    assert offer.summary.get("de") == second_text

    overview = page(editor.get("/inhalte/"))
    assert f'id="republish-{first.version}"' in overview
    post_button(editor, f"/inhalte/zurueckholen/{first.version}")

    offer = next(o for o in get_content().offers if o.id == "bamf-integrationskurs")
    assert offer.summary.get("de") == NEW_SUMMARY
    assert store.publications()[0].version == first.version + 2


def test_coordinators_may_not_edit_content(store, signed_in):
    coordinator = signed_in("coordinator")

    assert coordinator.get("/inhalte/").status_code == 403
    assert coordinator.get(OFFER).status_code == 403
    token = csrf_token(coordinator.get("/", follow_redirects=True))
    response = coordinator.post("/inhalte/veroeffentlichen", data={"csrf_token": token})
    assert response.status_code == 403
    assert store.publications() == []


def test_admins_may_edit_content(store, signed_in):
    assert signed_in("admin").get(OFFER).status_code == 200


def test_the_preview_shows_the_chat_answer_in_the_chosen_language(editor):
    arabic = page(editor.get(f"{OFFER}?vorschau=ar"))
    assert "في دورة الاندماج تتعلم اللغة الألمانية" in arabic
    assert 'dir="rtl"' in arabic

    # Romanian has no curated text and (here) no prepared translation: English, as in the chat.
    romanian = page(editor.get(f"{OFFER}?vorschau=ro"))
    assert "In an integration course you learn German." in romanian


def test_the_preview_of_an_unsaved_faq_answer_carries_the_unverified_note(editor):
    form = entry_form(editor, "/inhalte/faq/wohnsitz-anmelden")
    data = filled(form, answer__de="Melden Sie sich im Rathaus an.", preview_language="de")
    data.setlist("verified", [])

    shown = page(submit(editor, "/inhalte/faq/wohnsitz-anmelden", data, action="preview"))

    bubble = shown.split('id="preview-text"')[1].split("</div>")[0]
    assert "Melden Sie sich im Rathaus an." in bubble
    assert "Diese Angaben werden noch geprüft" in bubble


def test_machine_translating_a_hard_german_text_asks_first(editor, store):
    data = filled(entry_form(editor, OFFER), summary__de=HARD_GERMAN)
    before = store.draft_texts()["offers.yml"]

    shown = page(submit(editor, OFFER, data, action="translate:summary:ar"))

    assert "Der deutsche Text ist schwer verständlich (Flesch" in shown
    assert "Trotzdem übersetzen?" in shown
    kept = form_data(shown, "entry-form")
    assert kept["summary.de"] == HARD_GERMAN
    assert kept["summary.ar"].startswith("في دورة الاندماج")
    assert store.draft_texts()["offers.yml"] == before


def test_a_native_reviewer_marks_a_language_reviewed(editor, store):
    submit(editor, OFFER, filled(entry_form(editor, OFFER), summary__de=NEW_SUMMARY))
    assert statuses(store, "bamf-integrationskurs", "summary")["ar"] == "outdated"
    # The reviewer checks the Arabic text against the new German and confirms it.
    data = entry_form(editor, OFFER)
    response = editor.post(f"{OFFER}/geprueft/ar", data=data)

    assert response.status_code == 302
    assert statuses(store, "bamf-integrationskurs", "summary")["ar"] == "up_to_date"


def test_an_entry_is_deleted_after_confirmation(editor, store):
    confirm = page(editor.get(f"{OFFER}/loeschen"))
    assert "Eintrag löschen?" in confirm

    post_button(editor, f"{OFFER}/loeschen", f"{OFFER}/loeschen")

    assert "bamf-integrationskurs" not in store.draft_texts()["offers.yml"]
    assert editor.get(OFFER).status_code == 404


def test_a_new_town_spelling_needs_training_and_the_overview_says_so(editor, store):
    url = "/inhalte/municipalities/Ehningen"
    form = entry_form(editor, url)
    aliases = [alias for alias in form.get("aliases", "").split(",") if alias.strip()]
    submit(editor, url, filled(form, aliases=", ".join([*aliases, "Ehninga"])))
    assert "Ehninga" in store.draft_texts()["municipalities.yml"]

    post_button(editor, "/inhalte/veroeffentlichen")

    assert store.publications()[0].needs_training
    overview = page(editor.get("/inhalte/"))
    box = overview.split('id="training"')[1].split("Frühere Veröffentlichungen")[0]
    assert "Training nötig: neue Ortsnamen veröffentlicht." in box
    assert 'id="start-training"' in box


def test_hard_to_read_german_is_flagged_in_the_overview_and_the_editor(editor, store):
    submit(editor, OFFER, filled(entry_form(editor, OFFER), summary__de=HARD_GERMAN))

    row = page(editor.get("/inhalte/")).split('id="entry-offers-bamf-integrationskurs"')[1]
    assert "schwer verständlich: summary" in row.split("</tr>")[0]
    shown = page(editor.get(OFFER))
    hints = shown.split('id="field-summary-de-readability"')[1].split("</div>")[0]
    assert "schwer verständlich" in hints


def test_hard_to_read_texts_of_listed_entries_are_flagged_too(editor):
    # The Welcome Center's services ("Informationen zur Arbeitssuche in der Region
    # Stuttgart.") are short texts with long words: the hardest German of the content.
    overview = page(editor.get("/inhalte/"))
    row = overview.split('id="entry-welcome_center-welcome-center-region-stuttgart"')[1]
    assert "schwer verständlich: services[0].text" in row.split("</tr>")[0]
    shown = page(editor.get("/inhalte/welcome_center/welcome-center-region-stuttgart"))
    box = shown.split('id="field-services-0-text-de-readability"')[1].split("</div>")[0]
    assert "schwer verständlich" in box
    assert "Langes Wort" in box


def test_every_entry_of_every_file_opens_in_the_editor_with_its_preview(editor):
    overview = page(editor.get("/inhalte/"))
    links = sorted(set(re.findall(r'href="(/inhalte/[a-z_]+/[^"/?]+)"', overview)))
    entries = [link for link in links if not link.endswith("/neu")]
    assert len(entries) > 40

    for link in entries:
        response = editor.get(f"{link}?vorschau=de")
        assert response.status_code == 200, link
        assert 'id="preview"' in page(response), link


def test_saving_a_form_unchanged_leaves_every_file_byte_for_byte(editor, store):
    before = store.draft_texts()
    overview = page(editor.get("/inhalte/"))
    links = re.findall(r'href="(/inhalte/[a-z_]+/[^"/?]+)"', overview)
    first_per_file: dict[str, str] = {}
    for link in links:
        if not link.endswith("/neu"):
            first_per_file.setdefault(link.split("/")[2], link)
    # And the records with nested lists: the Welcome Center's services, the guidelines.
    entries = {*first_per_file.values(), "/inhalte/contacts/dolmetscher-pool"}
    assert len(first_per_file) == 7

    for link in sorted(entries):
        response = submit(editor, link, entry_form(editor, link))
        assert response.status_code == 302, (link, page(response)[:2000])

    assert store.draft_texts() == before
