"""Request bodies: never read before the caller is known, and capped while they stream.

FastAPI reads and parses a route's declared body (JSON or a form) before it resolves the
route's dependencies, the caller's credentials among them, and Starlette buffers a body of any
size. Left alone, anyone could make the process parse megabytes of JSON without a key.
`BodyGuard` wraps `receive`. At the first pull of the body, routing is done and the route is
known, so before one byte is read:

1. a route whose body FastAPI reads first has its credential dependencies solved (those that
   lead to `current_user` or `current_camera`, role checks included): a stranger gets the 401
   (a wrong role the 403) and the body stays unread. They are solved again, as usual, once the
   body is in: one more token lookup, only on routes that take a body;
2. a declared Content-Length over the route's cap is a 413 at once; a streamed (chunked) body
   is a 413 at the first chunk past it, so nothing past the cap is ever held.

Routes that read their own body (POST /v1/reads, vendor intake) check the key before reading
it and only get the cap.
"""

import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import solve_dependencies
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import errors
from app.deps import current_camera, current_user
from app.logs import error_facts

log = logging.getLogger(__name__)

CREDENTIALS = (current_user, current_camera)


class Refused(HTTPException):
    """Raised from `receive`: FastAPI lets an HTTPException out of its body reading (any other
    exception there becomes a 400), and the app's handler answers it as `{"detail": ...}`."""


class BodyGuard:
    """ASGI middleware. `limits` maps a route's endpoint function to its cap in bytes; every
    other route takes `default_bytes`. (By endpoint, not path: FastAPI versions disagree on
    which route object, with which path, routing leaves in the scope.)"""

    def __init__(self, app: ASGIApp, *, default_bytes: int, limits: Mapping[object, int]) -> None:
        self.app = app
        self.default = default_bytes
        self.limits: dict[object, int] = dict(limits)
        self._credentials: dict[int, list[Dependant]] = {}  # by id(route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, _Body(self, scope, receive).receive, send)

    def guarded(self, scope: Scope, receive: Receive) -> Receive:
        """`receive` capped as this middleware caps it, for a route served outside the stack
        (app/main.py's ReadsFastPath)."""
        return _Body(self, scope, receive).receive

    def credentials_of(self, route: Any) -> list[Dependant]:
        """The dependencies of `route` that check credentials, when FastAPI would read its body
        before them; else none."""
        if not isinstance(route, APIRoute) or route.body_field is None:
            return []
        found = self._credentials.get(id(route))
        if found is None:
            found = [d for d in route.dependant.dependencies if _checks_credentials(d)]
            self._credentials[id(route)] = found
        return found


class _Body:
    __slots__ = ("_guard", "_limit", "_receive", "_scope", "_size")

    def __init__(self, guard: BodyGuard, scope: Scope, receive: Receive) -> None:
        self._guard, self._scope, self._receive = guard, scope, receive
        self._limit: int | None = None  # known at the first pull
        self._size = 0

    async def receive(self) -> Message:
        if self._limit is None:
            route = self._scope.get("route")
            self._limit = self._guard.limits.get(self._scope.get("endpoint"), self._guard.default)
            credentials = self._guard.credentials_of(route)
            if credentials:
                assert isinstance(route, APIRoute)  # credentials_of found some
                await _authenticate(self._scope, route, credentials)
            declared = _content_length(self._scope)
            if declared is not None and declared > self._limit:
                raise _too_large(f"body is {declared} bytes", self._limit)
        message = await self._receive()
        if message["type"] == "http.request":
            self._size += len(message.get("body", b""))
            if self._size > self._limit:
                raise _too_large(f"body is over {self._limit} bytes", self._limit)
        return message


def _too_large(what: str, limit: int) -> Refused:
    return Refused(413, f"{what}; this endpoint takes at most {limit} bytes")


def _checks_credentials(dependant: Dependant) -> bool:
    return dependant.call in CREDENTIALS or any(
        _checks_credentials(d) for d in dependant.dependencies
    )


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _authenticate(scope: Scope, route: APIRoute, credentials: list[Dependant]) -> None:
    """Solve the credential dependencies as FastAPI will, with a request that has no body and
    a stack of its own (a database session they open is closed here, not held)."""
    async with AsyncExitStack() as stack:
        request = Request(
            {**scope, "fastapi_inner_astack": stack, "fastapi_function_astack": stack}, _no_body
        )
        try:
            await solve_dependencies(
                request=request,
                dependant=Dependant(dependencies=credentials),
                dependency_overrides_provider=route.dependency_overrides_provider,
                async_exit_stack=stack,
                embed_body_fields=False,
            )
        except Exception as error:
            answer = errors.answer_of(error)
            if answer is None:  # a fault, not a refusal: a 500, as anywhere else
                log.exception("http.credentials_failed", extra=error_facts(error))
                answer = (500, "Internal Server Error", None)
            status, detail, headers = answer
            raise Refused(status, detail, headers=headers) from None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
