"""Unanswered questions: grouping them for the office (:mod:`.grouping`)."""
