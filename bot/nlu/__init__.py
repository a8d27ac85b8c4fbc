"""Custom Rasa NLU components (thin adapters over services in ``bot``)."""

from bot.nlu import speedups

# Rasa imports this package when it loads our components: the moment to fix
# its hot path (see bot/nlu/speedups.py).
speedups.apply()
