"""Query and path parameters: no NUL character, on any route.

Request bodies are checked by their models (app/schemas/common.py `Input`); parameters arrive
percent-encoded (`?purpose=%00`) on routes that read them as plain strings, and PostgreSQL
cannot store a NUL: `NulGuard` answers 422 naming the parameter before any route runs. It is
cheap: most requests carry no `%00` at all and are passed on after one substring test.
"""

from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.schemas.common import NUL_REFUSED


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = nul_problem(scope.get("path", ""), scope.get("query_string", b""))
            if problem is not None:
                await JSONResponse({"detail": problem}, 422)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def nul_problem(path: str, query: bytes) -> str | None:
    """What is wrong, naming the parameter, or None."""
    if "\x00" in path:
        return f"path: {NUL_REFUSED}"
    if b"%00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name:
            return f"query parameter {name.replace(chr(0), '%00')!r}: its name {NUL_REFUSED}"
        if "\x00" in value:
            return f"query parameter {name!r}: {NUL_REFUSED}"
    return None
