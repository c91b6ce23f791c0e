"""The chain of command's numbers (issue 12): for a window of time and a scope (the agency,
an area, a beat, a squad, an officer, a hot list, a camera), what was raised, pushed,
answered, escalated, confirmed and how it ended; drilled down area → squad → officer →
alerts. Computed in SQL on indexed columns, the same on SQLite and PostgreSQL."""
