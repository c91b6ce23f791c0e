"""The OpenAPI document as clients see it: the errors Lookout really answers, and the shapes of
bodies that routes parse by hand.

FastAPI documents every 422 as its own `HTTPValidationError` (a list of pydantic errors in
`detail`), but Lookout answers every error with one `Problem` (`detail` a sentence, and for
validation errors the bad fields in `errors`); a client generated from the default document
would fail to read a single error. `POST /v1/reads` parses its body itself (the hottest route),
so its body schemas must be added by hand, or `/docs` shows references that point nowhere.

`/docs` and `/redoc` load their scripts from the app itself (the `fastapi-offline` wheel ships
Swagger UI and ReDoc), not from a CDN: on a police network without internet they would be blank.
"""

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from app.schemas.reads import ReadBatchIn, ReadIn

# Models whose schemas a route refers to without FastAPI seeing them as a parameter.
HAND_PARSED_BODIES: tuple[type[BaseModel], ...] = (ReadIn, ReadBatchIn)

# Every route can answer these, whatever it declares: credentials, size caps, throttling,
# and a database that could not take the write.
COMMON_ERRORS: dict[str, str] = {
    "400": "The body could not be read (not JSON, nested too deeply, empty)",
    "401": "Missing, unknown or expired credentials",
    "403": "The credentials do not allow this",
    "404": "No such thing, or not visible to these credentials",
    "413": "The body is larger than allowed",
    "422": "A field is missing or invalid; `detail` says which and why",
    "429": "Too many failed attempts; retry after the Retry-After header",
    "503": "The service cannot take this right now; retry after the Retry-After header",
}


class FieldProblem(BaseModel):
    """One bad field of a request."""

    loc: str = Field(description="Where, e.g. 'reads[2].read_at'")
    msg: str | None = Field(default=None, description="What is wrong with it")
    type: str | None = Field(default=None, description="A stable code for the kind of problem")


class Problem(BaseModel):
    """Every error Lookout answers."""

    detail: str = Field(description="What is wrong, in a sentence a person can act on")
    errors: list[FieldProblem] | None = Field(
        default=None, description="For an invalid request: each bad field"
    )


DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_PATH = "/static/docs"
REDOC_LOGO_URL = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def install(app: FastAPI) -> None:
    """Make `app.openapi()` build (once) the document described above, and serve `/docs` and
    `/redoc` from local assets (the app is created with `docs_url=None, redoc_url=None`)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    redoc_script = (DOCS_ASSETS / "redoc.standalone.js").read_text(encoding="utf-8")
    # ReDoc draws its sidebar logo from Redocly's CDN whatever the options; point it home.
    redoc_script = redoc_script.replace(REDOC_LOGO_URL, f"{DOCS_ASSETS_PATH}/favicon.png")

    @app.get(f"{DOCS_ASSETS_PATH}/redoc.standalone.js", include_in_schema=False)
    def redoc_js() -> Response:
        return Response(redoc_script, media_type="text/javascript")

    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    document_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=document_url,
            title=f"{app.title} API",
            swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=document_url,
            title=f"{app.title} API",
            redoc_js_url=f"{DOCS_ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )


def _document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    components: dict[str, Any] = document.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    models: tuple[type[BaseModel], ...] = (*HAND_PARSED_BODIES, Problem)
    for model in models:
        _add_model(schemas, model)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in document.get("paths", {}).values():
        for operation in path.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                answer = responses.setdefault(status, {"description": description})
                answer["content"] = problem
    return document


def _add_model(schemas: dict[str, Any], model: type[BaseModel]) -> None:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas[model.__name__] = schema
