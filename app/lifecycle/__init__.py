"""The life of a hit after the push: the record's confirmation, officers' responses, the
escalation ladder, the outcome, and the timers the worker runs for them (ARCHITECTURE.md)."""
