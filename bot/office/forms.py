"""Forms of the sign-in and account pages (every one carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from bot.office.accounts import PASSWORD_MAX_LENGTH, ROLE_LABELS, ROLES

REQUIRED = "Bitte ausfüllen."
SAME = "Die beiden Passwörter stimmen nicht überein."


class LoginForm(FlaskForm):
    username = StringField(
        "Benutzername", validators=[DataRequired(REQUIRED), Length(max=64)],
        render_kw={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"},
    )  # fmt: skip
    password = PasswordField(
        "Passwort", validators=[DataRequired(REQUIRED), Length(max=PASSWORD_MAX_LENGTH * 4)],
        render_kw={"autocomplete": "current-password"},
    )  # fmt: skip
    submit = SubmitField("Anmelden")


class NewPasswordFields(FlaskForm):
    new_password = PasswordField(
        "Neues Passwort", validators=[DataRequired(REQUIRED)],
        description="Mindestens 12 Zeichen; ein Satz aus mehreren Wörtern ist gut zu merken.",
        render_kw={"autocomplete": "new-password"},
    )  # fmt: skip
    repeat = PasswordField(
        "Neues Passwort wiederholen",
        validators=[DataRequired(REQUIRED), EqualTo("new_password", SAME)],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordFields):
    current_password = PasswordField(
        "Bisheriges Passwort", validators=[DataRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )  # fmt: skip
    submit = SubmitField("Passwort ändern")


class ResetPasswordForm(NewPasswordFields):
    submit = SubmitField("Passwort setzen")


class NewAccountForm(NewPasswordFields):
    username = StringField(
        "Benutzername", validators=[DataRequired(REQUIRED), Length(max=64)],
        description="Kleinbuchstaben, Ziffern, Punkt, Binde- und Unterstrich, z. B. m.mueller",
        render_kw={"autocapitalize": "none"},
    )  # fmt: skip
    display_name = StringField("Name", validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField("E-Mail (optional)", validators=[Optional(), Length(max=254)])
    role = SelectField("Rolle", choices=[(role, ROLE_LABELS[role]) for role in ROLES])
    submit = SubmitField("Konto anlegen")


class ActionForm(FlaskForm):
    """A button that changes something (disable, enable): only the CSRF token."""
