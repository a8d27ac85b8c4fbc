"""bot.unanswered.grouping: similar questions form one group, different ones do not."""

from __future__ import annotations

from bot.unanswered.grouping import group_questions

QUESTIONS = [
    "Wo melde ich meinen Wohnsitz an?",  # 0 registering an address
    "Brauche ich einen Termin bei der Ausländerbehörde?",  # 1 immigration office
    "where can I open a bank account",  # 2 bank account
    "wo kann ich meinen wohnsitz anmelden",  # 3
    "Termin Ausländerbehörde nötig?",  # 4
    "how to open a bank account",  # 5
    "asdkjh qwe",  # 6 gibberish
    "Wohnsitz anmelden wo?",  # 7
    "brauch ich termin auslanderbehorde",  # 8 (typed without umlauts)
    "bank account opening",  # 9
    "Как записаться на курс немецкого?",  # 10 Russian, on its own
]


def test_hand_made_groups_are_found() -> None:
    groups = group_questions(QUESTIONS)

    assert sorted(map(sorted, groups)) == sorted([[0, 3, 7], [1, 4, 8], [2, 5, 9], [6], [10]])
    # Biggest first; the singletons last.
    assert [len(group) for group in groups] == [3, 3, 3, 1, 1]


def test_no_questions_no_groups_and_one_question_one_group() -> None:
    assert group_questions([]) == []
    assert group_questions(["Wo ist das Rathaus?"]) == [[0]]


def test_identical_questions_are_one_group_and_a_low_threshold_splits_the_rest() -> None:
    assert group_questions(["Hallo?", "Hallo?", "hallo"]) == [[0, 1, 2]]
    assert len(group_questions(QUESTIONS, distance_threshold=0.01)) == len(QUESTIONS)
