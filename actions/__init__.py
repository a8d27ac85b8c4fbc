"""Custom actions: thin rasa-sdk glue over the services in ``bot``."""
