"""Field types and shapes every resource's API models share: plates, states, positions, vehicles."""

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)

from lpr import plates
from lpr.errors import LprError

NUL_REFUSED = "must not contain a NUL character (\\u0000)"
NUL_FREE = "nul_free"  # validation context key: the raw JSON was seen to hold no NUL


def nul_at(value: object, path: str = "") -> str | None:
    """Where in `value` (a string, or lists and dicts of them, as a request's JSON decodes) a
    NUL character is, as a path (`vehicle.color`, `reads[1].plate`; "" for `value` itself), or
    None when there is none."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                return where
            if isinstance(item, str | dict | list) and (found := nul_at(item, where)) is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str | dict | list):
                found = nul_at(item, f"{path}[{i}]")
                if found is not None:
                    return found
    return None


class Input(BaseModel):
    """The base of every request body model (tests/app/test_nul_characters.py checks that each
    is one): no string a request carries may hold a NUL character. PostgreSQL cannot store one
    (a 500, and on /v1/reads a 503 a camera retries forever), and no plate, name or reason
    needs it. The 422 names the field: `vehicle.color: must not contain a NUL character`.
    One check of the raw input per model, before its fields; a caller that has seen the raw
    JSON holds no NUL (no `\\u0000` in it) says so with the context `{NUL_FREE: True}`."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: object, info: ValidationInfo) -> object:
        if info.context is not None and info.context.get(NUL_FREE):
            return data  # the caller saw no NUL in the raw body (POST /v1/reads)
        where = nul_at(data)
        if where is not None:
            raise NulFound(where)
        return data


class NulFound(ValueError):
    """Raised by `Input` with the path of the field inside the model; app/errors.py adds it to
    the error's location, so the 422 reads `reads[1].plate: must not contain ...`."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: {NUL_REFUSED}" if path else NUL_REFUSED)
        self.path = path


def refuse_nul(value: str) -> str:
    """A form field's check (`NulFree`): a form is no `Input` model, and PostgreSQL cannot
    compare a NUL any more than store one (`username=admin%00` was a 500)."""
    if "\x00" in value:
        raise NulFound("")
    return value


NulFree = AfterValidator(refuse_nul)


def plate_text(raw: str) -> str:
    try:
        plates.parse(raw)
    except LprError as error:
        raise ValueError(str(error)) from None
    return raw


def state_code(raw: str | None) -> str | None:
    try:
        return plates.normalize_state(raw)
    except LprError as error:
        raise ValueError(str(error)) from None


def http_url(raw: str | None) -> str | None:
    if raw is not None and not raw.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return raw


MAX_ID = 2**63 - 1  # the largest BIGINT: no row has an id past it
# Any id a request names (path, query or body): past the largest BIGINT it is a 422, not a
# database error ("bigint out of range", or SQLite's OverflowError) and a 500.
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]

# Times a request gives. Year 1 or 9999 would overflow the arithmetic done on them (a search
# margin before `occurred_at`), a 500; nothing Lookout handles happened before 1970.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def sane_moment(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"must be from {EARLIEST.date()} to before {LATEST.date()}")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(sane_moment)]


PlateText = Annotated[
    str, Field(min_length=1, max_length=plates.MAX_RAW_LENGTH), AfterValidator(plate_text)
]


StateCode = Annotated[str | None, Field(default=None, max_length=8), AfterValidator(state_code)]


ShortText = Annotated[str, Field(max_length=200)]

PURPOSE_MIN_LENGTH = 3


def meaningful(text: str) -> str:
    """A purpose or reason, stripped; one of only spaces says nothing and is refused."""
    stripped = text.strip()
    if len(stripped) < PURPOSE_MIN_LENGTH:
        raise ValueError(f"must say why in at least {PURPOSE_MIN_LENGTH} characters besides spaces")
    return stripped


# Why someone looks or acts (audited): a query parameter's or a body field's.
Purpose = Annotated[
    str, Field(min_length=PURPOSE_MIN_LENGTH, max_length=200), AfterValidator(meaningful)
]
LongPurpose = Annotated[
    str, Field(min_length=PURPOSE_MIN_LENGTH, max_length=500), AfterValidator(meaningful)
]


Latitude = Annotated[float, Field(ge=-90, le=90)]


Longitude = Annotated[float, Field(ge=-180, le=180)]


Heading = Annotated[float, Field(ge=0, le=360)]


Confidence = Annotated[float, Field(ge=0, le=1)]


class Vehicle(Input):
    model_config = ConfigDict(extra="ignore")

    make: Annotated[str, Field(max_length=60)] | None = None
    model: Annotated[str, Field(max_length=60)] | None = None
    color: Annotated[str, Field(max_length=40)] | None = None
    type: Annotated[str, Field(max_length=40)] | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class Located(Input):
    lat: Latitude | None = Field(default=None, description="WGS 84 latitude; with lon")
    lon: Longitude | None = Field(default=None, description="WGS 84 longitude; with lat")

    @model_validator(mode="after")
    def _both_or_neither(self) -> Any:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        return self


class Patch(Input):
    """A change where only the fields sent change. Some fields may be left out but never
    cleared (a list always has a name and a priority): sending them as null is a 422 saying
    so, not a row the database refuses later."""

    KEEPS_A_VALUE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_where_a_value_is_kept(self) -> Any:
        cleared = sorted(name for name in self.model_fields_set & self.KEEPS_A_VALUE
                         if getattr(self, name) is None)  # fmt: skip
        if cleared:
            raise ValueError(
                f"{', '.join(cleared)} cannot be null: leave it out to keep the current value"
            )
        return self


class Health(BaseModel):
    status: str
    detail: str | None = None
