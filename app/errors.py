"""How errors become HTTP responses. No other module knows a status code.

LprError (lpr/errors.py)      InvalidPlate 422 · InvalidState 422 · InvalidPattern 422
                              VendorFormatError 422 (lpr/vendors: a vendor body that cannot be read)
GeoError (geo/errors.py)      InvalidCoordinate 422 · InvalidArea 422 (polygon, radius, beats)
                              InvalidMotion 422 (a direction of travel)
AlertsError (alerts/errors)   PushUnavailable (worker only; never reaches HTTP)
                              InvalidTransition 409 (an alert's life cannot go that way now)
                              InvalidOutcome 422 (a disposition and result that do not fit)
AppError (here)               BadRequest 400 · Unauthorized 401 · Forbidden 403 · NotFound 404
                              Conflict 409 · PayloadTooLarge 413 · Unprocessable 422
                              TooManyRequests 429 (failed credentials; with Retry-After)
                              Unavailable 503 (the database could not take the write)
Database unreachable          503 with Retry-After, on every route (`database_unavailable`):
                              SQLAlchemy's OperationalError, InterfaceError, pool TimeoutError
                              and any error that invalidated its connection; psycopg's own
RequestValidationError        422, with every bad field named in `detail`
RecursionError                400: a JSON body nested too deeply to parse
"""

import logging
import sqlite3
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sql_errors

from alerts.errors import InvalidOutcome, InvalidTransition
from app.logs import error_facts
from app.schemas.common import NUL_REFUSED, NulFound
from geo.errors import GeoError
from lpr.errors import LprError

log = logging.getLogger(__name__)


class AppError(Exception):
    status = 500

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class BadRequest(AppError):
    status = 400


class Unauthorized(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class PayloadTooLarge(AppError):
    status = 413


class Unprocessable(AppError):
    status = 422


class TooManyRequests(AppError):
    status = 429


class Unavailable(AppError):
    status = 503


def describe_validation_errors(errors: list[Any]) -> str:
    """'reads[2].read_at: Input should have timezone info; plate: Field required'."""
    parts = []
    for error in errors:
        where, message = _where_and_what(error)
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "the request is not valid"


def _where_and_what(error: Any) -> tuple[str, str]:
    where = _location(error.get("loc", ()))
    found = (error.get("ctx") or {}).get("error")
    if isinstance(found, NulFound):  # raised for a whole model: the field is in its path
        inner = found.path
        if inner:
            where = f"{where}{'' if inner.startswith('[') or not where else '.'}{inner}"
        return where, NUL_REFUSED
    return where, str(error.get("msg", "invalid"))


def _location(loc: Any) -> str:
    text = ""
    for part in loc:
        if part in ("body", "query", "path", "header") and not text:
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


Answer = tuple[int, str, dict[str, str] | None]  # status, detail, headers

DATABASE_RETRY_AFTER_S = 5
DATABASE_UNAVAILABLE = (
    "the database cannot be reached right now; retry in a few seconds (Retry-After)"
)
# The database is down, restarting, refusing connections, out of them, or dropped this one.
# On SQLite, a lock held past the busy timeout or a file that cannot be opened is one too.
_UNREACHABLE: tuple[type[Exception], ...] = (
    sql_errors.OperationalError,
    sql_errors.InterfaceError,
    sql_errors.TimeoutError,  # no pooled connection came free in time
    sql_errors.DisconnectionError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


# SQLite says OperationalError for a missing table too: only these are worth a retry.
_SQLITE_TRANSIENT = ("locked", "busy", "unable to open", "disk i/o")


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached now (a 503 to retry), rather than
    that the request or the code is wrong (a 4xx, or a 500)."""
    driver_error = getattr(error, "orig", None)
    if isinstance(driver_error, sqlite3.OperationalError):
        return any(word in str(driver_error).lower() for word in _SQLITE_TRANSIENT)
    if isinstance(error, _UNREACHABLE):
        return True
    return isinstance(error, sql_errors.DBAPIError) and error.connection_invalidated


NESTED_TOO_DEEPLY = "the request body is nested too deeply"


def answer_of(error: BaseException) -> Answer | None:
    """The answer a mapped error gets, or None for an error nobody mapped (a 500)."""
    if isinstance(error, AppError):
        if error.status >= 500:
            log.warning("http.unavailable", extra={"detail": error.detail})
        return error.status, error.detail, error.headers
    if isinstance(error, (LprError, GeoError, InvalidOutcome)):
        return 422, str(error), None
    if isinstance(error, InvalidTransition):
        return 409, str(error), None
    if database_unavailable(error):
        log.warning("http.database_unavailable", extra=error_facts(error))
        return 503, DATABASE_UNAVAILABLE, {"Retry-After": str(DATABASE_RETRY_AFTER_S)}
    return None


async def _respond(_request: Request, error: Exception) -> JSONResponse:
    answer = answer_of(error)
    assert answer is not None  # registered only for the classes answer_of maps
    status, detail, headers = answer
    return JSONResponse({"detail": detail}, status, headers=headers)


async def _respond_database_error(request: Request, error: Exception) -> JSONResponse:
    if not database_unavailable(error):
        raise error  # a fault, not an outage: Starlette answers it as the 500 it is
    return await _respond(request, error)


def add_exception_handlers(app: FastAPI) -> None:
    for mapped in (AppError, LprError, GeoError, InvalidTransition, InvalidOutcome):
        app.add_exception_handler(mapped, _respond)
    app.add_exception_handler(sql_errors.DBAPIError, _respond_database_error)
    for unreachable in _UNREACHABLE:
        if not issubclass(unreachable, sql_errors.DBAPIError):
            app.add_exception_handler(unreachable, _respond_database_error)

    @app.exception_handler(RecursionError)
    async def _too_deep(_request: Request, _error: RecursionError) -> JSONResponse:
        # json.loads recurses per nesting level: a body of 100,000 '[' must be a 400, not a 500.
        return JSONResponse({"detail": NESTED_TOO_DEEPLY}, 400)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = error.errors()
        return JSONResponse(
            {
                "detail": describe_validation_errors(list(errors)),
                "errors": [
                    dict(zip(("loc", "msg"), _where_and_what(e), strict=True), type=e.get("type"))
                    for e in errors
                ],
            },
            422,
        )
