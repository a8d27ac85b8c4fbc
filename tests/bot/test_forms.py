"""The forms' questions in the action server, which Rasa no longer sends the domain.

endpoints.yml sets ``enable_selective_domain``: Rasa calls the action server
with an empty domain, and the forms must still ask every question in order.
"""

from __future__ import annotations

import io
import logging
import os
import tarfile
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.core import ActionCancelForm
from actions.interpreter import ValidateInterpreterForm
from bot import forms
from bot.settings import PROJECT_ROOT, get_settings
from tests.actions.scenarios import form_turn, interpreter_slots, load_domain, tracker, user

INTERPRETER_QUESTIONS = [
    "interpreter_language",
    "interpreter_dialect",
    "appointment_date",
    "appointment_time",
    "appointment_kind",
    "appointment_place",
    "municipality",
    "interpreter_mode",
    "consent",
    "contact",
    "description",
    "interpreter_confirmed",
]


def test_rasa_sends_the_domain_to_no_action(monkeypatch) -> None:
    from rasa.core.utils import read_endpoints_from_path

    monkeypatch.setenv("WELCOME_ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    endpoints = read_endpoints_from_path(PROJECT_ROOT / "config" / "endpoints.yml")
    domain = Domain.load(str(forms.DOMAIN_DIR))

    assert endpoints.action.kwargs.get("enable_selective_domain") is True
    needing = [
        name
        for name in domain.user_actions
        if domain.does_custom_action_explicitly_need_domain(name)
    ]
    assert needing == []
    assert "validate_interpreter_form" in domain.user_actions


def write_model(path: Path, domain: Domain | dict) -> Path:
    """A model archive holding the domain where `rasa train` puts it."""
    text = domain.as_yaml() if isinstance(domain, Domain) else yaml.safe_dump(domain)
    data = text.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        member = tarfile.TarInfo(forms.MODEL_DOMAIN_MEMBER)
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    return path


@pytest.fixture
def model_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("WELCOME_MODEL_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_the_model_archive_holds_the_forms_of_the_domain_files(tmp_path) -> None:
    # Written by Rasa's own Domain.as_yaml, as `rasa train` stores it.
    model = write_model(tmp_path / "welcome.tar.gz", Domain.load(str(forms.DOMAIN_DIR)))

    from_model = forms.forms_in_model(model)

    assert from_model == forms.forms_in_domain_files()
    assert from_model["interpreter_form"] == INTERPRETER_QUESTIONS
    assert set(from_model) == {"offers_form", "interpreter_form", "internship_form", "handoff_form"}


def test_the_served_model_is_read_again_after_training(model_dir) -> None:
    model = write_model(
        model_dir / forms.MODEL_FILE_NAME,
        {"forms": {"offers_form": {"required_slots": ["offer_topic", "municipality"]}}},
    )
    assert forms.form_required_slots("offers_form") == ["offer_topic", "municipality"]

    write_model(model, {"forms": {"offers_form": {"required_slots": ["municipality"]}}})
    later = model.stat().st_mtime + 5
    os.utime(model, (later, later))

    assert forms.form_required_slots("offers_form") == ["municipality"]
    assert forms.form_required_slots("no_such_form") == []


def test_without_a_model_the_domain_files_are_used(model_dir) -> None:
    assert forms.form_required_slots("interpreter_form") == INTERPRETER_QUESTIONS


def test_a_broken_model_falls_back_to_the_domain_files_and_says_so(model_dir, caplog) -> None:
    model_dir.mkdir()
    (model_dir / forms.MODEL_FILE_NAME).write_bytes(b"not a tar file")

    with caplog.at_level(logging.WARNING):
        assert forms.form_required_slots("interpreter_form") == INTERPRETER_QUESTIONS
    assert forms.MODEL_FILE_NAME in caplog.text


def test_a_domain_sent_by_rasa_wins(model_dir) -> None:
    sent = {"forms": {"handoff_form": {"required_slots": ["contact"]}}}

    assert forms.form_required_slots("handoff_form", sent) == ["contact"]


async def test_a_form_skips_its_personal_questions_without_the_domain(model_dir) -> None:
    # Declining consent ends the interpreter form's questions at "consent";
    # the form can only tell which questions remain from its list of them.
    write_model(model_dir / forms.MODEL_FILE_NAME, Domain.load(str(PROJECT_ROOT / "config/domain")))
    results = []
    for domain in (load_domain(), {}):
        answered = interpreter_slots(consent=None, contact=None, description=None)
        answered.pop("interpreter_confirmed", None)
        conversation = form_turn(
            "interpreter_form", "consent", user("nein", "deny"), False, slots=answered
        )
        dispatcher = CollectingDispatcher()
        events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)
        results.append((events, dispatcher.messages))

    with_domain, without = results
    assert without == with_domain
    assert SlotSet("consent", False) in without[0]
    assert SlotSet("requested_slot", None) in without[0]


async def test_cancelling_a_form_clears_its_answers_without_the_domain(model_dir) -> None:
    conversation = tracker(
        [user("abbrechen", "stop")],
        slots=interpreter_slots(),
        form="interpreter_form",
        requested_slot="contact",
    )

    events = await ActionCancelForm().run(CollectingDispatcher(), conversation, {})

    cleared = {event["name"] for event in events if event.get("event") == "slot"}
    assert set(INTERPRETER_QUESTIONS) - {"municipality"} <= cleared
    assert "municipality" not in cleared
