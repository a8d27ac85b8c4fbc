"""The interpreter pool's pages: admins keep the registry, coordinators book."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from bot.store import RequestStore
from bot.store.models import AuditEntry
from tests.helpers.office import csrf_token, submit, text

APPOINTMENT = "2099-03-10"  # a Tuesday, far enough ahead to stay bookable


def mariam(**changes) -> dict:
    data = {
        "name": "Mariam Ahmadi",
        "email": "mariam.ahmadi@example.org",
        "phone": "0151 23456789",
        "languages": "Dari: Herati\nTigrinya",
        "towns": ["Sindelfingen", "Böblingen"],
        "modes": ["on_site", "phone"],
        "weekdays": ["tue", "thu"],
        "availability_note": "vormittags",
        "trained_on": "2025-11-20",
        "listing_consent": "y",
        "active": "y",
    }
    data.update(changes)
    return data


def dari_request(database_url: str, category: str = "interpreter"):
    with RequestStore(database_url) as store:
        return store.save_request(
            sender_id="tg-4711", channel="telegram", category=category, language="fa",
            fields={
                "interpreter_language": "prs", "interpreter_dialect": "Herati",
                "appointment_date": APPOINTMENT, "appointment_time": "09:30",
                "appointment_kind": "health",
                "appointment_place": "Praxis <b>Dr. Muster</b>, Bahnhofstraße 1",
                "municipality": "Sindelfingen", "contact": "+4915112345678",
            },
        )  # fmt: skip


def audit_actions(office) -> list[str]:
    with office.engine.connect() as connection:
        return list(
            connection.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars()
        )


def outbox(office, channel: str) -> list[tuple[str, dict]]:
    with office.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT recipient, payload FROM outbox WHERE channel = :c ORDER BY id"),
            {"c": channel},
        ).all()
    return [(r, json.loads(p) if isinstance(p, str) else p) for r, p in rows]


def test_an_admin_adds_an_interpreter_with_dari_and_tigrinya(signed_in, office):
    admin = signed_in("admin")
    response = submit(admin, "/dolmetscher/neu", mariam())
    assert response.status_code == 302
    page = text(admin.get("/dolmetscher"))
    assert "Mariam Ahmadi" in page
    assert "Dari (Herati)" in page and "Tigrinya" in page
    assert "Sindelfingen" in page
    assert "interpreter_added" in audit_actions(office)

    # Filter by language and state.
    assert "Mariam Ahmadi" in text(admin.get("/dolmetscher?sprache=ti"))
    assert "Mariam Ahmadi" not in text(admin.get("/dolmetscher?sprache=so"))
    assert "Mariam Ahmadi" not in text(admin.get("/dolmetscher?aktiv=nein"))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"listing_consent": ""}, "ohne Einwilligung"),
        ({"languages": "Klingonisch"}, "„Klingonisch“ kennen wir nicht"),
        ({"languages": "xx: Nord"}, "„xx“ kennen wir nicht"),
        ({"email": "mariam@"}, "keine gültige E-Mail-Adresse"),
        ({"modes": []}, "Einsatzarten: mindestens eine"),
    ],
)
def test_the_registry_form_says_in_german_what_is_wrong(signed_in, changes, message):
    admin = signed_in("admin")
    response = submit(admin, "/dolmetscher/neu", mariam(**changes))
    assert response.status_code == 200
    assert message in text(response)
    assert "Keine Personen gefunden" in text(admin.get("/dolmetscher"))


def test_a_coordinator_cannot_keep_the_registry_but_can_book(signed_in, office, database_url):
    admin = signed_in("admin")
    submit(admin, "/dolmetscher/neu", mariam())
    coordinator = signed_in("coordinator")
    for url in ("/dolmetscher", "/dolmetscher/neu", "/dolmetscher/1"):
        assert coordinator.get(url).status_code == 403, url
    token = csrf_token(
        coordinator.get(f"/anfragen/{dari_request(database_url).reference}/dolmetschen")
    )
    for url in ("/dolmetscher/1/deaktivieren", "/dolmetscher/1/loeschen"):
        assert coordinator.post(url, data={"csrf_token": token}).status_code == 403, url
    assert signed_in("editor", "eddi").get("/dolmetscher").status_code == 403

    request = dari_request(database_url)
    url = f"/anfragen/{request.reference}/dolmetschen"
    page = text(coordinator.get(url))
    # The appointment, the suggestion with its reasons, the form pre-filled.
    assert "Dialekt passt (Herati)" in page
    assert "Einsatz in Sindelfingen" in page
    assert "Meist verfügbar am Dienstag" in page
    assert f'value="{APPOINTMENT}"' in page and 'value="09:30"' in page

    response = submit(
        coordinator, url,
        {"interpreter_id": "1", "mode": "on_site", "date": APPOINTMENT, "time": "09:30",
         "place": "Praxis Dr. Muster, Bahnhofstraße 1"},
    )  # fmt: skip
    assert response.status_code == 302
    page = text(coordinator.get(url))
    assert "gebucht" in page and "Absagen" in page
    ((recipient, email),) = outbox(office, "email")
    assert recipient == "mariam.ahmadi@example.org"
    assert request.reference in email["body"]
    ((_, message),) = outbox(office, "telegram")
    assert "Mariam" in message["text"] and "Ahmadi" not in message["text"]
    assert audit_actions(office)[-2:] == ["interpreter_assigned", "interpreter_viewed"]

    # Cancelling from the page informs both.
    (cancel,) = re.findall(r'action="([^"]+/absagen)"', page)
    response = coordinator.post(cancel, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert len(outbox(office, "email")) == 2 and len(outbox(office, "telegram")) == 2
    assert "abgesagt" in text(coordinator.get(url))
    assert "interpreter_cancelled" in audit_actions(office)


def test_booking_without_the_csrf_token_is_refused(signed_in, office, database_url):
    admin = signed_in("admin")
    submit(admin, "/dolmetscher/neu", mariam())
    request = dari_request(database_url)
    coordinator = signed_in("coordinator")
    response = coordinator.post(
        f"/anfragen/{request.reference}/dolmetschen",
        data={"interpreter_id": "1", "mode": "phone", "date": APPOINTMENT, "time": "09:30"},
    )
    assert response.status_code == 400
    assert outbox(office, "email") == []
    response = admin.post("/dolmetscher/1/loeschen")
    assert response.status_code == 400
    assert "Mariam Ahmadi" in text(admin.get("/dolmetscher"))


def test_refusals_are_shown_in_german(signed_in, database_url):
    admin = signed_in("admin")
    submit(admin, "/dolmetscher/neu", mariam(modes=["phone"]))
    request = dari_request(database_url)
    coordinator = signed_in("coordinator")
    url = f"/anfragen/{request.reference}/dolmetschen"
    response = submit(
        coordinator, url,
        {"interpreter_id": "1", "mode": "on_site", "date": APPOINTMENT, "time": "09:30",
         "place": "Rathaus"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Mariam Ahmadi dolmetscht nicht vor Ort." in text(response)

    other = dari_request(database_url, category="human")
    response = coordinator.get(f"/anfragen/{other.reference}/dolmetschen")
    assert response.status_code == 400
    assert "keine Dolmetsch-Anfrage" in text(response)
    assert coordinator.get("/anfragen/XX-0000/dolmetschen").status_code == 404


def test_names_and_places_are_escaped(signed_in, database_url):
    admin = signed_in("admin")
    submit(admin, "/dolmetscher/neu", mariam(name="<script>alert(1)</script> Ahmadi"))
    page = text(admin.get("/dolmetscher"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ahmadi" in page

    request = dari_request(database_url)
    page = text(signed_in("coordinator").get(f"/anfragen/{request.reference}/dolmetschen"))
    assert "<b>Dr. Muster</b>" not in page
    assert "&lt;b&gt;Dr. Muster&lt;/b&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_deleting_is_refused_while_a_booking_lies_ahead(signed_in, database_url):
    admin = signed_in("admin")
    submit(admin, "/dolmetscher/neu", mariam())
    request = dari_request(database_url)
    url = f"/anfragen/{request.reference}/dolmetschen"
    submit(
        admin, url, {"interpreter_id": "1", "mode": "phone", "date": APPOINTMENT, "time": "9:30"}
    )

    page = admin.get("/dolmetscher")
    response = admin.post("/dolmetscher/1/loeschen", data={"csrf_token": csrf_token(page)})
    assert "noch für 1 Termin(e) gebucht" in text(admin.get("/dolmetscher"))
    assert response.status_code == 302
    response = admin.post("/dolmetscher/1/deaktivieren", data={"csrf_token": csrf_token(page)})
    assert "badge--off" in text(admin.get("/dolmetscher"))
