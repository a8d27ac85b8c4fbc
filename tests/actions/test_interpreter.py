"""Interpreter request: every answer the form accepts or asks again, the summary, the
correction flow, and what is stored (only with consent, before the user is told)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.interpreter import (
    ActionAskInterpreterConfirmed,
    ActionShowInterpreterGuidelines,
    ActionSubmitInterpreterRequest,
    ValidateInterpreterForm,
)
from tests.actions.scenarios import (
    ARABIC_INDIC,
    PERSIAN,
    SENDER,
    action,
    button,
    form_turn,
    german,
    in_days,
    interpreter_slots,
    listen,
    responses,
    texts,
    tracker,
    user,
)

FORM = "interpreter_form"

# What the form clears when it ends (the town is kept for the next question).
RESET = [
    SlotSet("interpreter_language", None),
    SlotSet("interpreter_dialect", None),
    SlotSet("appointment_date", None),
    SlotSet("appointment_time", None),
    SlotSet("appointment_kind", None),
    SlotSet("appointment_place", None),
    SlotSet("interpreter_mode", None),
    SlotSet("consent", None),
    SlotSet("contact", None),
    SlotSet("description", None),
    SlotSet("interpreter_confirmed", None),
    SlotSet("contact_as_written", None),
    SlotSet("handoff_note", None),
    SlotSet("handoff_category", None),
    SlotSet("attempts", None),
    SlotSet("unclear_question", None),
    SlotSet("correction_pending", None),
]


async def answer(
    requested_slot: str,
    text: str,
    dispatcher,
    domain,
    *,
    candidate=None,
    intent: str = "inform",
    language: str = "de",
    **slots,
):
    """The user answers the form's question; returns the validation's events."""
    conversation = form_turn(
        FORM,
        requested_slot,
        user(text, intent),
        text if candidate is None else candidate,
        slots={"language": language, **slots},
    )
    return await ValidateInterpreterForm().run(dispatcher, conversation, domain)


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Arabisch", "ar"),
        ("دری", "prs"),
        ("Kurmancî", "kmr"),
        ("Tigrinya", "ti"),
        ("курдська", "ku"),
    ],
)
async def test_the_language_needed_is_stored_as_its_code(text, code, dispatcher, domain):
    events = await answer("interpreter_language", text, dispatcher, domain)

    assert events == [SlotSet("interpreter_language", code), SlotSet("attempts", None)]


async def test_a_language_without_a_known_name_is_kept_as_written(dispatcher, domain):
    events = await answer("interpreter_language", "Wolof", dispatcher, domain)

    assert events == [SlotSet("interpreter_language", "Wolof"), SlotSet("attempts", None)]


async def test_a_question_instead_of_a_language_is_asked_again(dispatcher, domain):
    events = await answer("interpreter_language", "Was meinen Sie damit?", dispatcher, domain)

    assert events == [SlotSet("interpreter_language", None), SlotSet("attempts", 1.0)]


# --------------------------------------------------------------------------- date and time


async def test_a_date_in_the_past_is_rejected(dispatcher, domain):
    events = await answer("appointment_date", german(in_days(-3)), dispatcher, domain)

    assert responses(dispatcher) == ["utter_date_in_past"]
    assert events == [SlotSet("appointment_date", None), SlotSet("attempts", 1.0)]


async def test_yesterday_is_rejected_in_the_users_language(dispatcher, domain):
    events = await answer("appointment_date", "вчера", dispatcher, domain, language="ru")

    assert responses(dispatcher) == ["utter_date_in_past"]
    assert events[0] == SlotSet("appointment_date", None)


@pytest.mark.parametrize("text", ["irgendwann", "bald mal", "31.02.2027", "45.13."])
async def test_an_unparsable_date_is_asked_again(text, dispatcher, domain):
    events = await answer("appointment_date", text, dispatcher, domain)

    assert responses(dispatcher) == ["utter_date_invalid"]
    assert events == [SlotSet("appointment_date", None), SlotSet("attempts", 1.0)]


async def test_a_date_with_a_time_answers_the_time_question_too(dispatcher, domain):
    date = in_days(21)

    events = await answer("appointment_date", f"{german(date)} 10:30", dispatcher, domain)

    assert dispatcher.messages == []
    assert events == [
        SlotSet("appointment_date", date.isoformat()),
        SlotSet("attempts", None),
        SlotSet("appointment_time", "10:30"),
    ]


async def test_a_date_with_a_time_keeps_a_time_given_before(dispatcher, domain):
    date = in_days(21)

    events = await answer(
        "appointment_date", f"{german(date)} 10:30", dispatcher, domain, appointment_time="08:00"
    )

    assert events == [SlotSet("appointment_date", date.isoformat()), SlotSet("attempts", None)]


@pytest.mark.parametrize("digits", [ARABIC_INDIC, PERSIAN], ids=["arabic-indic", "persian"])
async def test_dates_in_arabic_and_persian_digits(digits, dispatcher, domain):
    date = in_days(40)

    events = await answer(
        "appointment_date", german(date).translate(digits), dispatcher, domain, language="ar"
    )

    assert events == [SlotSet("appointment_date", date.isoformat()), SlotSet("attempts", None)]


@pytest.mark.parametrize(
    ("text", "language"),
    [("morgen", "de"), ("tomorrow", "en"), ("غدا", "ar"), ("завтра", "uk"), ("yarın", "tr")],
)
async def test_tomorrow_in_several_languages(text, language, dispatcher, domain):
    events = await answer("appointment_date", text, dispatcher, domain, language=language)

    assert events == [
        SlotSet("appointment_date", in_days(1).isoformat()),
        SlotSet("attempts", None),
    ]


@pytest.mark.parametrize(("text", "days"), [("in 2 Wochen", 14), ("in 3 days", 3)])
async def test_a_relative_date_does_not_invent_a_time(text, days, dispatcher, domain):
    # "in 2 Wochen" holds a number but no clock time: the time question must still come.
    events = await answer("appointment_date", text, dispatcher, domain)

    assert events == [
        SlotSet("appointment_date", in_days(days).isoformat()),
        SlotSet("attempts", None),
    ]


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("10:30", "10:30"),
        ("14 Uhr", "14:00"),
        ("9.15", "09:15"),
        ("٩:٣٠", "09:30"),
        ("3 pm", "15:00"),
    ],
)
async def test_clock_times(text, time, dispatcher, domain):
    events = await answer("appointment_time", text, dispatcher, domain)

    assert events == [SlotSet("appointment_time", time), SlotSet("attempts", None)]


@pytest.mark.parametrize("text", ["vormittags irgendwann", "25:00"])
async def test_a_time_that_is_no_clock_time_is_asked_again(text, dispatcher, domain):
    events = await answer("appointment_time", text, dispatcher, domain)

    assert responses(dispatcher) == ["utter_time_invalid"]
    assert events == [SlotSet("appointment_time", None), SlotSet("attempts", 1.0)]


@pytest.mark.parametrize(
    ("text", "language", "time"),
    [
        ("um halb zehn", "de", "09:30"),
        ("10 Uhr morgens", "de", "10:00"),
        ("14h", "de", "14:00"),
        ("half past nine", "en", "09:30"),
        ("الساعة العاشرة", "ar", "10:00"),
        ("о пів на десяту", "uk", "09:30"),
        ("saat 10", "tr", "10:00"),
        ("ساعت نه و نیم", "fa", "09:30"),
        ("в 10", "ru", "10:00"),
    ],
)
async def test_clock_times_as_people_say_them(text, language, time, dispatcher, domain):
    events = await answer("appointment_time", text, dispatcher, domain, language=language)

    assert events == [SlotSet("appointment_time", time), SlotSet("attempts", None)]


async def test_the_time_question_answered_with_a_day_asks_for_the_time(
    interpreter_time_answered_with_a_date, dispatcher, domain
):
    events = await ValidateInterpreterForm().run(
        dispatcher, interpreter_time_answered_with_a_date, domain
    )

    assert responses(dispatcher) == ["utter_time_is_a_date"]
    assert events == [SlotSet("appointment_time", None), SlotSet("attempts", 1.0)]


async def test_the_date_question_answered_with_a_time_asks_for_the_day(
    interpreter_date_answered_with_a_time, dispatcher, domain
):
    events = await ValidateInterpreterForm().run(
        dispatcher, interpreter_date_answered_with_a_time, domain
    )

    # dateparser alone would have made it today at ten.
    assert responses(dispatcher) == ["utter_date_is_a_time"]
    assert events == [SlotSet("appointment_date", None), SlotSet("attempts", 1.0)]


@pytest.mark.parametrize(
    ("text", "language"),
    [("am 3. Januar", "de"), ("January 3rd", "en"), ("3.1.", "de"), ("15.12.2026", "de")],
)
async def test_a_date_is_no_answer_to_the_time_question(text, language, dispatcher, domain):
    events = await answer("appointment_time", text, dispatcher, domain, language=language)

    # Was taken as 3 o'clock ("am 3. Januar"); now the user hears a time is asked for.
    assert responses(dispatcher) == ["utter_time_is_a_date"]
    assert events == [SlotSet("appointment_time", None), SlotSet("attempts", 1.0)]


@pytest.mark.parametrize(
    ("text", "language"), [("um 10 Uhr", "de"), ("at 3 pm", "en"), ("в 10", "ru")]
)
async def test_a_time_alone_is_no_answer_to_the_date_question(text, language, dispatcher, domain):
    events = await answer("appointment_date", text, dispatcher, domain, language=language)

    assert responses(dispatcher) == ["utter_date_is_a_time"]
    assert events == [SlotSet("appointment_date", None), SlotSet("attempts", 1.0)]


async def test_a_day_without_a_year_and_a_time_answer_both_questions(dispatcher, domain):
    date = in_days(21)

    events = await answer("appointment_date", f"{date:%d.%m.} um 10:30", dispatcher, domain)

    assert dispatcher.messages == []
    assert events == [
        SlotSet("appointment_date", date.isoformat()),
        SlotSet("attempts", None),
        SlotSet("appointment_time", "10:30"),
    ]


# --------------------------------------------------------------------------- choices


@pytest.mark.parametrize(
    ("slot", "text", "choice"),
    [
        ("appointment_kind", "Arzt", "health"),
        ("appointment_kind", "طبيب", "health"),
        ("appointment_kind", "врач", "health"),
        ("appointment_kind", "Termin im Jobcenter", "authority"),
        ("appointment_kind", "okul", "school"),
        ("appointment_kind", "مشاوره", "counselling"),
        ("interpreter_mode", "телефон", "phone"),
        ("interpreter_mode", "am Telefon", "phone"),
        ("interpreter_mode", "vor Ort", "on_site"),
        ("interpreter_mode", "حضوری", "on_site"),
    ],
)
async def test_choices_typed_instead_of_tapped(slot, text, choice, dispatcher, domain):
    events = await answer(slot, text, dispatcher, domain)

    assert dispatcher.messages == []
    assert events == [SlotSet(slot, choice), SlotSet("attempts", None)]


@pytest.mark.parametrize(
    "text",
    [
        "عند الطبيب",  # "at the doctor": Arabic writes the article joined to the noun
        "المستشفى",  # "the hospital"
        "Kinderarzt",  # German compound
        "к врачу",  # Russian: "to the doctor"
        "hastaneye",  # Turkish: "to the hospital"
    ],
    ids=[
        "ar-at-the-doctor",
        "ar-the-hospital",
        "de-Kinderarzt",
        "ru-to-the-doctor",
        "tr-hastaneye",
    ],
)
async def test_a_doctors_appointment_in_natural_wording(text, dispatcher, domain):
    events = await answer("appointment_kind", text, dispatcher, domain)

    assert events == [SlotSet("appointment_kind", "health"), SlotSet("attempts", None)]


async def test_an_unknown_kind_of_appointment_asks_to_use_the_buttons(dispatcher, domain):
    events = await answer("appointment_kind", "weiß nicht", dispatcher, domain)

    assert responses(dispatcher) == ["utter_choose_with_buttons"]
    assert events == [SlotSet("appointment_kind", None), SlotSet("attempts", 1.0)]


async def test_after_three_unclear_kinds_the_office_gets_what_the_user_wrote(dispatcher, domain):
    events = await answer("appointment_kind", "weiß nicht", dispatcher, domain, attempts=2.0)

    assert dispatcher.messages == []
    assert events == [SlotSet("appointment_kind", "weiß nicht"), SlotSet("attempts", None)]


async def test_an_unclear_mode_is_asked_again(dispatcher, domain):
    events = await answer("interpreter_mode", "egal", dispatcher, domain, attempts=1.0)

    assert responses(dispatcher) == ["utter_choose_with_buttons"]
    assert events == [SlotSet("interpreter_mode", None), SlotSet("attempts", 2.0)]


async def test_after_three_unclear_modes_the_form_moves_on_with_the_answer(dispatcher, domain):
    events = await answer("interpreter_mode", "egal", dispatcher, domain, attempts=2.0)

    assert dispatcher.messages == []
    assert events == [SlotSet("interpreter_mode", "egal"), SlotSet("attempts", None)]


# --------------------------------------------------------------------------- consent


@pytest.mark.parametrize("word", ["ja", "Yes", "نعم", "так", "да", "Evet", "بله", "ok."])
async def test_consent_words_in_every_language(word, dispatcher, domain):
    events = await answer("consent", word, dispatcher, domain, **interpreter_slots(consent=None))

    assert events == [SlotSet("consent", True), SlotSet("attempts", None)]


@pytest.mark.parametrize("word", ["nein", "No", "لا", "ні", "нет", "hayır", "نه", "خیر"])
async def test_refusal_words_in_every_language_end_the_form(word, dispatcher, domain):
    events = await answer(
        "consent",
        word,
        dispatcher,
        domain,
        **interpreter_slots(
            consent=None, contact=None, description=None, interpreter_confirmed=None
        ),
    )

    # Nothing personal is asked after a no: the form ends at once.
    assert events == [
        SlotSet("consent", False),
        SlotSet("attempts", None),
        SlotSet("requested_slot", None),
    ]


async def test_the_yes_button_gives_consent(dispatcher, domain):
    conversation = form_turn(
        FORM,
        "consent",
        button("/affirm", "affirm"),
        True,
        slots={**interpreter_slots(consent=None, contact=None, interpreter_confirmed=None)},
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert events == [SlotSet("consent", True), SlotSet("attempts", None)]


async def test_an_unclear_answer_to_consent_is_asked_again(dispatcher, domain):
    events = await answer(
        "consent", "vielleicht", dispatcher, domain, **interpreter_slots(consent=None)
    )

    assert responses(dispatcher) == ["utter_consent_unclear"]
    assert events == [SlotSet("consent", None), SlotSet("attempts", 1.0)]


async def test_consent_is_never_assumed_after_three_unclear_answers(dispatcher, domain):
    events = await answer(
        "consent",
        "hmm",
        dispatcher,
        domain,
        **interpreter_slots(
            consent=None, contact=None, description=None, interpreter_confirmed=None
        ),
        attempts=2.0,
    )

    assert SlotSet("consent", False) in events
    assert SlotSet("consent", True) not in events
    assert events[-1] == SlotSet("requested_slot", None)


# --------------------------------------------------------------------------- contact


async def test_a_number_in_a_sentence_is_accepted_not_refused(
    interpreter_contact_written_in_a_sentence, request_store, dispatcher, domain
):
    events = await ValidateInterpreterForm().run(
        dispatcher, interpreter_contact_written_in_a_sentence, domain
    )

    assert "utter_contact_invalid" not in responses(dispatcher)
    assert events == [
        SlotSet("contact", "+4915123456789"),
        SlotSet("contact_as_written", "Telefon 0151 23456789"),
        SlotSet("attempts", None),
    ]


@pytest.mark.parametrize(
    ("text", "language", "contact"),
    [
        ("Telefon 0151 23456789", "de", "+4915123456789"),
        ("meine Nummer ist 0151 23456789", "de", "+4915123456789"),
        ("Tel.: 07031/663-0", "de", "+4970316630"),
        ("my number is +49 151 23456789", "en", "+4915123456789"),
        ("رقمي ٠١٥١٢٣٤٥٦٧٨٩", "ar", "+4915123456789"),
        ("мій номер 0151 234 567 89", "uk", "+4915123456789"),
        ("numaram 0151 23456789", "tr", "+4915123456789"),
        ("شماره من ۰۱۵۱۲۳۴۵۶۷۸۹", "fa", "+4915123456789"),
        ("мой номер +49 151 23456789", "ru", "+4915123456789"),
        ("my email is amira.h@example.de", "en", "amira.h@example.de"),
    ],
)
async def test_a_contact_in_a_sentence_is_stored_normalised_next_to_what_was_written(
    text, language, contact, dispatcher, domain
):
    events = await answer("contact", text, dispatcher, domain, language=language)

    assert dispatcher.messages == []
    assert events == [
        SlotSet("contact", contact),
        SlotSet("contact_as_written", text),
        SlotSet("attempts", None),
    ]


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("0151 23456789", "+4915123456789"),
        ("+49 151 23456789", "+4915123456789"),
        ("٠١٥١٢٣٤٥٦٧٨٩", "+4915123456789"),
        ("amira.h@example.de", "amira.h@example.de"),
    ],
)
async def test_phone_numbers_and_email_addresses(text, contact, dispatcher, domain):
    events = await answer("contact", text, dispatcher, domain)

    # An address alone is what was written: it is not stored twice.
    as_written = None if text == contact else text
    assert events == [
        SlotSet("contact", contact),
        SlotSet("contact_as_written", as_written),
        SlotSet("attempts", None),
    ]


async def test_the_chat_button_means_answer_in_the_chat(dispatcher, domain):
    conversation = form_turn(
        FORM,
        "contact",
        button('/inform{"contact_method": "chat"}', "inform", {"contact_method": "chat"}),
        "chat",
        slots={"language": "de", "contact_as_written": "Telefon 0151 23456789"},
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    # A number written before (then corrected to the chat) does not stay behind.
    assert events == [
        SlotSet("contact", "chat"),
        SlotSet("contact_as_written", None),
        SlotSet("attempts", None),
    ]


async def test_typing_chat_means_answer_in_the_chat(dispatcher, domain):
    # The question says "… or the answer comes here in the chat"; phones capitalise.
    events = await answer("contact", "Chat", dispatcher, domain)

    assert events == [
        SlotSet("contact", "chat"),
        SlotSet("contact_as_written", None),
        SlotSet("attempts", None),
    ]


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "contact"),
    [
        # Real misreadings of our NLU: a contact answer is no command when unsure.
        ("Bitte im Chat", "delete_data", 0.26, "chat"),
        ("meine Nummer ist 0151 23456789", "delete_data", 0.67, "+4915123456789"),
        ("Telefon 0151 23456789", "nlu_fallback", 0.25, "+4915123456789"),
    ],
)
async def test_a_typed_contact_is_read_by_the_form_itself(
    text, intent, confidence, contact, dispatcher, domain
):
    # No candidate from Rasa: the contact's typed answer is a custom mapping.
    conversation = tracker(
        [action(FORM), listen(), user(text, intent, confidence=confidence)],
        slots={**interpreter_slots(contact=None, description=None), "requested_slot": "contact"},
        form=FORM,
        requested_slot="contact",
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert SlotSet("contact", contact) in events


async def test_a_short_confident_command_at_the_contact_question_is_left_to_the_rules(
    dispatcher, domain
):
    conversation = tracker(
        [action(FORM), listen(), user("Daten löschen", "delete_data", confidence=0.97)],
        slots={**interpreter_slots(contact=None, description=None), "requested_slot": "contact"},
        form=FORM,
        requested_slot="contact",
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    # Nothing taken as the contact: Rasa rejects the form and the rules ask about deleting.
    assert [e for e in events if e["name"] not in ("requested_slot",)] == []


@pytest.mark.parametrize(
    "text", ["morgen früh", "12345", "name@", "ruf mich an", "Telefon 0151 2345678"]
)
async def test_something_that_is_no_contact_is_asked_again(text, dispatcher, domain):
    events = await answer("contact", text, dispatcher, domain)

    assert responses(dispatcher) == ["utter_contact_invalid"]
    assert events == [SlotSet("contact", None), SlotSet("attempts", 1.0)]


# --------------------------------------------------------------------------- free text


async def test_a_description_over_1000_characters_is_too_long(dispatcher, domain):
    events = await answer("description", "x" * 1001, dispatcher, domain)

    assert responses(dispatcher) == ["utter_text_too_long"]
    assert dispatcher.messages[0]["max_chars"] == 1000
    assert events == [SlotSet("description", None), SlotSet("attempts", 1.0)]


async def test_a_description_of_exactly_1000_characters_is_kept(dispatcher, domain):
    text = ("Termin beim Kinderarzt. " * 50)[:1000]

    events = await answer("description", text, dispatcher, domain)

    assert events == [SlotSet("description", text.strip()), SlotSet("attempts", None)]


async def test_markup_is_removed_from_what_is_stored(dispatcher, domain):
    events = await answer(
        "description",
        '<b>Termin</b> beim <a href="http://evil.example">Amt</a> &lt;script&gt;',
        dispatcher,
        domain,
    )

    assert events == [SlotSet("description", "Termin beim Amt"), SlotSet("attempts", None)]


async def test_no_dialect_is_fine(dispatcher, domain):
    conversation = form_turn(
        FORM, "interpreter_dialect", button("/deny", "deny"), "-", slots={"language": "de"}
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert events == [SlotSet("interpreter_dialect", "-"), SlotSet("attempts", None)]


async def test_a_place_of_only_markup_is_asked_again_without_a_message(dispatcher, domain):
    events = await answer("appointment_place", "<br><br>", dispatcher, domain)

    assert dispatcher.messages == []
    assert events == [SlotSet("appointment_place", None), SlotSet("attempts", 1.0)]


# --------------------------------------------------------------------------- summary


async def test_the_summary_shows_every_answer_with_german_labels(dispatcher, domain):
    date = in_days(30)
    conversation = tracker(
        [],
        slots=interpreter_slots(
            language="de",
            interpreter_dialect="-",
            appointment_date=date.isoformat(),
            contact="chat",
            interpreter_confirmed=None,
        ),
        form=FORM,
        requested_slot="interpreter_confirmed",
    )

    await ActionAskInterpreterConfirmed().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_interpreter_summary"]
    assert dispatcher.messages[0]["summary"] == "\n".join(
        [
            "• Sprache: Arabisch",
            "• Dialekt: keine Angabe",
            f"• Datum: {german(date)}",
            "• Uhrzeit: 10:30",
            "• Art des Termins: Arzt oder Krankenhaus",
            "• Ort: Kinderarztpraxis Dr. Weber, Böblingen",
            "• Gemeinde: Böblingen",
            "• Vor Ort oder Telefon: vor Ort",
            "• Kontakt: Antwort hier im Chat",
            "• Beschreibung: Untersuchung meiner Tochter",
        ]
    )


async def test_the_summary_is_in_the_users_language(dispatcher, domain):
    conversation = tracker(
        [],
        slots=interpreter_slots(
            language="ar", interpreter_mode="phone", municipality="all", interpreter_confirmed=None
        ),
        form=FORM,
        requested_slot="interpreter_confirmed",
    )

    await ActionAskInterpreterConfirmed().run(dispatcher, conversation, domain)

    summary = dispatcher.messages[0]["summary"].splitlines()
    assert summary[0] == "• اللغة: العربية"
    assert "• نوع الموعد: طبيب أو مستشفى" in summary
    assert "• حضورياً أو بالهاتف: بالهاتف" in summary
    assert "• البلدة: المنطقة كلها" in summary


# --------------------------------------------------------------------------- correction


async def test_no_to_the_summary_asks_which_answer_to_change(dispatcher, domain):
    conversation = form_turn(
        FORM, "interpreter_confirmed", button("/deny", "deny"), False, slots=interpreter_slots()
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert events == [SlotSet("interpreter_confirmed", None), SlotSet("correction_pending", True)]

    asking = tracker(
        conversation.events + events,
        slots={**conversation.slots, "interpreter_confirmed": None, "correction_pending": True},
        form=FORM,
        requested_slot="interpreter_confirmed",
    )
    await ActionAskInterpreterConfirmed().run(dispatcher, asking, domain)

    assert responses(dispatcher) == ["utter_ask_change_field"]


async def test_choosing_a_field_clears_it_so_the_form_asks_it_again(dispatcher, domain):
    conversation = form_turn(
        FORM,
        "interpreter_confirmed",
        button(
            '/inform{"change_field": "appointment_date"}',
            "inform",
            {"change_field": "appointment_date"},
        ),
        "appointment_date",
        slots=interpreter_slots(interpreter_confirmed=None, correction_pending=True),
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert events == [
        SlotSet("interpreter_confirmed", None),
        SlotSet("appointment_date", None),
        SlotSet("correction_pending", None),
        SlotSet("attempts", None),
    ]


@pytest.mark.parametrize(
    ("text", "language"), [("Uhrzeit", "de"), ("الوقت", "ar"), ("uhrzeit", "tr")]
)
async def test_typing_the_label_of_a_field_chooses_it(text, language, dispatcher, domain):
    conversation = form_turn(
        FORM,
        "interpreter_confirmed",
        user(text, "inform"),
        text,
        slots=interpreter_slots(
            language=language, interpreter_confirmed=None, correction_pending=True
        ),
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert SlotSet("appointment_time", None) in events
    assert SlotSet("interpreter_confirmed", None) in events


async def test_never_confirming_abandons_the_request_after_three_answers(dispatcher, domain):
    conversation = form_turn(
        FORM,
        "interpreter_confirmed",
        user("hmm", "inform"),
        "hmm",
        slots=interpreter_slots(interpreter_confirmed=None, attempts=2.0),
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert events == [SlotSet("interpreter_confirmed", "abandoned"), SlotSet("attempts", None)]


async def test_an_unclear_answer_to_the_summary_shows_it_again(dispatcher, domain):
    conversation = form_turn(
        FORM,
        "interpreter_confirmed",
        user("hmm", "inform"),
        "hmm",
        slots=interpreter_slots(interpreter_confirmed=None, attempts=1.0),
    )

    events = await ValidateInterpreterForm().run(dispatcher, conversation, domain)

    assert events == [SlotSet("interpreter_confirmed", None), SlotSet("attempts", 2.0)]


# --------------------------------------------------------------------------- submit


async def test_an_abandoned_request_is_not_sent_and_not_stored(
    interpreter_request_abandoned, request_store, dispatcher, domain
):
    events = await ActionSubmitInterpreterRequest().run(
        dispatcher, interpreter_request_abandoned, domain
    )

    assert responses(dispatcher) == ["utter_interpreter_not_sent"]
    assert request_store.list_requests() == []
    assert events == RESET


async def test_a_confirmed_request_is_stored_before_the_user_gets_its_number(
    interpreter_request_confirmed, request_store, dispatcher, domain
):
    events = await ActionSubmitInterpreterRequest().run(
        dispatcher, interpreter_request_confirmed, domain
    )

    assert responses(dispatcher) == ["utter_handoff_confirmed"]
    reference = dispatcher.messages[0]["reference"]
    stored = request_store.get(reference)
    assert stored is not None
    assert stored.category == "interpreter"
    assert stored.sender_id == SENDER
    assert stored.channel == "telegram"
    assert stored.language == "ar"
    slots = interpreter_request_confirmed.slots
    assert stored.fields == {
        "interpreter_language": "ar",
        "interpreter_dialect": "syrisch",
        "appointment_date": slots["appointment_date"],
        "appointment_time": "10:30",
        "appointment_kind": "health",
        "appointment_place": "Kinderarztpraxis Dr. Weber, Böblingen",
        "municipality": "Böblingen",
        "interpreter_mode": "on_site",
        "contact": "+4915123456789",
        "contact_as_written": "Telefon 0151 23456789",
        "description": "Untersuchung meiner Tochter",
    }
    assert stored.excerpt[0] == {"role": "user", "text": "أحتاج مترجما عند الطبيب"}
    assert {"role": "user", "text": "[affirm]"} in stored.excerpt
    assert events == RESET


async def test_without_consent_nothing_is_stored_and_the_office_contact_is_shown(
    interpreter_request_without_consent, request_store, dispatcher, domain
):
    events = await ActionSubmitInterpreterRequest().run(
        dispatcher, interpreter_request_without_consent, domain
    )

    assert responses(dispatcher) == ["utter_handoff_declined", "text"]
    card = texts(dispatcher)[0]
    assert card.splitlines()[0] == "Koordinierungsstelle Integration (Landratsamt Böblingen)"
    assert "https://www.lrabb.de" in card
    assert request_store.list_requests() == []
    assert events == RESET


async def test_when_storing_fails_the_user_is_told_and_gets_the_contact(
    interpreter_request_confirmed, broken_store, dispatcher, domain
):
    await ActionSubmitInterpreterRequest().run(dispatcher, interpreter_request_confirmed, domain)

    assert responses(dispatcher) == ["utter_handoff_failed", "text"]
    assert "utter_handoff_confirmed" not in responses(dispatcher)
    assert "Koordinierungsstelle Integration" in texts(dispatcher)[0]


async def test_the_guidelines_come_before_the_first_question(dispatcher, domain):
    conversation = tracker(
        [user("Мне нужен переводчик к врачу", "request_interpreter")], slots={"language": "ru"}
    )

    events = await ActionShowInterpreterGuidelines().run(dispatcher, conversation, domain)

    assert responses(dispatcher) == ["utter_interpreter_intro", "text"]
    assert texts(dispatcher)[0].startswith("Правила пула переводчиков")
    assert events == [SlotSet("attempts", None), SlotSet("correction_pending", None)]
