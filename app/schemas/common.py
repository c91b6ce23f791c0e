"""Field types and shapes every resource's API models share: plates, states, positions, vehicles."""

from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from lpr import plates
from lpr.errors import LprError


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


PlateText = Annotated[
    str, Field(min_length=1, max_length=plates.MAX_RAW_LENGTH), AfterValidator(plate_text)
]


StateCode = Annotated[str | None, Field(default=None, max_length=8), AfterValidator(state_code)]


ShortText = Annotated[str, Field(max_length=200)]


Latitude = Annotated[float, Field(ge=-90, le=90)]


Longitude = Annotated[float, Field(ge=-180, le=180)]


Heading = Annotated[float, Field(ge=0, le=360)]


Confidence = Annotated[float, Field(ge=0, le=1)]


class Vehicle(BaseModel):
    model_config = ConfigDict(extra="ignore")

    make: Annotated[str, Field(max_length=60)] | None = None
    model: Annotated[str, Field(max_length=60)] | None = None
    color: Annotated[str, Field(max_length=40)] | None = None
    type: Annotated[str, Field(max_length=40)] | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class Located(BaseModel):
    lat: Latitude | None = Field(default=None, description="WGS 84 latitude; with lon")
    lon: Longitude | None = Field(default=None, description="WGS 84 longitude; with lat")

    @model_validator(mode="after")
    def _both_or_neither(self) -> Any:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        return self


class Patch(BaseModel):
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
