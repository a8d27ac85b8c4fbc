"""The validated content and the questions the dialogue asks of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.content.matching import FieldMatcher, MunicipalityMatcher
from bot.content.models import (
    TOPICS,
    FaqEntry,
    Field,
    Internship,
    InterpreterPool,
    Mentoring,
    Municipality,
    Offer,
    Organisation,
    ReviewStatus,
    WelcomeCenter,
)


class Content:
    """Everything in ``data/content``, validated. Built by :func:`bot.content.load_content`."""

    def __init__(
        self,
        *,
        directory: Path,
        municipalities: Sequence[Municipality],
        offers: Sequence[Offer],
        internship_fields: Sequence[Field],
        internships: Sequence[Internship],
        welcome_center: WelcomeCenter,
        mentoring: Mentoring,
        coordination_office: Organisation,
        interpreter_pool: InterpreterPool,
        review: Mapping[str, ReviewStatus],
        faq: Sequence[FaqEntry] = (),
    ):
        self.directory = directory
        self.municipalities = tuple(municipalities)
        self.offers = tuple(offers)
        self._fields = tuple(internship_fields)
        self.internships = tuple(internships)
        self.welcome_center = welcome_center
        self.mentoring = mentoring
        self.coordination_office = coordination_office
        self.interpreter_pool = interpreter_pool
        self.review = dict(review)
        self.faq = tuple(faq)
        self._faq_by_id = {entry.id: entry for entry in self.faq}
        self._municipality_matcher = MunicipalityMatcher(self.municipalities)
        self._field_matcher = FieldMatcher(self._fields)

    # -- FAQ

    def faq_entry(self, faq_id: str | None) -> FaqEntry | None:
        """The FAQ entry with this id; None if there is none (any more)."""
        return self._faq_by_id.get(faq_id) if faq_id else None

    # -- municipalities

    @property
    def municipality_names(self) -> list[str]:
        return [m.name for m in self.municipalities]

    def match_municipality(self, text: str | None) -> str | None:
        """Canonical municipality for a typed name, alias, district or misspelling.

        Returns None when the text names no municipality or is ambiguous
        ("Weil" could be Weil der Stadt or Weil im Schönbuch).
        """
        return self._municipality_matcher.match(text)

    def _canonical(self, municipality: str | None) -> str | None:
        if municipality is None or municipality in self.municipality_names:
            return municipality
        return self.match_municipality(municipality)

    # -- offers

    def offers_for(self, topic: str | None = None, municipality: str | None = None) -> list[Offer]:
        """Offers on ``topic`` (None = all topics) for ``municipality``.

        With a municipality: the offers in that municipality first, then the
        county-wide ones; offers only for other towns are left out. A name that
        is not canonical is matched like typed text; if that fails, only
        county-wide offers are returned. Without a municipality: county-wide
        offers first, then all local ones.
        """
        if topic is not None and topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
        matching = [o for o in self.offers if topic is None or topic in o.topics]
        return self._by_place(matching, municipality)

    def _by_place(self, items: list, municipality: str | None) -> list:
        if municipality is None:
            return [i for i in items if i.county_wide] + [i for i in items if not i.county_wide]
        town = self._canonical(municipality)
        local = [i for i in items if not i.county_wide and town in i.municipalities]
        return local + [i for i in items if i.county_wide]

    # -- internships

    @property
    def internship_fields(self) -> list[Field]:
        return list(self._fields)

    def internship_field(self, field_id: str) -> Field | None:
        return next((f for f in self._fields if f.id == field_id), None)

    def match_internship_field(self, text: str | None) -> str | None:
        """Field id for a typed answer in any of the 7 languages, or None."""
        return self._field_matcher.match(text)

    def internships_for(
        self,
        age: int | None = None,
        field: str | None = None,
        municipality: str | None = None,
    ) -> list[Internship]:
        """Internships that fit ``age``, ``field`` (id) and ``municipality``; None = any.

        Order: local before county-wide, and within each, entries made for the
        field before those open to all fields.
        """
        if field is not None and self.internship_field(field) is None:
            raise ValueError(f"unknown internship field {field!r}")
        matching = [i for i in self.internships if i.fits_age(age) and i.has_field(field)]
        placed = self._by_place(matching, municipality)
        if field is None:
            return placed
        local_first = municipality is not None
        return sorted(placed, key=lambda i: (i.county_wide == local_first, i.all_fields))

    # -- review

    def pending_review_languages(self, file: str) -> tuple[str, ...]:
        """Languages in ``file`` ("offers" or "offers.yml") awaiting native review."""
        name = file if file.endswith(".yml") else f"{file}.yml"
        status = self.review.get(name)
        if status is None:
            raise KeyError(f"unknown content file {file!r}")
        return tuple(code for code in status.used if code in status.pending)

    @property
    def pending_review(self) -> dict[str, tuple[str, ...]]:
        """File -> languages awaiting native review (files with none left out)."""
        result = {name: self.pending_review_languages(name) for name in self.review}
        return {name: codes for name, codes in result.items() if codes}

    # -- overview

    def unverified(self) -> list[tuple[str, str]]:
        """(file, id) of entries whose details still need checking (verified: false)."""
        groups = {
            "offers.yml": self.offers,
            "internships.yml": self.internships,
            "welcome_center.yml": (self.welcome_center,),
            "mentoring.yml": self.mentoring.find_mentor + self.mentoring.become_mentor,
            "contacts.yml": (self.coordination_office, self.interpreter_pool),
        }
        return [
            (file, item.id) for file, items in groups.items() for item in items if not item.verified
        ]

    def summary(self) -> str:
        mentoring = len(self.mentoring.find_mentor) + len(self.mentoring.become_mentor)
        return (
            f"{len(self.offers)} offers, {len(self.internships)} internships, "
            f"{len(self._fields)} internship fields, {len(self.municipalities)} municipalities, "
            f"welcome center ({len(self.welcome_center.services)} services), "
            f"{mentoring} mentoring entries, coordination office, "
            f"interpreter pool ({len(self.interpreter_pool.guidelines)} guidelines)"
        )
