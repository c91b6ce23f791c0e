"""The OpenAPI document as clients see it: the errors Lookout really answers, and the shapes of
bodies that routes parse by hand.

FastAPI documents every 422 as its own `HTTPValidationError` (a list of pydantic errors in
`detail`), but Lookout answers every error with one `Problem` (`detail` a sentence, and for
validation errors the bad fields in `errors`); a client generated from the default document
would fail to read a single error. `POST /v1/reads` parses its body itself (the hottest route),
so its body schemas must be added by hand, or `/docs` shows references that point nowhere.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
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


def install(app: FastAPI) -> None:
    """Make `app.openapi()` build (once) the document described above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


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
