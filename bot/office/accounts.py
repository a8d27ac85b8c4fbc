"""Staff accounts of the office app: passwords, roles, lockout (no Flask here).

The web app, ``welcome users`` and ``welcome office`` share this service, so a
rule (password length, lockout) holds wherever an account is changed. Error
messages are German sentences for staff; nothing here logs a password.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.office.audit import AuditLog
from bot.store.models import StaffUser

COORDINATOR = "coordinator"
EDITOR = "editor"
ADMIN = "admin"
ROLES = (COORDINATOR, EDITOR, ADMIN)
ROLE_LABELS = {COORDINATOR: "Koordination", EDITOR: "Redaktion", ADMIN: "Verwaltung"}

#: Failed logins in a row after which an account is locked, and for how long.
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
#: Passwords people pick first (NIST SP 800-63B: refuse known and context-specific ones).
#: Compared after lowercasing and without trailing digits and punctuation.
COMMON_PASSWORDS = frozenset(
    {
        "password", "passwort", "kennwort", "geheim", "qwertz", "qwerty", "qwertzuiop",
        "qwertyuiop", "asdfghjkl", "hallo", "willkommen", "willkommenslotse", "welcome",
        "boeblingen", "böblingen", "landkreis", "landratsamt", "sindelfingen", "letmein",
        "iloveyou", "admin", "administrator", "sommer", "winter", "fruehling", "frühling",
        "herbst", "koordination", "integration", "changeme", "abcdefghijkl", "passwortpasswort",
        "passwordpassword", "1234567890", "123456789012", "0987654321",
    }
)  # fmt: skip

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
LOGIN_INVALID = "invalid"
LOGIN_LOCKED = "locked"

#: How many unknown usernames the lockout remembers (in this process) at most.
_UNKNOWN_NAMES_KEPT = 10_000


class AccountError(ValueError):
    """A change to an account was refused; the message says why (German, for staff)."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with ``password`` as German sentences; empty when it is acceptable.

    NIST's rules instead of composition rules: long enough, not too long for the
    hash, not the username, not a well-known or obvious password.
    """
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(
            f"Das Passwort ist zu kurz: Es muss mindestens {PASSWORD_MIN_LENGTH} Zeichen "
            f"lang sein (jetzt {len(password)})."
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(
            f"Das Passwort ist zu lang: Es darf höchstens {PASSWORD_MAX_LENGTH} Zeichen lang sein."
        )
    lowered = password.lower()
    name = normalise_username(username)
    if name and len(name) >= 3 and name in lowered:
        problems.append("Das Passwort darf den Benutzernamen nicht enthalten.")
    core = lowered.strip().rstrip("0123456789!?.,;:-_+*#@$%&/ ")
    if lowered in COMMON_PASSWORDS or core in COMMON_PASSWORDS:
        problems.append("Das Passwort ist zu bekannt und leicht zu erraten.")
    elif password and len(set(password)) == 1:
        problems.append("Das Passwort besteht nur aus einem einzigen, wiederholten Zeichen.")
    elif len(password) >= 4 and _is_sequence(lowered):
        problems.append("Das Passwort ist eine einfache Zeichenfolge (wie 123456… oder abcdef…).")
    return problems


#: Runs of keys and characters people type as a "password" (forwards or backwards).
_SEQUENCES = (
    "0123456789" * 14,
    "abcdefghijklmnopqrstuvwxyz" * 6,
    "qwertzuiopüasdfghjklöäyxcvbnm" * 5,
    "qwertyuiopasdfghjklzxcvbnm" * 5,
)


def _is_sequence(text: str) -> bool:
    return any(text in run or text in run[::-1] for run in _SEQUENCES)


def check_password(password: str, username: str = "") -> None:
    """Raise :class:`AccountError` naming every problem of ``password``."""
    problems = password_problems(password, username)
    if problems:
        raise AccountError(" ".join(problems))


@dataclass(frozen=True)
class LoginFailure:
    """Why a login was refused: ``invalid`` (never says whether the user exists) or ``locked``."""

    reason: str
    locked_until: datetime | None = None


class Accounts:
    """Staff accounts on the office database.

    ``clock`` returns the current aware UTC time (tests move it forward instead
    of sleeping); ``hasher`` is Argon2id with the library's defaults, tests pass
    a cheaper one.
    """

    def __init__(
        self,
        sessions: sessionmaker,
        audit: AuditLog,
        *,
        clock: Callable[[], datetime] = utcnow,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._sessions = sessions
        self._audit = audit
        self._clock = clock
        self.hasher = hasher or PasswordHasher()
        # Unknown usernames lock like real ones, so a lock message does not tell
        # an attacker that the account exists. Kept in memory: one office process.
        self._unknown: OrderedDict[str, tuple[int, datetime | None]] = OrderedDict()
        self._unknown_lock = threading.Lock()
        self._dummy_hash: str | None = None

    # -- reading ------------------------------------------------------------------

    def list(self) -> list[StaffUser]:
        with self._sessions() as session:
            return list(session.scalars(sa.select(StaffUser).order_by(StaffUser.username)))

    def get(self, user_id: int) -> StaffUser | None:
        with self._sessions() as session:
            return session.get(StaffUser, user_id)

    def by_username(self, username: str) -> StaffUser | None:
        with self._sessions() as session:
            return self._find(session, username)

    def has_active_admin(self) -> bool:
        with self._sessions() as session:
            return self._count_active_admins(session) > 0

    # -- changing -----------------------------------------------------------------

    def add(
        self,
        username: str,
        display_name: str,
        role: str,
        password: str,
        email: str | None = None,
    ) -> StaffUser:
        """Create an active account; :class:`AccountError` names what is wrong."""
        name = normalise_username(username)
        if not USERNAME_RE.match(name):
            raise AccountError(
                "Der Benutzername muss 2 bis 64 Zeichen lang sein und darf nur Kleinbuchstaben "
                "a–z, Ziffern, Punkt, Binde- und Unterstrich enthalten."
            )
        display_name = " ".join((display_name or "").split())
        if not display_name or len(display_name) > 120:
            raise AccountError("Bitte einen Namen mit höchstens 120 Zeichen angeben.")
        self._check_role(role)
        email = (email or "").strip() or None
        if email is not None and (len(email) > 254 or not re.match(r"^[^@\s]+@[^@\s]+$", email)):
            raise AccountError(f"Die E-Mail-Adresse '{email}' ist ungültig.")
        check_password(password, name)
        now = self._clock()
        user = StaffUser(
            username=name,
            display_name=display_name,
            email=email,
            role=role,
            password_hash=self.hasher.hash(password),
            active=True,
            failed_logins=0,
            session_version=0,
            created_at=now,
            password_changed_at=now,
        )
        with self._sessions() as session:
            if self._find(session, name) is not None:
                raise AccountError(f"Den Benutzernamen '{name}' gibt es schon.")
            session.add(user)
            try:
                session.commit()
            except IntegrityError:
                raise AccountError(f"Den Benutzernamen '{name}' gibt es schon.") from None
        return user

    def disable(self, username: str) -> StaffUser:
        """Disable an account and end its sessions (the last active admin stays)."""
        with self._sessions() as session:
            user = self._require(session, username)
            if user.active and user.role == ADMIN and self._count_active_admins(session) <= 1:
                raise AccountError(
                    "Das letzte aktive Admin-Konto kann nicht deaktiviert werden. "
                    "Legen Sie zuerst ein weiteres Admin-Konto an."
                )
            user.active = False
            user.session_version += 1
            session.commit()
            return user

    def enable(self, username: str) -> StaffUser:
        """Enable an account again (and lift a lock)."""
        with self._sessions() as session:
            user = self._require(session, username)
            user.active = True
            user.failed_logins = 0
            user.locked_until = None
            session.commit()
            return user

    def set_password(self, username: str, password: str) -> StaffUser:
        """Set a new password, end every session of the account and lift a lock."""
        with self._sessions() as session:
            user = self._require(session, username)
            check_password(password, user.username)
            user.password_hash = self.hasher.hash(password)
            user.password_changed_at = self._clock()
            user.session_version += 1
            user.failed_logins = 0
            user.locked_until = None
            session.commit()
            return user

    def end_sessions(self, username: str) -> StaffUser:
        """End every session of the account (logout: cookie sessions cannot be revoked alone)."""
        with self._sessions() as session:
            user = self._require(session, username)
            user.session_version += 1
            session.commit()
            return user

    def verify_password(self, username: str, password: str) -> bool:
        """Whether ``password`` is the account's current one (no lockout counting)."""
        user = self.by_username(username)
        if user is None:
            self._burn_time(password)
            return False
        return self._verify(user.password_hash, password)

    def authenticate(
        self, username: str, password: str, address: str | None = None
    ) -> StaffUser | LoginFailure:
        """The account if the password is right, else why not; every attempt is audited.

        Unknown, disabled and wrong passwords give the same answer and take the
        same time (one Argon2 verification each).
        """
        name = normalise_username(username)
        now = self._clock()
        with self._sessions() as session:
            user = self._find(session, name) if name else None
            if user is None:
                self._burn_time(password)
                failure = self._unknown_failure(name, now)
                self._audit.add(
                    "login_failed", username="(unbekannt)", address=address, detail=None
                )
                return failure
            if user.locked_until is not None and user.locked_until > now:
                self._burn_time(password)
                self._audit.add("login_locked", username=user.username, staff_id=user.id,
                                address=address)  # fmt: skip
                return LoginFailure(LOGIN_LOCKED, user.locked_until)
            if not self._verify(user.password_hash, password) or not user.active:
                user.failed_logins = (user.failed_logins or 0) + 1
                locked = user.failed_logins >= MAX_FAILED_LOGINS
                if locked:
                    user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    user.failed_logins = 0
                session.commit()
                self._audit.add(
                    "lockout" if locked else "login_failed",
                    username=user.username,
                    staff_id=user.id,
                    address=address,
                    detail="deaktiviert" if not user.active else None,
                )
                if locked:
                    return LoginFailure(LOGIN_LOCKED, user.locked_until)
                return LoginFailure(LOGIN_INVALID)
            if self.hasher.check_needs_rehash(user.password_hash):
                user.password_hash = self.hasher.hash(password)
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            session.commit()
            self._audit.add("login", username=user.username, staff_id=user.id, address=address)
            return user

    def ensure_admin(self, password_from_env: str | None) -> str | None:
        """Create the first admin (``admin``) when there is no active admin.

        Returns the generated password, which the caller shows once, when no
        password came from the environment; ``None`` otherwise.
        """
        if self.has_active_admin():
            return None
        if self.by_username("admin") is not None:
            raise AccountError(
                "Es gibt kein aktives Admin-Konto, und der Benutzername 'admin' ist schon "
                "vergeben. Legen Sie eines an: welcome users add NAME --role admin"
            )
        generated = None if password_from_env else secrets.token_urlsafe(18)
        password = password_from_env or generated
        assert password is not None
        try:
            self.add("admin", "Administration", ADMIN, password)
        except AccountError as error:
            raise AccountError(f"WELCOME_OFFICE_ADMIN_PASSWORD: {error}") from None
        self._audit.add("account_added", username="system", detail="konto=admin rolle=admin")
        return generated

    # -- plumbing -----------------------------------------------------------------

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise AccountError(f"Unbekannte Rolle '{role}': erlaubt sind {', '.join(ROLES)}.")

    @staticmethod
    def _find(session: Session, username: str) -> StaffUser | None:
        return session.scalars(
            sa.select(StaffUser).where(StaffUser.username == normalise_username(username))
        ).first()

    def _require(self, session: Session, username: str) -> StaffUser:
        user = self._find(session, username)
        if user is None:
            raise AccountError(f"Es gibt kein Konto mit dem Benutzernamen '{username}'.")
        return user

    @staticmethod
    def _count_active_admins(session: Session) -> int:
        return session.scalar(
            sa.select(sa.func.count())
            .select_from(StaffUser)
            .where(StaffUser.role == ADMIN, StaffUser.active.is_(True))
        )

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _burn_time(self, password: str) -> None:
        """Spend one verification, as for a real account (no user enumeration by timing)."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        self._verify(self._dummy_hash, password)

    def _unknown_failure(self, name: str, now: datetime) -> LoginFailure:
        with self._unknown_lock:
            count, locked_until = self._unknown.pop(name, (0, None))
            if locked_until is not None and locked_until > now:
                self._unknown[name] = (count, locked_until)
                return LoginFailure(LOGIN_LOCKED, locked_until)
            count += 1
            locked_until = None
            if count >= MAX_FAILED_LOGINS:
                count, locked_until = 0, now + timedelta(minutes=LOCK_MINUTES)
            self._unknown[name] = (count, locked_until)
            while len(self._unknown) > _UNKNOWN_NAMES_KEPT:
                self._unknown.popitem(last=False)
        if locked_until is not None:
            return LoginFailure(LOGIN_LOCKED, locked_until)
        return LoginFailure(LOGIN_INVALID)
