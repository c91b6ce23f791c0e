"""Officers: where they are (positions, the in-memory tracker) and their beats."""
