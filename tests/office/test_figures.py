"""The county's figures (/zahlen) and the erasure of a person on the office's order.

A known set of requests, live and already forgotten, with counts and medians
computed by hand below.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from bot.casework.figures import Figures, MonthRange
from bot.store.db import make_engine
from bot.store.figures import ANONYMISED_SENDER
from bot.store.models import (
    AuditEntry,
    HandoffRequest,
    Interpreter,
    InterpreterAssignment,
    RequestFigures,
)
from tests.helpers.office import csrf_token, text

UTC = timezone.utc
HOUR = timedelta(hours=1)
SECRET_SENDERS = ("tg-55501", "web-" + "b" * 32, "tg-55503", "tg-55505")
REFERENCES = ("WL-FIG001", "WL-FIG002", "WL-FIG003", "WL-FIG004", "WL-FIG005")


def request_row(number: int, created: datetime, **values) -> dict:
    row = {
        "reference": REFERENCES[number - 1],
        "created_at": created,
        "updated_at": created,
        "sender_id": values.pop("sender_id", SECRET_SENDERS[min(number, 4) - 1]),
        "channel": "telegram",
        "category": "interpreter",
        "language": "ar",
        "fields": {"contact": "amina@example.org"},
        "excerpt": [{"role": "user", "text": "Geheimer Text"}],
        "status": "new",
        "town": None,
        "first_reply_at": None,
        "closed_at": None,
    }
    row.update(values)
    return row


@pytest.fixture
def known_requests(database_url: str) -> None:
    """Live: R1 (Nov), R2 (31 Oct 23:30 UTC = November in Germany), R3 (Dec), R4
    anonymised (counts from its figures row A2 only), R5 (2025, outside the range).
    Archived: A1 (Nov), A2 (Oct), A3 (2024, outside)."""
    r1 = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    r2 = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            HandoffRequest.__table__.insert(),
            [
                request_row(
                    1, r1, town="Sindelfingen", first_reply_at=r1 + 2 * HOUR,
                    closed_at=r1 + 10 * HOUR, status="done",
                ),
                request_row(
                    2, r2, category="human", language="uk", town="Böblingen", channel="webchat",
                    first_reply_at=r2 + 4 * HOUR, status="in_progress",
                ),
                request_row(3, datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
                request_row(
                    4, datetime(2026, 10, 5, 9, 0, tzinfo=UTC), sender_id=ANONYMISED_SENDER,
                    category="human", language="tr", town="Leonberg", channel="rest",
                    fields={}, excerpt=[], status="done",
                ),
                request_row(5, datetime(2025, 6, 1, 9, 0, tzinfo=UTC), category="internship"),
            ],
        )  # fmt: skip
        r1_id = connection.execute(
            sa.select(HandoffRequest.id).where(HandoffRequest.reference == REFERENCES[0])
        ).scalar_one()
        interpreter = connection.execute(
            Interpreter.__table__.insert().values(
                name="Samir", languages=[{"language": "ar"}], towns=[], modes=["phone"],
                weekdays=[], created_at=r1,
            )
        ).inserted_primary_key[0]  # fmt: skip
        connection.execute(
            InterpreterAssignment.__table__.insert(),
            [
                {"request_id": r1_id, "interpreter_id": interpreter, "language": "ar",
                 "mode": "phone", "status": "active", "created_at": r1},
                {"request_id": r1_id, "interpreter_id": interpreter, "language": "fa",
                 "mode": "phone", "status": "cancelled", "created_at": r1},
            ],
        )  # fmt: skip
        connection.execute(
            RequestFigures.__table__.insert(),
            [
                {"month": "2026-11", "category": "interpreter", "language": "ar",
                 "town": "Sindelfingen", "channel": "telegram", "first_reply_seconds": 6 * 3600,
                 "close_seconds": 20 * 3600, "interpreter_languages": ["ar", "ar"]},
                {"month": "2026-10", "category": "human", "language": "tr", "town": "Leonberg",
                 "channel": "rest", "first_reply_seconds": 3600, "close_seconds": 7200,
                 "interpreter_languages": []},
                {"month": "2024-01", "category": "fallback", "language": "de", "town": None,
                 "channel": "rest", "first_reply_seconds": None, "close_seconds": None,
                 "interpreter_languages": []},
            ],
        )  # fmt: skip
    engine.dispose()


def table(figures, name: str) -> dict:
    [figure] = [figure for figure in figures if figure.name == name]
    return {"columns": figure.columns, **{label: values for label, values in figure.rows}}


def test_figures_count_live_and_forgotten_requests_once(database_url: str, known_requests) -> None:
    service = Figures(database_url)
    figures = service.report(MonthRange("2026-01", "2026-12"))
    service.close()

    categories = table(figures, "kategorien")
    assert categories["columns"] == ("Dolmetschen", "Persönliche Beratung")
    assert categories["Okt 2026"] == (0, 1)  # A2 (R4 is anonymised: counted once)
    assert categories["Nov 2026"] == (2, 1)  # R1, A1; R2 (November in German time)
    assert categories["Dez 2026"] == (1, 0)  # R3
    assert categories["Jan 2026"] == (0, 0)
    assert categories["Summe"] == (3, 2)
    towns = table(figures, "orte")
    assert towns["columns"] == ("Böblingen", "Leonberg", "ohne Angabe", "Sindelfingen")
    assert towns["Nov 2026"] == (1, 0, 0, 2)
    channels = table(figures, "kanaele")
    assert channels["columns"] == ("REST/Test", "Telegram", "Web-Chat")
    assert channels["Summe"] == (1, 3, 1)
    languages = table(figures, "sprachen")
    assert languages["columns"] == ("Arabisch (ar)", "Türkisch (tr)", "Ukrainisch (uk)")
    assert languages["Summe"] == (3, 1, 1)
    times = table(figures, "bearbeitungszeiten")
    # First reply: Nov 2, 4, 6 h -> 4; Oct 1 h; Dec none. Closing: Nov 10, 20 h -> 15; Oct 2 h.
    assert times["Nov 2026"] == (4.0, 15.0)
    assert times["Okt 2026"] == (1.0, 2.0)
    assert times["Dez 2026"] == (None, None)
    assert times["Gesamter Zeitraum"] == (3.0, 10.0)  # median of 1, 2, 4, 6 and of 2, 10, 20
    interpreters = table(figures, "dolmetschen")
    assert interpreters["columns"] == ("Einsätze",)
    assert [label for label in interpreters if label != "columns"] == ["Arabisch (ar)"]
    assert interpreters["Arabisch (ar)"] == (3,)  # R1's active booking, A1's two; not the cancelled


def test_the_page_shows_each_figure_as_a_chart_with_its_table_and_nothing_personal(
    signed_in: Callable[[str], FlaskClient], known_requests
) -> None:
    browser = signed_in("coordinator")

    page = text(browser.get("/zahlen"))  # default: the last twelve months (Jan-Dec 2026)

    charts = re.findall(
        r'<img class="figure__chart" src="data:image/svg\+xml;base64,([^"]+)"', page
    )
    assert len(charts) == 6
    svg = base64.b64decode(charts[4]).decode("utf-8")
    assert "<svg" in svg and "<script" not in svg.lower()
    assert "Erste Antwort (Std.)" in svg  # German labels in the chart
    assert page.count("<table") == 6
    assert '<th scope="row">Nov 2026</th><td>4,0</td><td>15,0</td>' in page
    assert '<th scope="row">Gesamter Zeitraum</th><td>3,0</td><td>10,0</td>' in page
    for secret in (*REFERENCES, *SECRET_SENDERS, "amina@example.org", "Geheimer Text"):
        assert secret not in page
        assert secret not in svg
    assert "<script>" not in page  # nothing inline (Content-Security-Policy)


def test_the_month_range_filter(signed_in, known_requests) -> None:
    page = text(signed_in("coordinator").get("/zahlen?start=2026-11&end=2026-11"))

    assert "Nov 2026 bis Nov 2026" in page
    assert "Okt 2026" not in page and "Dez 2026" not in page
    assert '<th scope="row">Summe</th><td>2</td><td>1</td>' in page


def test_csv_export_for_excel_is_audited_and_holds_nothing_personal(
    signed_in, known_requests, office
) -> None:
    browser = signed_in("coordinator")

    response = browser.get("/zahlen/bearbeitungszeiten.csv?start=2026-10&end=2026-12")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        "zahlen-bearbeitungszeiten-2026-10-2026-12.csv" in response.headers["Content-Disposition"]
    )
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    assert body[1:].splitlines() == [
        "Monat;Erste Antwort (Std.);Abschluss (Std.)",
        "Okt 2026;1,0;2,0",
        "Nov 2026;4,0;15,0",
        "Dez 2026;;",
        "Gesamter Zeitraum;3,0;10,0",
    ]
    for secret in (*REFERENCES, *SECRET_SENDERS, "amina@example.org"):
        assert secret not in body
    with office.engine.connect() as connection:
        [entry] = connection.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "export")
        ).all()
    assert entry.username == "coordinator"
    assert entry.detail == "zahlen=bearbeitungszeiten zeitraum=2026-10..2026-12"
    assert browser.get("/zahlen/unbekannt.csv").status_code == 404


@pytest.mark.parametrize(
    ("role", "figures", "erasure"),
    [("coordinator", 200, 403), ("editor", 403, 403), ("admin", 200, 200)],
)
def test_who_may_see_the_figures_and_erase_a_person(
    signed_in, known_requests, role: str, figures: int, erasure: int
) -> None:
    browser = signed_in(role)

    assert browser.get("/zahlen").status_code == figures
    assert browser.get("/zahlen/kategorien.csv").status_code == figures
    assert browser.get(f"/anfragen/{REFERENCES[0]}/loeschen").status_code == erasure


def test_an_admin_erases_the_person_of_a_request_after_confirming_and_the_figures_stay(
    signed_in, known_requests, office, database_url: str
) -> None:
    browser = signed_in("admin")
    url = f"/anfragen/{REFERENCES[0].lower()}/loeschen"
    before = text(browser.get("/zahlen"))
    page = text(browser.get(url))
    assert "1 Anfrage(n)" in page and "amina@example.org" not in page

    wrong = browser.post(url, data={"csrf_token": csrf_token(page), "confirm_reference": "WL-X"})
    assert "stimmt nicht überein" in text(wrong)
    with office.engine.connect() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(HandoffRequest)).scalar() == 5
        )

    done = browser.post(
        url,
        data={"csrf_token": csrf_token(page), "confirm_reference": REFERENCES[0]},
        follow_redirects=True,
    )

    assert "sind gelöscht" in text(done)
    with office.engine.connect() as connection:
        senders = set(connection.execute(sa.select(HandoffRequest.sender_id)).scalars())
        [audit] = connection.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "erase")
        ).all()
    assert SECRET_SENDERS[0] not in senders
    assert (audit.username, audit.reference) == ("admin", REFERENCES[0])
    # The figures are the same as before: the request counts from its archived row now.
    after = text(browser.get("/zahlen"))
    tables = re.compile(r"<table.*?</table>", re.S)
    assert tables.findall(after) == tables.findall(before)
    assert browser.get(url).status_code == 404
