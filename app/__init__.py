"""Lookout service: the composition root (settings, database, HTTP API, workers, CLI)."""
