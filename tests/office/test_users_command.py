"""`welcome users`: accounts from the command line, with clear errors and exit code 1."""

from __future__ import annotations

import io

import pytest

from bot.cli import main
from bot.office.services import Office
from tests.office.conftest import PASSWORD


@pytest.fixture
def welcome(database_url, monkeypatch, capsys):
    """Run ``welcome users ...`` on the test database with ``stdin``; (exit code, out, err)."""

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["users", *args, "--database-url", database_url])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def accounts(database_url):
    office = Office(database_url)
    yield office
    office.close()


def test_an_account_is_added_from_stdin_and_listed(welcome, accounts):
    code, out, _ = welcome("add", "M.Mueller", "--role", "coordinator", "--name", "Maria Müller",
                           "--email", "m.mueller@lrabb.de", "--password-stdin",
                           stdin=PASSWORD + "\n")  # fmt: skip
    assert code == 0 and "m.mueller (coordinator) created" in out
    assert accounts.accounts.verify_password("m.mueller", PASSWORD)
    code, out, _ = welcome("list")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["USERNAME", "NAME", "ROLE", "ACTIVE", "LAST", "LOGIN", "(UTC)"]
    assert row.split() == ["m.mueller", "Maria", "Müller", "coordinator", "yes", "never"]


def test_bad_input_gives_a_clear_message_and_exit_code_1(welcome):
    code, _, err = welcome("add", "anna", "--role", "chef", stdin=PASSWORD)
    assert code == 1 and "Unbekannte Rolle 'chef': erlaubt sind coordinator, editor, admin." in err
    code, _, err = welcome("add", "anna", "--role", "editor", stdin="kurz\n")
    assert code == 1 and "Das Passwort ist zu kurz" in err
    assert "Traceback" not in err
    assert welcome("add", "anna", "--role", "editor", stdin=PASSWORD)[0] == 0
    code, _, err = welcome("add", "Anna", "--role", "admin", stdin=PASSWORD)
    assert code == 1 and "Den Benutzernamen 'anna' gibt es schon." in err
    code, _, err = welcome("disable", "niemand")
    assert code == 1 and "Es gibt kein Konto mit dem Benutzernamen 'niemand'." in err
    code, _, err = welcome("set-password", "niemand", stdin=PASSWORD)
    assert code == 1 and "niemand" in err


def test_disable_enable_and_set_password_are_audited_as_cli(welcome, accounts):
    welcome("add", "admin", "--role", "admin", stdin=PASSWORD)
    welcome("add", "eva", "--role", "editor", stdin=PASSWORD)
    assert welcome("disable", "eva")[0] == 0
    assert not accounts.accounts.by_username("eva").active
    assert "no" in welcome("list")[1].splitlines()[2]
    assert welcome("enable", "eva")[0] == 0
    code, out, _ = welcome("set-password", "eva", stdin="Ein neuer Satz als Passwort\n")
    assert code == 0 and "New password set for eva" in out
    assert accounts.accounts.verify_password("eva", "Ein neuer Satz als Passwort")
    code, _, err = welcome("disable", "admin")
    assert code == 1 and "letzte aktive Admin-Konto" in err
    entries, _ = accounts.audit.search()
    assert {(e.username, e.action) for e in entries} >= {
        ("cli", "account_added"),
        ("cli", "account_disabled"),
        ("cli", "account_enabled"),
        ("cli", "password_reset"),
    }
    assert all("Passwort" not in (e.detail or "") for e in entries)


def test_an_unusable_database_url_is_reported_without_a_traceback(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["users", "list", "--database-url", "nosuchdb://x"]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
