"""A coordinator holding a newcomer's conversation, written straight into the database.

For the channel tests: accounts and the office app are tested in tests/office.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from bot.casework.store import Casework, Staff
from bot.store import RequestStore
from bot.store.models import StaffUser


def add_coordinator(database_url: str, name: str = "Anna Berger") -> Staff:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            staff_id = connection.execute(
                StaffUser.__table__.insert().values(
                    username=f"anna-{uuid.uuid4().hex[:8]}",
                    display_name=name,
                    role="coordinator",
                    password_hash="-",
                    created_at=dt.datetime.now(dt.timezone.utc),
                )
            ).inserted_primary_key[0]
    finally:
        engine.dispose()
    return Staff(int(staff_id), name)


def hold_conversation(
    database_url: str, sender: str, language: str = "de", channel: str = "webchat"
) -> tuple[Casework, Staff, str]:
    """A request of ``sender`` claimed by a coordinator: (casework, coordinator, reference).

    The caller closes the casework.
    """
    store = RequestStore(database_url)
    try:
        reference = store.save_request(
            sender_id=sender,
            channel=channel,
            category="interpreter",
            language=language,
            fields={"municipality": "Sindelfingen"},
            excerpt=[],
        ).reference
    finally:
        store.close()
    coordinator = add_coordinator(database_url)
    work = Casework(database_url)
    work.claim(reference, coordinator)
    return work, coordinator, reference
