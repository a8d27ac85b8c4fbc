"""The chat's anonymous figures for the office: feedback votes, statistics, unanswered questions.

* :mod:`.feedback`: the "helpful / not helpful" buttons under an answer and
  the vote they store (answer id, language, model version, day; no sender).
* :mod:`.statistics`: what the office's ``/statistik`` page shows, read from
  ``chat_figures`` and ``answer_feedback`` only.
* :mod:`.unanswered`: the unanswered questions for ``/unbeantwortet``: groups,
  German translations filled in later, dismiss, use as an example.

The tables and the counting in the tracker store: :mod:`bot.store.chat_figures`.
"""
