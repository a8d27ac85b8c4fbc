"""A fake Argos package index on 127.0.0.1, so install tests run the real HTTP path.

    with FakeArgosIndex() as index:
        index.add_package(build_argosmodel_file(tmp / "ro_en.argosmodel", "ro", "en"))
        install_from_index(["ro"], packages_dir, index.index_url)
        assert index.requests == ["/index.json", "/packages/translate-ro_en-1_0.argosmodel", ...]

``index.json`` is generated on each request with links that point back at this
server (the port is only known once it runs). Failures are scripted per path:
``fail("/index.json", "500")`` answers HTTP 500, ``"drop"`` closes the
connection without an answer, ``"truncate"`` sends half the body with the full
Content-Length; each for ``times`` requests (or for ever with ``times=None``).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import zipfile
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

INDEX_PATH = "/index.json"
FAILURE_MODES = ("500", "404", "drop", "truncate")


class FakeArgosIndex:
    def __init__(self) -> None:
        self._packages: dict[str, bytes] = {}
        self._entries: list[dict[str, Any]] = []
        self._failures: dict[str, list[Any]] = {}
        self._lock = threading.Lock()
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- content

    def add_package(self, file: Path, *, extra_links: list[str] | None = None) -> dict[str, Any]:
        """Serve ``file`` and list it in the index with the metadata it carries."""
        file = Path(file)
        with zipfile.ZipFile(file) as archive:
            name = next(n for n in archive.namelist() if n.endswith("/metadata.json"))
            metadata = json.loads(archive.read(name))
        path = f"/packages/{file.name}"
        self._packages[path] = file.read_bytes()
        entry = {
            key: metadata[key]
            for key in ("package_version", "argos_version", "from_code", "from_name")
            + ("to_code", "to_name", "type")
            if key in metadata
        }
        entry["code"] = f"translate-{metadata['from_code']}_{metadata['to_code']}"
        entry["_path"] = path
        entry["_extra_links"] = list(extra_links or [])
        self._entries.append(entry)
        return entry

    def add_entry(self, entry: dict[str, Any]) -> None:
        """List an entry as it is (e.g. one whose links lead nowhere)."""
        self._entries.append(dict(entry))

    def index_document(self) -> list[dict[str, Any]]:
        document = []
        for entry in self._entries:
            listed = {key: value for key, value in entry.items() if not key.startswith("_")}
            if "_path" in entry:
                # The real index also lists ipfs:// links, which the installer skips.
                listed["links"] = [
                    *entry["_extra_links"],
                    self.base_url + entry["_path"],
                ]
            document.append(listed)
        return document

    # -- scripted failures

    def fail(self, path: str, mode: str, *, times: int | None = 1) -> None:
        """Answer the next ``times`` requests for ``path`` with ``mode`` (None = always)."""
        if mode not in FAILURE_MODES:
            raise ValueError(f"unknown failure mode {mode!r}")
        with self._lock:
            self._failures[path] = [mode, times]

    def package_path(self, file_name: str) -> str:
        return f"/packages/{file_name}"

    def _next_failure(self, path: str) -> str | None:
        with self._lock:
            failure = self._failures.get(path)
            if failure is None:
                return None
            mode, times = failure
            if times is not None:
                if times <= 1:
                    del self._failures[path]
                else:
                    failure[1] = times - 1
            return mode

    # -- server

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake index is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def index_url(self) -> str:
        return self.base_url + INDEX_PATH

    def __enter__(self) -> FakeArgosIndex:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                index._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        with self._lock:
            self.requests.append(path)
        if path == INDEX_PATH:
            body: bytes | None = json.dumps(self.index_document()).encode()
        else:
            body = self._packages.get(path)
        failure = self._next_failure(path)
        if failure == "drop":
            _hang_up(handler)
            return
        if failure in ("500", "404") or body is None:
            status = HTTPStatus.NOT_FOUND if body is None or failure == "404" else HTTPStatus(500)
            handler.send_error(status)
            return
        handler.send_response(HTTPStatus.OK)
        content_type = "application/json" if path == INDEX_PATH else "application/zip"
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if failure == "truncate":
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            _hang_up(handler)
            return
        handler.wfile.write(body)


def _hang_up(handler: BaseHTTPRequestHandler) -> None:
    handler.close_connection = True
    with contextlib.suppress(OSError):
        handler.connection.shutdown(socket.SHUT_RDWR)


def unused_local_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/index.json"
