"""``welcome content check`` through the real command line entry point."""

from __future__ import annotations

from bot.cli import main
from bot.settings import PROJECT_ROOT


def test_check_real_content_passes(capsys):
    assert main(["content", "check", "--dir", str(PROJECT_ROOT / "data" / "content")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 10 offers, 7 internships, 7 internship fields, 26 municipalities")
    assert "Awaiting native review in offers.yml: ar, uk, tr, fa, ru." in out
    assert "Not verified yet:" in out


def test_check_uses_settings_directory_by_default(capsys):
    assert main(["content", "check"]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_check_lists_every_problem_and_fails(mini_dir, edit, capsys):
    edit(mini_dir / "offers.yml", '"+49 000 0000000"', "12ab")
    edit(
        mini_dir / "internships.yml",
        "    min_age: 15\n    max_age: 20",
        "    min_age: 21\n    max_age: 20",
    )
    assert main(["content", "check", "--dir", str(mini_dir)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "2 problems found:",
        "  offers.yml: entry 'kurs-sindelfingen' field 'contact.phone': "
        "not a phone number ('12ab')",
        "  internships.yml: entry 'pflege-boeblingen' field 'min_age': "
        "min_age (21) is greater than max_age (20)",
    ]


def test_check_reports_yaml_syntax_errors(mini_dir, capsys):
    (mini_dir / "contacts.yml").write_text("coordination_office:\n  id: [x\n", encoding="utf-8")
    assert main(["content", "check", "--dir", str(mini_dir)]) == 1
    out = capsys.readouterr().out
    assert "contacts.yml: YAML syntax error at line" in out


def test_check_missing_directory(tmp_path, capsys):
    assert main(["content", "check", "--dir", str(tmp_path / "nope")]) == 1
    assert "content directory not found" in capsys.readouterr().out
