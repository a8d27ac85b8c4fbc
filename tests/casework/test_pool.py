"""The interpreter pool: the registry's rules, the ranked suggestions with their
reasons, and booking/cancelling that tells the interpreter and the newcomer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from bot.casework.pool import (
    EMAIL_CHANNEL,
    InterpreterData,
    InterpreterRecord,
    LanguageSkill,
    Need,
    Pool,
    PoolError,
    rank,
    validate,
)
from bot.casework.store import CaseError
from bot.store import RequestStore
from bot.texts import text

TOWNS = ("Böblingen", "Sindelfingen", "Leonberg", "Herrenberg")
TODAY = dt.date(2030, 3, 4)  # a Monday
TUESDAY = "2030-03-12"
TRAINED = dt.date(2025, 11, 20)


# --------------------------------------------------------------------------- validation


def dari_speaker(**changes) -> InterpreterData:
    values = dict(
        name="Mariam Ahmadi",
        email="mariam.ahmadi@example.org",
        phone="0151 23456789",
        languages=(LanguageSkill("prs", "Herati"), LanguageSkill("ti")),
        towns=("Sindelfingen",),
        modes=("on_site", "phone"),
        weekdays=("tue", "thu"),
        trained_on=TRAINED,
        listing_consent=True,
        active=True,
    )
    values.update(changes)
    return InterpreterData(**values)


def test_a_valid_entry_is_cleaned():
    clean = validate(
        dari_speaker(name="  Mariam   Ahmadi ", towns=("boblingen", "Sindelfingen")), TOWNS, TODAY
    )
    assert clean.name == "Mariam Ahmadi"
    assert clean.phone == "+49 1512 3456789"
    assert clean.towns == ("Böblingen", "Sindelfingen")
    assert [s.language for s in clean.languages] == ["prs", "ti"]


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"listing_consent": False}, "listing_consent", "ohne Einwilligung"),
        ({"languages": (LanguageSkill("xx"),)}, "languages", "„xx“ ist kein bekannter Sprachcode"),
        ({"languages": ()}, "languages", "mindestens eine Sprache"),
        ({"email": "mariam@"}, "email", "keine gültige E-Mail-Adresse"),
        ({"email": None, "phone": None}, "email", "E-Mail oder Telefon"),
        ({"modes": ()}, "modes", "mindestens eine"),
        ({"modes": ("teleport",)}, "modes", "vor Ort, Telefon oder Video"),
        ({"towns": ("Stuttgart",)}, "towns", "„Stuttgart“ ist keine Gemeinde"),
        ({"trained_on": dt.date(2030, 4, 1)}, "trained_on", "Zukunft"),
        ({"name": " "}, "name", "Name"),
    ],
)
def test_a_wrong_entry_is_refused_naming_the_field_in_german(changes, field, words):
    with pytest.raises(PoolError) as refused:
        validate(dari_speaker(**changes), TOWNS, TODAY)
    assert field in refused.value.errors
    assert words in refused.value.errors[field]


def test_without_consent_a_person_can_only_be_kept_inactive():
    kept = validate(dari_speaker(listing_consent=False, active=False), TOWNS, TODAY)
    assert not kept.active and not kept.listing_consent


# --------------------------------------------------------------------------- ranking


def person(id_: int, name: str, **changes) -> InterpreterRecord:
    values = dict(
        id=id_,
        name=name,
        email=f"{name.split()[0].lower()}@example.org",
        languages=(LanguageSkill("prs", None),),
        towns=(),
        modes=("on_site", "phone"),
        weekdays=(),
        trained_on=TRAINED,
        listing_consent=True,
        active=True,
    )
    values.update(changes)
    return InterpreterRecord(**values)


def dari_need(**changes) -> Need:
    values = dict(language="prs", town="Sindelfingen", date=dt.date.fromisoformat(TUESDAY))
    values.update(changes)
    return Need(**values)


def names(suggestions) -> list[str]:
    return [s.interpreter.name for s in suggestions]


def reasons(suggestion) -> list[str]:
    return [r.text for r in suggestion.reasons]


def test_only_active_consenting_trained_speakers_of_the_language_are_suggested():
    pool = [
        person(1, "Aziz Karimi"),
        person(2, "Inaktiv Person", active=False),
        person(3, "Ohne Einwilligung", listing_consent=False),
        person(4, "Ungeschult Person", trained_on=None),
        person(5, "Bald Geschult", trained_on=dt.date(2030, 3, 20)),
        person(6, "Tigrinya Sprecherin", languages=(LanguageSkill("ti"),)),
    ]
    assert names(rank(dari_need(), pool, {}, TODAY)) == ["Aziz Karimi"]


def test_the_requested_dialect_is_a_bonus():
    pool = [
        person(1, "Aziz Karimi", languages=(LanguageSkill("prs", "Kabuli"),)),
        person(2, "Mariam Ahmadi", languages=(LanguageSkill("prs", "Herati"),)),
    ]
    best, other = rank(dari_need(dialect="herati"), pool, {}, TODAY)
    assert best.interpreter.name == "Mariam Ahmadi"
    assert "Dialekt passt (Herati)" in reasons(best)
    assert "Anderer Dialekt (Kabuli; angefragt: herati)" in reasons(other)


def test_a_dialect_written_in_the_newcomers_script_matches_through_its_translation():
    pool = [person(1, "Mariam Ahmadi", languages=(LanguageSkill("prs", "Herati"),))]
    (best,) = rank(dari_need(dialect="هراتی"), pool, {}, TODAY, dialect_hints=["Herati"])
    assert "Dialekt passt (Herati)" in reasons(best)


def test_on_site_the_town_served_counts():
    pool = [
        person(1, "Aziz Karimi", towns=("Leonberg",)),
        person(2, "Mariam Ahmadi", towns=("Sindelfingen", "Böblingen")),
        person(3, "Yonas Tesfay", towns=()),
    ]
    ranked = rank(dari_need(), pool, {}, TODAY)
    assert names(ranked)[-1] == "Aziz Karimi"
    assert "Sindelfingen gehört nicht zu den Einsatzorten" in reasons(ranked[-1])
    by_name = {s.interpreter.name: s for s in ranked}
    assert "Einsatz in Sindelfingen" in reasons(by_name["Mariam Ahmadi"])
    assert "Einsatz im ganzen Landkreis" in reasons(by_name["Yonas Tesfay"])


def test_on_site_is_preferred_unless_the_request_asks_otherwise():
    pool = [
        person(1, "Aziz Karimi", modes=("phone",)),
        person(2, "Mariam Ahmadi", modes=("on_site",)),
    ]
    ranked = rank(dari_need(), pool, {}, TODAY)
    assert names(ranked) == ["Mariam Ahmadi", "Aziz Karimi"]
    assert "Einsatz vor Ort (bevorzugt)" in reasons(ranked[0])
    assert "Nicht vor Ort, nur am Telefon" in reasons(ranked[1])

    by_phone = rank(dari_need(mode="phone", mode_asked=True), pool, {}, TODAY)
    assert names(by_phone) == ["Aziz Karimi", "Mariam Ahmadi"]
    assert "Einsatz am Telefon (angefragt)" in reasons(by_phone[0])
    # On the phone the town does not matter.
    assert not any("Einsatzorte" in r or "Landkreis" in r for r in reasons(by_phone[0]))


def test_the_usual_weekday_counts_and_an_unknown_date_is_neutral():
    pool = [
        person(1, "Aziz Karimi", weekdays=("mon", "wed")),
        person(2, "Mariam Ahmadi", weekdays=("tue",)),
        person(3, "Yonas Tesfay", weekdays=()),
    ]
    ranked = rank(dari_need(), pool, {}, TODAY)
    assert names(ranked) == ["Mariam Ahmadi", "Yonas Tesfay", "Aziz Karimi"]
    assert "Meist verfügbar am Dienstag" in reasons(ranked[0])
    assert "Wochentage nicht angegeben" in reasons(ranked[1])
    assert "Am Dienstag meist nicht verfügbar" in reasons(ranked[2])

    undated = rank(dari_need(date=None), pool, {}, TODAY)
    assert {s.score for s in undated} == {undated[0].score}
    assert not any("Dienstag" in r for s in undated for r in reasons(s))


def test_among_equals_the_one_with_fewest_recent_assignments_comes_first():
    pool = [person(1, "Aziz Karimi"), person(2, "Mariam Ahmadi"), person(3, "Yonas Tesfay")]
    ranked = rank(dari_need(), pool, {1: 0, 2: 3, 3: 1}, TODAY)
    assert names(ranked) == ["Aziz Karimi", "Yonas Tesfay", "Mariam Ahmadi"]
    assert "3 Einsätze in den letzten 30 Tagen" in reasons(ranked[-1])
    assert "Keine Einsätze in den letzten 30 Tagen" in reasons(ranked[0])


def test_a_request_for_kurdish_is_served_by_its_varieties_with_a_note():
    pool = [person(1, "Rojda Aydin", languages=(LanguageSkill("kmr", None),))]
    (only,) = rank(dari_need(language="ku"), pool, {}, TODAY)
    assert only.language == "kmr"
    assert any("Variante klären" in r for r in reasons(only))


def test_the_need_is_read_from_the_stored_request_fields():
    need = Need.from_request(
        {
            "interpreter_language": "prs",
            "interpreter_dialect": "Herati",
            "appointment_date": TUESDAY,
            "municipality": "Sindelfingen",
        },
        "Sindelfingen",
        "fa",
    )
    assert need == Need("prs", "Herati", "Sindelfingen", "on_site", False, dt.date(2030, 3, 12))
    # A typed name the assistant kept as written, the whole county, a mode asked for.
    typed = Need.from_request(
        {"interpreter_language": "Tigrinya", "municipality": "all", "interpreter_mode": "phone"},
        "all",
        "en",
    )
    assert (typed.language, typed.town, typed.mode, typed.mode_asked) == ("ti", None, "phone", True)
    assert Need.from_request({}, None, "ar").language == "ar"


# --------------------------------------------------------------------------- database


@pytest.fixture
def pool(database_url: str):
    registry = Pool(database_url, towns=TOWNS)
    yield registry
    registry.close()


def dari_request(store: RequestStore, sender: str = "tg-4711", **fields):
    values = {
        "interpreter_language": "prs",
        "interpreter_dialect": "Herati",
        "appointment_date": TUESDAY,
        "appointment_time": "09:30",
        "appointment_kind": "health",
        "appointment_place": "Praxis Dr. Muster, Bahnhofstraße 1",
        "municipality": "Sindelfingen",
        "contact": "+4915112345678",
        "description": "Untersuchung wegen Rückenschmerzen",
    }
    values.update(fields)
    return store.save_request(
        sender_id=sender, channel="telegram", category="interpreter", language="fa", fields=values,
        excerpt=[{"role": "user", "text": "به مترجم نیاز دارم"}],
    )  # fmt: skip


def outbox(url: str, channel: str) -> list[tuple[str, dict]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT recipient, payload FROM outbox WHERE channel = :c ORDER BY id"),
                {"c": channel},
            ).all()
    finally:
        engine.dispose()
    return [(r, json.loads(p) if isinstance(p, str) else p) for r, p in rows]


def test_the_registry_keeps_languages_without_machine_translation(pool):
    added = pool.add(dari_speaker())
    somali = (LanguageSkill("ti"), LanguageSkill("so"))
    pool.add(
        dari_speaker(name="Yonas Tesfay", email="yonas@example.org", languages=somali, towns=())
    )
    assert added.languages == (LanguageSkill("prs", "Herati"), LanguageSkill("ti", None))
    assert names_of(pool.interpreters()) == ["Mariam Ahmadi", "Yonas Tesfay"]
    from bot.casework.pool import PoolFilter

    assert names_of(pool.interpreters(PoolFilter(language="so"))) == ["Yonas Tesfay"]
    # Serving the whole county includes Leonberg.
    assert names_of(pool.interpreters(PoolFilter(town="Leonberg"))) == ["Yonas Tesfay"]
    pool.deactivate(added.id)
    assert names_of(pool.interpreters(PoolFilter(active=True))) == ["Yonas Tesfay"]
    with pytest.raises(PoolError):
        pool.update(added.id, dari_speaker(listing_consent=False))


def names_of(people) -> list[str]:
    return [p.name for p in people]


def test_suggestions_for_a_stored_request(pool, store, database_url):
    request = dari_request(store)
    pool.add(dari_speaker(name="Aziz Karimi", email="aziz@example.org",
                          languages=(LanguageSkill("prs", "Kabuli"),)))  # fmt: skip
    pool.add(dari_speaker())
    suggestions = pool.suggestions(request.reference)
    assert names(suggestions) == ["Mariam Ahmadi", "Aziz Karimi"]
    assert "Dialekt passt (Herati)" in reasons(suggestions[0])


def test_assigning_books_records_emails_and_tells_the_newcomer_in_their_language(
    pool, store, casework, add_staff, database_url
):
    request = dari_request(store)
    mariam = pool.add(dari_speaker())
    anna = add_staff("Anna Berger")

    booking = pool.assign(
        request.reference, mariam.id, anna, "on_site", "12.03.2030", "9:30",
        "Praxis Dr. Muster, Bahnhofstraße 1",
    )  # fmt: skip

    assert (booking.appointment_date, booking.appointment_time) == (TUESDAY, "09:30")
    assert booking.language == "prs" and booking.is_active
    case = casework.case(request.reference)
    assigned = [e for e in case.entries if e.kind == "interpreter_assigned"]
    assert len(assigned) == 1
    assert assigned[0].staff_name == "Anna Berger"
    assert {k: assigned[0].data[k] for k in ("interpreter", "mode", "date", "time")} == {
        "interpreter": "Mariam Ahmadi", "mode": "on_site", "date": TUESDAY, "time": "09:30",
    }  # fmt: skip

    ((recipient, email),) = outbox(database_url, EMAIL_CHANNEL)
    assert recipient == "mariam.ahmadi@example.org"
    assert request.reference in email["subject"]
    body = email["body"]
    for expected in (request.reference, "Dari (Herati)", "Dienstag, 12.03.2030", "09:30 Uhr",
                     "Praxis Dr. Muster, Bahnhofstraße 1", "vor Ort", "Arzt"):  # fmt: skip
        assert expected in body
    # The office stays the contact: no number of the newcomer, not what the matter is.
    assert "1511" not in body and "Rückenschmerzen" not in body

    ((chat, message),) = outbox(database_url, "telegram")
    assert chat == "4711"
    words = message["text"]
    assert text("office.interpreter.confirmed", "fa", reference=request.reference) in words
    assert text("office.interpreter.expectations", "fa") in words
    assert text("office.mode.on_site", "fa") in words
    assert "12.03.2030" in words and "09:30" in words
    # First name only: nothing to reach the interpreter outside the office.
    assert "Mariam" in words
    for private in ("Ahmadi", "mariam.ahmadi@example.org", "3456789"):
        assert private not in words
    notices = [e for e in case.entries if e.kind == "notice"]
    assert [n.text_translated for n in notices] == [words]
    assert case.status == "in_progress"


def test_cancelling_tells_both(pool, store, casework, add_staff, database_url):
    request = dari_request(store)
    mariam = pool.add(dari_speaker())
    anna = add_staff("Anna Berger")
    booking = pool.assign(request.reference, mariam.id, anna, "phone", TUESDAY, "09:30", None)

    cancelled = pool.cancel(request.reference, booking.id, anna)

    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    emails = outbox(database_url, EMAIL_CHANNEL)
    assert [r for r, _ in emails] == ["mariam.ahmadi@example.org"] * 2
    assert emails[1][1]["subject"].startswith("Abgesagt")
    assert "ist abgesagt" in emails[1][1]["body"]
    messages = [p["text"] for _, p in outbox(database_url, "telegram")]
    assert messages[-1] == text(
        "office.interpreter.cancelled", "fa", reference=request.reference,
        date="12.03.2030", time="09:30",
    )  # fmt: skip
    kinds = [e.kind for e in casework.case(request.reference).entries]
    assert kinds.count("interpreter_cancelled") == 1 and kinds.count("notice") == 2
    with pytest.raises(CaseError, match="schon abgesagt"):
        pool.cancel(request.reference, booking.id, anna)


def test_refusals(pool, store, add_staff, database_url):
    request = dari_request(store)
    anna = add_staff("Anna Berger")
    inactive = pool.add(dari_speaker(active=False))
    tigrinya = pool.add(dari_speaker(name="Yonas Tesfay", languages=(LanguageSkill("ti"),)))
    mariam = pool.add(dari_speaker(name="Mariam Rahimi", modes=("phone",)))
    other = store.save_request(
        sender_id="tg-1", channel="telegram", category="human", language="fa", fields={}
    )

    with pytest.raises(CaseError, match="nicht aktiv"):
        pool.assign(request.reference, inactive.id, anna, "phone", TUESDAY, "09:30", None)
    with pytest.raises(CaseError, match="keine Dolmetsch-Anfrage"):
        pool.assign(other.reference, mariam.id, anna, "phone", TUESDAY, "09:30", None)
    with pytest.raises(CaseError, match="nicht Dari"):
        pool.assign(request.reference, tigrinya.id, anna, "phone", TUESDAY, "09:30", None)
    with pytest.raises(CaseError, match="nicht vor Ort"):
        pool.assign(request.reference, mariam.id, anna, "on_site", TUESDAY, "09:30", "Rathaus")
    with pytest.raises(PoolError) as bad:
        pool.assign(request.reference, mariam.id, anna, "on_site", "morgen", "", None)
    assert set(bad.value.errors) == {"date", "time", "place"}
    with pytest.raises(PoolError, match="Vergangenheit"):
        pool.assign(request.reference, mariam.id, anna, "phone", "2020-01-07", "10:00", None)
    # Nothing was written by the refusals.
    assert outbox(database_url, EMAIL_CHANNEL) == []
    assert outbox(database_url, "telegram") == []


def test_a_person_booked_ahead_is_not_deleted_until_the_booking_is_cancelled(
    pool, store, add_staff, database_url
):
    request = dari_request(store, appointment_date="2099-01-05")
    mariam = pool.add(dari_speaker())
    anna = add_staff("Anna Berger")
    booking = pool.assign(request.reference, mariam.id, anna, "phone", "2099-01-05", "10:00", None)
    with pytest.raises(CaseError, match="noch für 1 Termin"):
        pool.delete(mariam.id)
    pool.cancel(request.reference, booking.id, anna)
    pool.delete(mariam.id)
    assert pool.interpreters() == []
    assert pool.request(request.reference).assignments == []
