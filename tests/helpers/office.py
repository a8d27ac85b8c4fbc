"""Driving the office app like a browser: CSRF tokens read from the pages, real forms."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(page: TestResponse | str) -> str:
    """The CSRF token of the (first) form on ``page``."""
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, "no form with a CSRF token on this page"
    return match.group(1)


def submit(
    client: FlaskClient, form_url: str, data: dict[str, Any], *, action: str | None = None
) -> TestResponse:
    """Open ``form_url``, then post ``data`` with the page's CSRF token (to ``action``)."""
    token = csrf_token(client.get(form_url))
    return client.post(action or form_url, data={**data, "csrf_token": token})


def login(client: FlaskClient, username: str, password: str) -> TestResponse:
    """Sign in through the login form; the response after the redirect is returned."""
    token = csrf_token(client.get("/login"))
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=True,
    )


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)
