"""The one place that reads the environment.

Every option has a default that works on a developer's laptop (SQLite under
``var/``, ports on localhost). Production overrides them with ``WELCOME_*``
variables; ``.env.example`` documents each one. Other modules call
:func:`get_settings` and never touch ``os.environ`` themselves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Telegram's Bot API; tests point TELEGRAM_API_BASE_URL at a fake server.
TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"

#: The Argos package index (only ``welcome languages install`` reads it).
ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


def _path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    """Runtime options of the assistant (see ``.env.example``)."""

    database_url: str
    content_dir: Path
    model_dir: Path
    var_dir: Path
    rasa_port: int
    rasa_interface: str
    action_port: int
    log_level: str
    test_database_url: str | None = None
    reference_prefix: str = "WL"
    handoff_excerpt_turns: int = 10
    translation_dir: Path | None = None
    translation_max_models: int = 4
    translation_beam_size: int = 2
    translation_threads: int = 1
    translation_cache_days: int = 30
    argos_index_url: str = ARGOS_INDEX_URL
    telegram_bot_token: str | None = None
    telegram_webhook_url: str | None = None
    telegram_secret_token: str | None = None
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    cors_origins: tuple[str, ...] = ("*",)
    rest_channel: bool = False
    rest_token: str | None = None
    # The coordination office's web app (`welcome office`).
    office_host: str = "127.0.0.1"
    office_port: int = 5006
    office_url: str = "http://127.0.0.1:5006"
    office_secret_key: str | None = None
    office_admin_password: str | None = None
    office_secure_cookies: bool = True
    office_idle_minutes: int = 30
    #: Reverse proxies in front of the office app whose X-Forwarded-For/-Proto are believed.
    office_trusted_proxies: int = 0
    # E-mail (SMTP): replies to newcomers the chat cannot reach, interpreters, staff.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "willkommenslotse@localhost"
    smtp_starttls: bool = True
    # Notifications to staff (each optional).
    staff_telegram_bot_token: str | None = None
    staff_telegram_chat_id: str | None = None
    staff_telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    staff_notify_emails: tuple[str, ...] = ()
    unclaimed_alert_minutes: int = 120
    email_fallback_minutes: int = 30
    # Retention (`welcome requests purge`, and daily under `welcome run`).
    retention_close_idle_days: int = 60
    retention_closed_days: int = 180
    retention_mode: str = "delete"
    retention_conversation_days: int = 90
    retention_batch: int = 500
    audit_days: int = 730
    # Plain language: German texts below this Flesch score (Amstad) are flagged.
    readability_min_flesch: float = 60.0
    #: How often (seconds) a process looks for a newly published content version.
    content_refresh_seconds: float = 1.0

    @property
    def packages_dir(self) -> Path:
        """Installed Argos packages (one folder each)."""
        return self._translation_root / "packages"

    @property
    def prepared_dir(self) -> Path:
        """Answers translated at build time (`welcome content translate`), a file per language."""
        return self._translation_root / "prepared"

    @property
    def _translation_root(self) -> Path:
        return self.translation_dir or self.var_dir / "translation"

    @property
    def action_endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def _flag(name: str, value: str | None) -> bool:
    """A yes/no variable; anything else is an error, so a typo never switches a door open."""
    word = (value or "").strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{name} must be on or off (1/0, true/false, yes/no), not {value!r}")


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    word = value.strip().lower()
    if word not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return word


def _number(name: str, value: str) -> float:
    try:
        return float(value.strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"{name} must be a number such as 60, not {value!r}") from None


def _default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'welcome.db'}"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (``os.environ`` by default)."""
    env = os.environ if environ is None else environ
    var_dir = _path(env.get("WELCOME_VAR_DIR", "var"))
    return Settings(
        database_url=env.get("WELCOME_DATABASE_URL") or _default_database_url(var_dir),
        content_dir=_path(env.get("WELCOME_CONTENT_DIR", "data/content")),
        model_dir=_path(env.get("WELCOME_MODEL_DIR", "models")),
        var_dir=var_dir,
        rasa_port=int(env.get("WELCOME_RASA_PORT", "5005")),
        rasa_interface=env.get("WELCOME_RASA_INTERFACE", "127.0.0.1"),
        action_port=int(env.get("WELCOME_ACTION_PORT", "5055")),
        log_level=env.get("WELCOME_LOG_LEVEL", "INFO").upper(),
        test_database_url=env.get("WELCOME_TEST_DATABASE_URL") or None,
        reference_prefix=env.get("WELCOME_REFERENCE_PREFIX", "WL"),
        handoff_excerpt_turns=int(env.get("WELCOME_HANDOFF_EXCERPT_TURNS", "10")),
        translation_dir=_path(env["WELCOME_TRANSLATION_DIR"])
        if env.get("WELCOME_TRANSLATION_DIR")
        else None,
        translation_max_models=int(env.get("WELCOME_TRANSLATION_MAX_MODELS", "4")),
        translation_beam_size=int(env.get("WELCOME_TRANSLATION_BEAM_SIZE", "2")),
        translation_threads=int(env.get("WELCOME_TRANSLATION_THREADS", "1")),
        translation_cache_days=int(env.get("WELCOME_TRANSLATION_CACHE_DAYS", "30")),
        argos_index_url=env.get("WELCOME_ARGOS_INDEX_URL") or ARGOS_INDEX_URL,
        # Telegram's own names for these, as its documentation and hosters use them.
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
        telegram_secret_token=env.get("TELEGRAM_SECRET_TOKEN") or None,
        telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or TELEGRAM_API_BASE_URL,
        cors_origins=tuple(env.get("WELCOME_CORS_ORIGINS", "*").replace(",", " ").split())
        or ("*",),
        rest_channel=_flag("WELCOME_REST_CHANNEL", env.get("WELCOME_REST_CHANNEL")),
        rest_token=env.get("WELCOME_REST_TOKEN") or None,
        office_host=env.get("WELCOME_OFFICE_HOST", "127.0.0.1"),
        office_port=int(env.get("WELCOME_OFFICE_PORT", "5006")),
        office_url=(
            env.get("WELCOME_OFFICE_URL")
            or f"http://127.0.0.1:{int(env.get('WELCOME_OFFICE_PORT', '5006'))}"
        ).rstrip("/"),
        office_secret_key=env.get("WELCOME_OFFICE_SECRET_KEY") or None,
        office_admin_password=env.get("WELCOME_OFFICE_ADMIN_PASSWORD") or None,
        office_secure_cookies=_flag(
            "WELCOME_OFFICE_SECURE_COOKIES", env.get("WELCOME_OFFICE_SECURE_COOKIES", "on")
        ),
        office_idle_minutes=int(env.get("WELCOME_OFFICE_IDLE_MINUTES", "30")),
        office_trusted_proxies=int(env.get("WELCOME_OFFICE_TRUSTED_PROXIES", "0")),
        smtp_host=env.get("WELCOME_SMTP_HOST") or None,
        smtp_port=int(env.get("WELCOME_SMTP_PORT", "587")),
        smtp_user=env.get("WELCOME_SMTP_USER") or None,
        smtp_password=env.get("WELCOME_SMTP_PASSWORD") or None,
        smtp_from=env.get("WELCOME_SMTP_FROM") or "willkommenslotse@localhost",
        smtp_starttls=_flag("WELCOME_SMTP_STARTTLS", env.get("WELCOME_SMTP_STARTTLS", "on")),
        staff_telegram_bot_token=env.get("WELCOME_STAFF_TELEGRAM_BOT_TOKEN") or None,
        staff_telegram_chat_id=env.get("WELCOME_STAFF_TELEGRAM_CHAT_ID") or None,
        staff_telegram_api_base_url=env.get("WELCOME_STAFF_TELEGRAM_API_BASE_URL")
        or env.get("TELEGRAM_API_BASE_URL")
        or TELEGRAM_API_BASE_URL,
        staff_notify_emails=tuple(
            env.get("WELCOME_STAFF_NOTIFY_EMAILS", "").replace(",", " ").split()
        ),
        unclaimed_alert_minutes=int(env.get("WELCOME_UNCLAIMED_ALERT_MINUTES", "120")),
        email_fallback_minutes=int(env.get("WELCOME_EMAIL_FALLBACK_MINUTES", "30")),
        retention_close_idle_days=int(env.get("WELCOME_RETENTION_CLOSE_IDLE_DAYS", "60")),
        retention_closed_days=int(env.get("WELCOME_RETENTION_CLOSED_DAYS", "180")),
        retention_mode=_choice(
            "WELCOME_RETENTION_MODE",
            env.get("WELCOME_RETENTION_MODE", "delete"),
            ("delete", "anonymise"),
        ),
        retention_conversation_days=int(env.get("WELCOME_RETENTION_CONVERSATION_DAYS", "90")),
        retention_batch=int(env.get("WELCOME_RETENTION_BATCH", "500")),
        audit_days=int(env.get("WELCOME_AUDIT_DAYS", "730")),
        readability_min_flesch=_number(
            "WELCOME_READABILITY_MIN_FLESCH", env.get("WELCOME_READABILITY_MIN_FLESCH") or "60"
        ),
        content_refresh_seconds=float(env.get("WELCOME_CONTENT_REFRESH_SECONDS", "1")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once."""
    return load_settings()
