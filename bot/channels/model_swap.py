"""Swapping the served model inside the running Rasa server, without freezing the chats.

Registered in ``config/credentials.yml`` as ``bot.channels.model_swap.ModelSwapInput:``.
Rasa's own ways (``PUT /model``, a model server in endpoints.yml) call
``Agent.load_model`` on the server's event loop: every channel waits 7-8 s
per load with this project's model (``../shared/PLATFORM.md``). Here the new
:class:`MessageProcessor` is built in a worker thread; only the assignments
that follow (what ``Agent.load_model`` of Rasa 3.6.21 sets) run on the loop,
in one step without an ``await`` in between, so a turn sees either the old
model or the new one. Turns already running finish with the processor they
started with.

Routes (under ``/webhooks/model``), each needing ``Authorization: Bearer
<WELCOME_MODEL_SWAP_TOKEN>`` (``welcome run`` makes one up when it is not
set; without a token the routes answer 404):

- ``POST /swap`` ``{"model": "<file name in WELCOME_MODEL_DIR>"}``: load it and
  serve it; answers once it is served (200), 409 while another swap runs,
  422 when the file cannot be loaded (the old model keeps serving).
- ``GET /status``: the served model file and id, and the last swap's outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import BadRequest, error, json_body
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

#: Rasa internals this module relies on were read from this version (pyproject pins it).
RASA_VERSION = "3.6.21"


def build_processor(agent: Agent, model: Path) -> MessageProcessor:
    """The new model's processor, sharing the agent's stores and generator (worker thread)."""
    return MessageProcessor(
        model_path=model,
        tracker_store=agent.tracker_store,
        lock_store=agent.lock_store,
        action_endpoint=agent.action_endpoint,
        generator=agent.nlg,
        http_interpreter=agent.http_interpreter,
    )


def install_processor(agent: Agent, processor: MessageProcessor) -> None:
    """Serve ``processor``: what ``Agent.load_model`` sets after loading (on the event loop)."""
    agent.processor = processor
    agent.domain = processor.domain
    agent._set_fingerprint(None)
    agent.tracker_store.domain = processor.domain
    if isinstance(agent.nlg, TemplatedNaturalLanguageGenerator):
        agent.nlg.responses = processor.domain.responses if processor.domain else {}


#: Niceness of the loading thread: on 2 busy cores the chats' event loop comes first.
LOADING_THREAD_NICENESS = 10


def _lower_priority() -> None:
    """Run the loading thread at a lower priority (Linux: per thread; elsewhere no-op)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOADING_THREAD_NICENESS)


class ModelSwap:
    """One swap at a time, and what the last one did."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self.lock = asyncio.Lock()
        # A thread of its own, not the loop's default executor that Rasa also uses.
        self.executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="model-swap", initializer=_lower_priority
        )
        self.last: dict[str, Any] = {"state": "idle"}

    def resolve(self, name: Any) -> Path:
        """A model file of the model folder; nothing outside it may be loaded."""
        if not isinstance(name, str) or not name or "/" in name or "\\" in name:
            raise BadRequest('"model" must be the name of a file in the model folder.')
        path = (self.model_dir / name).resolve()
        if path.parent != self.model_dir.resolve() or not path.name.endswith(".tar.gz"):
            raise BadRequest('"model" must be a .tar.gz file in the model folder.')
        if not path.is_file():
            raise BadRequest(f"There is no model file {name!r} in the model folder.")
        return path

    async def swap(self, agent: Agent, model: Path) -> dict[str, Any]:
        started = time.monotonic()
        self.last = {"state": "loading", "model_file": model.name}
        loop = asyncio.get_running_loop()
        try:
            processor = await loop.run_in_executor(self.executor, build_processor, agent, model)
        except Exception as problem:  # noqa: BLE001 - any load error leaves the old model
            logger.exception("Model swap: loading %s failed; the old model keeps serving", model)
            self.last = {"state": "failed", "model_file": model.name, "error": str(problem)}
            raise
        install_processor(agent, processor)
        seconds = round(time.monotonic() - started, 2)
        self.last = {
            "state": "swapped",
            "model_file": model.name,
            "model_id": agent.model_id,
            "load_seconds": seconds,
            "swapped_at": time.time(),
        }
        logger.info(
            "Model swap: now serving %s (%s), loaded in %.1f s", model, agent.model_id, seconds
        )
        return self.last


def authorised(token: str, request: Request) -> bool:
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode("utf-8"), token.encode("utf-8")
    )


class ModelSwapInput(InputChannel):
    """Not a chat channel: the office's door to swap the served model (module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "model"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ModelSwapInput:
        return cls(get_settings())

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.token = settings.model_swap_token
        self.swapper = ModelSwap(settings.model_dir)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        model = Blueprint("welcome_model_swap", __name__)

        def refused(request: Request) -> HTTPResponse | None:
            if not self.token:
                return error(404, "Model swapping is off (no WELCOME_MODEL_SWAP_TOKEN).")
            if not authorised(self.token, request):
                logger.warning("Model swap: request from %s without the token", request.ip)
                return error(401, "Model swapping needs its token.", {"WWW-Authenticate": "Bearer"})
            return None

        @model.route("/status", methods=["GET"])
        async def status(request: Request) -> HTTPResponse:
            if (refusal := refused(request)) is not None:
                return refusal
            agent: Agent = request.app.ctx.agent
            processor = agent.processor
            return response.json(
                {
                    "model_file": Path(processor.model_path).name if processor else None,
                    "model_id": agent.model_id,
                    "last_swap": self.swapper.last,
                }
            )

        @model.route("/swap", methods=["POST"])
        async def swap(request: Request) -> HTTPResponse:
            if (refusal := refused(request)) is not None:
                return refusal
            try:
                path = self.swapper.resolve(json_body(request, 4096).get("model"))
            except BadRequest as bad:
                return error(400, str(bad))
            if self.swapper.lock.locked():
                return error(409, "Another model is being loaded; try again when it is served.")
            async with self.swapper.lock:
                try:
                    result = await self.swapper.swap(request.app.ctx.agent, path)
                except Exception as problem:  # noqa: BLE001 - reported to the caller
                    return error(422, f"The model could not be loaded: {problem}")
            return response.json(result)

        return model
