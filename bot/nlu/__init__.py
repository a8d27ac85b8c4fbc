"""Custom Rasa NLU components (thin adapters over services in ``bot``)."""
