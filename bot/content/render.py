"""Short plain-text chat messages from content entries, in the user's language.

Texts fall back from the user's language to its machine translation prepared
at build time, then to English, then German (:func:`bot.texts.localized`).
Small labels (Phone, E-Mail, ...) come from the catalogue ``data/texts.yml``.
Entries with ``verified: false`` get a visible notice that their details are
still being checked. Output is plain text; the channels escape it (no HTML,
no Markdown).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.content.catalog import Content
from bot.content.models import (
    Contact,
    FaqEntry,
    Internship,
    MentoringEntry,
    Offer,
    Organisation,
    WelcomeCenter,
)
from bot.texts import text

BULLET = "• "


def label(key: str, lang: str | None) -> str:
    """A small label of a content card ("Telefon") in ``lang`` (data/texts.yml, ``card.*``)."""
    return text(f"card.{key}", lang)


def _content(content: Content | None) -> Content:
    if content is not None:
        return content
    from bot.content import get_content

    return get_content()


def _join(blocks: Iterable[str | None]) -> str:
    return "\n".join(block for block in blocks if block)


def render_contact_lines(contact: Contact, lang: str | None) -> list[str]:
    """ "Phone: ...", "E-Mail: ...", ... for the parts that are known."""
    lines = []
    for key in ("phone", "email", "website", "address"):
        value = getattr(contact, key)
        if value:
            lines.append(f"{label(key, lang)}: {value}")
    return lines


def render_unverified_note(verified: bool, lang: str | None) -> str | None:
    return None if verified else label("unverified", lang)


def _where(county_wide: bool, municipalities: Sequence[str], lang: str | None) -> str:
    place = label("county_wide", lang) if county_wide else ", ".join(municipalities)
    return f"{label('where', lang)}: {place}"


def render_age_range(min_age: int | None, max_age: int | None, lang: str | None) -> str | None:
    if min_age is None and max_age is None:
        return None
    if min_age is not None and max_age is not None:
        text = label("age_between", lang).format(min=min_age, max=max_age)
    elif min_age is not None:
        text = label("age_from", lang).format(min=min_age)
    else:
        text = label("age_to", lang).format(max=max_age)
    return f"{label('age', lang)}: {text}"


def render_offer(offer: Offer, lang: str | None) -> str:
    """Title, summary, provider, place, contact and (if unverified) the notice."""
    return _join(
        [
            offer.title.get(lang),
            offer.summary.get(lang),
            f"{label('provider', lang)}: {offer.provider}",
            _where(offer.county_wide, offer.municipalities, lang),
            *render_contact_lines(offer.contact, lang),
            render_unverified_note(offer.verified, lang),
        ]
    )


def render_faq_answer(entry: FaqEntry, lang: str | None) -> str:
    """The answer and (if unverified) the notice that its details are still being checked."""
    return _join([entry.answer.get(lang), render_unverified_note(entry.verified, lang)])


def render_internship(item: Internship, lang: str | None) -> str:
    fields = (
        label("all_fields", lang)
        if item.all_fields
        else ", ".join(field.label(lang) for field in item.fields)
    )
    return _join(
        [
            item.title.get(lang),
            item.summary.get(lang),
            f"{label('provider', lang)}: {item.provider}" if item.provider else None,
            f"{label('fields', lang)}: {fields}" if fields else None,
            render_age_range(item.min_age, item.max_age, lang),
            _where(item.county_wide, item.municipalities, lang),
            *render_contact_lines(item.contact, lang),
            render_unverified_note(item.verified, lang),
        ]
    )


def render_contact_card(
    org: Organisation | WelcomeCenter | Offer | MentoringEntry | Internship,
    lang: str | None,
    *,
    with_summary: bool = False,
) -> str:
    """Name, (summary,) contact details and the notice for unverified details."""
    if isinstance(org, (Organisation, WelcomeCenter)):
        name = org.name
        parent = getattr(org, "organisation", None)
        if parent:
            name = f"{name} ({parent})"
    else:
        name = org.title.get(lang)
    return _join(
        [
            name,
            org.summary.get(lang) if with_summary else None,
            *render_contact_lines(org.contact, lang),
            render_unverified_note(org.verified, lang),
        ]
    )


def render_welcome_center(lang: str | None, content: Content | None = None) -> str:
    center = _content(content).welcome_center
    services = [f"{BULLET}{service.text.get(lang)}" for service in center.services]
    return _join(
        [
            center.name,
            center.summary.get(lang),
            label("services", lang) if services else None,
            *services,
            *render_contact_lines(center.contact, lang),
            render_unverified_note(center.verified, lang),
        ]
    )


def _mentoring_entry(entry: MentoringEntry, lang: str | None) -> str:
    return _join(
        [
            f"{BULLET}{entry.title.get(lang)}",
            entry.summary.get(lang),
            *render_contact_lines(entry.contact, lang),
            render_unverified_note(entry.verified, lang),
        ]
    )


def render_mentoring(
    lang: str | None, content: Content | None = None, *, section: str | None = None
) -> str:
    """Explanation plus the ways to find (``section="find"``) and/or become a mentor."""
    if section not in (None, "find", "become"):
        raise ValueError(f"section must be 'find', 'become' or None, not {section!r}")
    mentoring = _content(content).mentoring
    blocks = [mentoring.explanation.get(lang)]
    for key, entries in (("find", mentoring.find_mentor), ("become", mentoring.become_mentor)):
        if section in (None, key) and entries:
            heading = label("find_mentor" if key == "find" else "become_mentor", lang)
            blocks.append(_join([heading, *(_mentoring_entry(e, lang) for e in entries)]))
    return "\n\n".join(blocks)


def render_interpreter_guidelines(lang: str | None, content: Content | None = None) -> str:
    pool = _content(content).interpreter_pool
    blocks = [label("guidelines", lang)]
    blocks += [_join([g.title.get(lang), g.text.get(lang)]) for g in pool.guidelines]
    note = render_unverified_note(pool.verified, lang)
    if note:
        blocks.append(note)
    return "\n\n".join(blocks)
