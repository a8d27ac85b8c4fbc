"""``welcome requests …`` as coordinators and IT run it."""

from __future__ import annotations

import argparse
import json

import pytest

from bot.commands import requests as requests_command
from bot.store import RequestStore
from bot.store.db import sqlite_file


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="welcome")
    subparsers = parser.add_subparsers(dest="command")
    requests_command.register(subparsers)
    args = parser.parse_args(list(argv))
    return args.func(args)


def _fill(store: RequestStore) -> list:
    first = store.save_request(
        sender_id="tg-1",
        channel="telegram",
        category="interpreter",
        language="ar",
        fields={"municipality": "Böblingen", "language": "ar", "date": "morgen"},
        excerpt=[{"role": "user", "text": "أحتاج مترجمًا"}],
    )
    second = store.save_request(
        sender_id="web-2",
        channel="web",
        category="mentoring_become",
        language="uk",
        fields={"name": "Олена", "municipality": "Leonberg"},
        excerpt=[{"role": "user", "text": "Я хочу стати наставницею"}],
    )
    first = store.set_status(first.reference, "in_progress")
    return [second, first]  # newest first


def test_list_when_empty(store: RequestStore, database_url: str, capsys) -> None:
    assert run("requests", "list", "--database-url", database_url) == 0
    assert capsys.readouterr().out.strip() == "No handoff requests stored."

    assert run("requests", "list", "--status", "done", "--database-url", database_url) == 0
    assert "No handoff requests with status 'done' stored." in capsys.readouterr().out

    assert run("requests", "list", "--json", "--database-url", database_url) == 0
    assert capsys.readouterr().out == ""


def test_list_table(store: RequestStore, database_url: str, capsys) -> None:
    newest, oldest = _fill(store)
    assert run("requests", "list", "--database-url", database_url) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()

    assert lines[0].split() == [
        "REFERENCE",
        "CREATED",
        "(UTC)",
        "CATEGORY",
        "LANG",
        "STATUS",
        "DETAILS",
    ]
    assert lines[1].startswith(newest.reference)
    assert lines[2].startswith(oldest.reference)
    assert "mentoring_become" in lines[1] and " uk " in lines[1] and " new " in lines[1]
    assert "name=Олена; municipality=Leonberg" in lines[1]
    assert "interpreter" in lines[2] and "in_progress" in lines[2]
    assert "municipality=Böblingen; language=ar; date=morgen" in lines[2]
    assert newest.created_at.strftime("%Y-%m-%d %H:%M") in lines[1]
    assert "2 requests, newest first." in out
    # The table is a summary: the conversation itself is not shown.
    assert "أحتاج" not in out

    assert run("requests", "list", "--status", "in_progress", "--database-url", database_url) == 0
    out = capsys.readouterr().out
    assert oldest.reference in out and newest.reference not in out


def test_list_json_lines(store: RequestStore, database_url: str, capsys) -> None:
    newest, oldest = _fill(store)
    assert run("requests", "list", "--json", "--database-url", database_url) == 0
    lines = capsys.readouterr().out.splitlines()

    records = [json.loads(line) for line in lines]
    assert records == [newest.as_dict(), oldest.as_dict()]
    assert "Олена" in lines[0]  # readable, not \\u escapes
    assert records[1]["excerpt"] == [{"role": "user", "text": "أحتاج مترجمًا"}]
    assert records[1]["status"] == "in_progress"

    assert run("requests", "list", "--json", "--limit", "1", "--database-url", database_url) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["reference"] for line in lines] == [newest.reference]


def test_limit_must_be_positive(database_url: str, capsys) -> None:
    with pytest.raises(SystemExit):
        run("requests", "list", "--limit", "0", "--database-url", database_url)
    assert "must be 1 or more" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://welcome:topsecret@127.0.0.1:1/welcome",
        "this is not a url",
        "nosuchdb://host/db",
    ],
    ids=["unreachable", "garbage", "unknown-dialect"],
)
def test_bad_database_url_is_a_clean_error(url: str, capsys) -> None:
    assert run("requests", "list", "--database-url", url) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert "Traceback" not in captured.err
    assert "topsecret" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_missing_sqlite_file_is_reported_and_not_created(tmp_path, capsys) -> None:
    path = tmp_path / "welcome.db"
    assert run("requests", "list", "--database-url", f"sqlite:///{path}") == 1
    assert "does not exist" in capsys.readouterr().err
    assert not path.exists()


def test_unmigrated_database_and_migrate(database_url: str, capsys) -> None:
    path = sqlite_file(database_url)
    if path is not None:
        path.parent.mkdir(parents=True)
        path.touch()
    assert run("requests", "list", "--database-url", database_url) == 1
    assert "welcome requests migrate" in capsys.readouterr().err

    assert run("requests", "migrate", "--database-url", database_url) == 0
    assert "up to date" in capsys.readouterr().out
    assert run("requests", "list", "--database-url", database_url) == 0
    assert "No handoff requests stored." in capsys.readouterr().out


async def test_forget_deletes_requests_and_chat_history(
    store: RequestStore, database_url: str, capsys
) -> None:
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.store.tracker_store import WelcomeTrackerStore

    newest, oldest = _fill(store)
    tracker_store = WelcomeTrackerStore(url=database_url, startup_retries=0)
    for sender_id in ("tg-1", "web-2"):
        tracker = DialogueStateTracker.from_events(
            sender_id, [ActionExecuted("action_listen"), UserUttered("Hallo")]
        )
        await tracker_store.save(tracker)

    assert run("requests", "forget", "tg-1", "--database-url", database_url) == 1
    assert "--yes" in capsys.readouterr().err
    assert store.get(oldest.reference) is not None

    assert run("requests", "forget", "tg-1", "--yes", "--database-url", database_url) == 0
    assert "Deleted 1 request(s) and 2 stored chat event(s)." in capsys.readouterr().out
    assert store.get(oldest.reference) is None
    assert store.get(newest.reference) is not None
    assert await tracker_store.retrieve("tg-1") is None
    assert await tracker_store.retrieve("web-2") is not None
    tracker_store.close()


def test_set_status_marks_a_request_done_for_retention(
    store: RequestStore, database_url: str, capsys
) -> None:
    newest, oldest = _fill(store)
    reference = oldest.reference.lower()  # as someone types it from a phone call
    assert run("requests", "set-status", reference, "done", "--database-url", database_url) == 0
    assert capsys.readouterr().out == f"{oldest.reference} is now done.\n"
    assert store.get(oldest.reference).status == "done"
    assert store.get(newest.reference).status == "new"

    assert run("requests", "set-status", "WL-ZZZZZZ", "done", "--database-url", database_url) == 1
    assert "no request with the reference 'WL-ZZZZZZ'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run("requests", "set-status", oldest.reference, "finished", "--database-url", database_url)


def test_through_the_welcome_command(store: RequestStore, database_url: str, capsys) -> None:
    from bot.cli import main

    newest, _ = _fill(store)
    assert main(["requests", "list", "--json", "--limit", "1", "--database-url", database_url]) == 0
    assert json.loads(capsys.readouterr().out)["reference"] == newest.reference
    assert main(["requests", "list", "--database-url", "postgresql://x@127.0.0.1:1/y"]) == 1
    assert capsys.readouterr().err.startswith("error: ")
