"""The coordination office's web app (Koordinierungsstelle Integration).

Staff sign in, answer what the assistant handed over, and manage accounts.
:func:`bot.office.app.create_app` builds the Flask app; ``welcome office``
serves it. Nothing here imports Rasa: the office process stays light.
"""
