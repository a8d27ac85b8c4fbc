"""One fix to Rasa 3.6's hot path, applied when Rasa loads our components.

``RemoteAction._validate_action_result`` checks every action-server response
with ``jsonschema.validate(result, schema)``, which re-validates the schema
itself and builds a new validator on every call: ~25 ms of a ~50 ms turn on
2 cores (bench/nlu.py, profiled). The same check with a validator built once
is identical in effect and costs well under a millisecond. Rasa 3.6.21 is the
last open-source release, so the fix cannot go upstream; it is applied here,
from the modules Rasa imports at start-up (our NLU components and tracker
store), and does nothing if Rasa's method ever changes shape.
"""

from __future__ import annotations

import functools
import logging

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _response_validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    return validator_class(schema)


def _validate_action_result(self, result: dict) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def apply() -> None:
    from rasa.core.actions.action import RemoteAction

    current = getattr(RemoteAction, "_validate_action_result", None)
    if current is None or getattr(current, "__welcome_patched__", False):
        return
    _validate_action_result.__welcome_patched__ = True
    RemoteAction._validate_action_result = _validate_action_result
    logger.debug("Action-server responses are validated with a cached validator")
