"""The chat answer of one content entry, as the assistant would send it.

Uses the same render functions as the dialogue (:mod:`bot.content.render`)
on a :class:`~bot.content.catalog.Content` built from the drafts, so the
preview shows the fallback chain (curated text, prepared machine translation
with its marker, English, German) exactly as newcomers get it.
"""

from __future__ import annotations

from bot.content import render
from bot.content.catalog import Content
from bot.texts import render_marked

NO_ANSWER = "Dieser Eintrag erscheint nicht als eigene Antwort im Chat."


def _by_id(entries, entry_id: str):
    return next((entry for entry in entries if getattr(entry, "id", None) == entry_id), None)


def _faq_answer(entry, language: str) -> str:
    note = render.render_unverified_note(entry.verified, language)
    return "\n".join(part for part in (entry.answer.get(language), note) if part)


def preview_text(content: Content, section_key: str, entry_id: str, language: str) -> str:
    """The message for the entry ``entry_id`` of the section ``section_key`` in ``language``."""
    if section_key == "offers":
        offer = _by_id(content.offers, entry_id)
        return render_marked(language, render.render_offer, offer, language) if offer else NO_ANSWER
    if section_key == "internships":
        item = _by_id(content.internships, entry_id)
        return (
            render_marked(language, render.render_internship, item, language) if item else NO_ANSWER
        )
    if section_key == "fields":
        field = _by_id(content.internship_fields, entry_id)
        return render_marked(language, field.label, language) if field else NO_ANSWER
    if section_key == "welcome_center":
        return render_marked(language, render.render_welcome_center, language, content)
    if section_key.startswith("mentoring"):
        part = {"mentoring.find_mentor": "find", "mentoring.become_mentor": "become"}.get(
            section_key
        )
        return render_marked(language, render.render_mentoring, language, content, section=part)
    if section_key == "coordination_office":
        return render_marked(
            language,
            render.render_contact_card,
            content.coordination_office,
            language,
            with_summary=True,
        )
    if section_key == "interpreter_pool":
        return render_marked(language, render.render_interpreter_guidelines, language, content)
    if section_key == "faq":
        entry = content.faq_entry(entry_id)
        return render_marked(language, _faq_answer, entry, language) if entry else NO_ANSWER
    return NO_ANSWER
