"""The cached action-response validator behaves like Rasa's own check."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.nlu  # noqa: F401  (applies the fix, as when Rasa loads our components)


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_show_offers", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_the_fix_is_applied_when_rasa_loads_our_components():
    assert getattr(RemoteAction._validate_action_result, "__welcome_patched__", False)


def test_a_valid_action_response_passes(action):
    response = {
        "events": [{"event": "slot", "name": "offers_shown", "value": 3.0}],
        "responses": [{"response": "utter_offers_intro"}],
    }
    assert action._validate_action_result(response) is True


def test_a_malformed_action_response_is_refused_with_rasas_explanation(action):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"no_event_key": 1}], "responses": "x"})
