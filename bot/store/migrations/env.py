"""Alembic environment of the assistant's tables.

Used in two ways:

* ``RequestStore.migrate()`` passes an open connection in
  ``config.attributes["connection"]`` (the normal way, from any directory);
* a developer runs ``alembic -c bot/store/migrations/alembic.ini ...``; then the
  URL comes from :func:`bot.settings.get_settings` (or ``-x url=...``).

Only the tables declared in :mod:`bot.store.models` are compared by
autogenerate; Rasa's ``events`` table is left alone.
"""

from __future__ import annotations

from alembic import context

from bot.store.db import make_engine
from bot.store.models import include_name, metadata

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=include_name,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from bot.settings import get_settings

    return get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=metadata,
        include_name=include_name,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
