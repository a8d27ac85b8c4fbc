"""What every blueprint of the office app uses: the services, roles, navigation.

A feature module (e.g. ``bot/office/queue.py``) looks like::

    from flask import Blueprint
    from bot.office.web import NavItem, office, role_required, COORDINATOR

    blueprint = Blueprint("queue", __name__, url_prefix="/queue")
    NAV = [NavItem("Anfragen", "queue.index", {COORDINATOR}, order=10)]

    @blueprint.get("/")
    @role_required(COORDINATOR)
    def index(): ...

and is listed in ``bot.office.app.BLUEPRINTS``. Login is required for every
route anyway (``app.py`` checks it centrally); ``role_required`` narrows it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, abort, current_app, url_for
from flask_login import UserMixin, current_user

from bot.office.accounts import ADMIN, COORDINATOR, EDITOR, ROLE_LABELS, ROLES
from bot.office.services import Office
from bot.store.models import StaffUser

__all__ = [
    "ADMIN",
    "COORDINATOR",
    "EDITOR",
    "ROLES",
    "NavItem",
    "StaffMember",
    "nav_for",
    "office",
    "register_nav",
    "role_required",
]

F = TypeVar("F", bound=Callable[..., Any])
NAV_KEY = "welcome_nav"


def office() -> Office:
    """The services of the running app (database, accounts, audit log, …)."""
    return current_app.extensions["welcome"]


@dataclass(frozen=True)
class StaffMember(UserMixin):
    """The signed-in member of staff as Flask-Login sees them (a snapshot of the row).

    The session stores ``"<id>:<session_version>"``: bumping the version in
    the database (password changed, account disabled, logout) ends every
    session made before.
    """

    id: int
    username: str
    display_name: str
    role: str
    session_version: int

    @classmethod
    def of(cls, user: StaffUser) -> StaffMember:
        return cls(user.id, user.username, user.display_name, user.role, user.session_version)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def may(self, roles: Iterable[str]) -> bool:
        """Whether one of ``roles`` fits; an admin may do everything."""
        return self.role == ADMIN or self.role in set(roles)


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow the view to the given roles (and admins, who may do everything); 403 otherwise."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not current_user.may(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation, shown to ``roles`` (admins see every link)."""

    label: str
    endpoint: str
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 100

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(self.roles))


def register_nav(
    app: Flask, label: str, endpoint: str, roles: Iterable[str], *, order: int = 100
) -> None:
    """Add a navigation link (blueprint modules may instead define ``NAV``)."""
    items: list[NavItem] = app.extensions.setdefault(NAV_KEY, [])
    items.append(NavItem(label, endpoint, frozenset(roles), order))
    items.sort(key=lambda item: (item.order, item.label))


def nav_for(user: Any) -> list[dict[str, str]]:
    """The links ``user`` may follow, in order, with their URLs."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = []
    for item in current_app.extensions.get(NAV_KEY, []):
        if item.endpoint in current_app.view_functions and user.may(item.roles):
            links.append(
                {"label": item.label, "url": url_for(item.endpoint), "endpoint": item.endpoint}
            )
    return links
