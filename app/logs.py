"""One JSON object per log line: a dotted event name plus the facts passed in `extra`.

No plate, token, key or hash reaches a line at INFO or above (STYLE.md 13). Exception
messages are where they slip in: a database error quotes the statement's parameters and the
row (`DETAIL: Key (token)=(...) already exists`, `Failing row contains (...)`). So a record at
INFO and above shows its exception as the frames and the exception classes only, with the
facts `error_facts` allows (SQLSTATE, constraint, table, column); the whole text is kept for
DEBUG, and engines hide parameters anyway (app/db.py).
"""

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            if record.levelno < logging.INFO:
                entry["exc"] = self.formatException(record.exc_info)
            else:
                entry["exc"] = redacted_traceback(record.exc_info[1])
        return json.dumps(entry, default=str)


def error_facts(error: BaseException) -> dict[str, str]:
    """What may be said of an exception at INFO and above: its class and, for a database
    error, its SQLSTATE and the names of the constraint, table and column it concerns. Never
    its message."""
    facts = {"error": type(error).__name__}
    orig = getattr(error, "orig", None)  # SQLAlchemy wraps the driver's exception
    if orig is not None:
        facts["error"] += f"({type(orig).__name__})"
        error = orig
    sqlstate = getattr(error, "sqlstate", None) or getattr(error, "sqlite_errorname", None)
    if sqlstate:
        facts["sqlstate"] = str(sqlstate)
    diag = getattr(error, "diag", None)  # psycopg: names from the schema, never values
    for name in ("constraint_name", "table_name", "column_name"):
        value = getattr(diag, name, None) if diag is not None else None
        if value:
            facts[name.removesuffix("_name")] = str(value)
    return facts


def redacted_traceback(error: BaseException) -> str:
    """The frames of `error` and of the exceptions it came from, each ending with the class
    and `error_facts`, without a message: code and names, no data."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    parts = []
    for link in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        facts = error_facts(link)
        named = type(link).__module__ + "." + type(link).__qualname__
        extra = ", ".join(f"{k}={v}" for k, v in facts.items() if k != "error")
        parts.append(f"{named} (message withheld{'; ' + extra if extra else ''})\n")
    return "".join(parts)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
