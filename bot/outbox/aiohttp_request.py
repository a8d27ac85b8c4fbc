"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

PTB sends through a pluggable :class:`telegram.request.BaseRequest`; its
default, ``HTTPXRequest``, parses HTTP in pure Python (h11). Under load that
was the largest cost of a Telegram turn in the Rasa server (~2 ms of CPU per
message, py-spy under ``bench/load.py``). aiohttp, which Rasa already brings,
parses HTTP in C and does the same job for a fraction of that
(``bench/telegram_transport.py``). Everything else (methods, error
mapping, retries in the outbox) stays PTB's and ours.
"""

from __future__ import annotations

import asyncio

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A :class:`~telegram.request.BaseRequest` on one ``aiohttp.ClientSession``."""

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            # A Bot used without `async with` / initialize(): open on first use.
            await self.initialize()
        files = request_data.contains_files if request_data else False

        def chosen(value, default):
            return default if isinstance(value, DefaultValue) else value

        write = chosen(write_timeout, self._media_write_timeout if files else self._write_timeout)
        read = chosen(read_timeout, self._read_timeout)
        # aiohttp has no separate write timeout: the whole request may take both.
        total = None if read is None or write is None else read + write
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=chosen(pool_timeout, self._pool_timeout),
            sock_connect=chosen(connect_timeout, self._connect_timeout),
            sock_read=read,
        )
        data = self._body(request_data) if request_data else None
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as answer:
                return answer.status, await answer.read()
        except asyncio.TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    @staticmethod
    def _body(request_data: RequestData) -> aiohttp.FormData | dict[str, str]:
        if not request_data.contains_files:
            return request_data.json_parameters
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form
