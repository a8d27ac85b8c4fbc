"""`welcome office` as `welcome run` starts it: a process of its own that creates the
first admin, prints its password once and serves the login page."""

from __future__ import annotations

import re
import socket
import subprocess
import urllib.request

from bot.commands.service import start_office, stop_services
from bot.office.services import Office
from bot.settings import load_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_office_process_creates_the_first_admin_and_serves_the_login_page(tmp_path):
    port = free_port()
    url = f"sqlite:///{tmp_path / 'var' / 'welcome.db'}"
    settings = load_settings(
        {
            "WELCOME_VAR_DIR": str(tmp_path / "var"),
            "WELCOME_DATABASE_URL": url,
            "WELCOME_OFFICE_PORT": str(port),
        }
    )
    log = tmp_path / "office.log"
    with log.open("w") as output:
        process = start_office(settings, stdout=output, stderr=subprocess.STDOUT)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as response:
            page = response.read().decode()
            assert "Anmelden" in page
            assert response.headers["X-Frame-Options"] == "DENY"
            assert "Secure" in response.headers["Set-Cookie"]  # on unless switched off
            assert response.headers.get("Server", "") == ""
    finally:
        stop_services([process])
    assert process.returncode == 0
    printed = log.read_text()
    assert "Office: http://127.0.0.1:" in printed
    password = re.search(r"Passwort:\s+(\S+)", printed).group(1)
    office = Office(url)
    try:
        assert office.accounts.verify_password("admin", password)
    finally:
        office.close()
