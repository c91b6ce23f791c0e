"""Comparing a vehicle description on record (hot-list entry, bulletin) with what a camera saw.

Words are compared case-insensitively after folding common spellings and NCIC codes: makes
(`Chevy`, `CHEV` → Chevrolet; `VW`, `VOLK` → Volkswagen), models (`CR-V` = `CRV`; a camera's
`Civic LX` is a `Civic`), colours (`gray`/`GRY` → grey; `BLU/WHI` two-tone). Colours that
cameras and witnesses confuse are *close*, not different: silver and grey, white and silver,
blue and teal, gold and yellow or beige, maroon and red or purple, and so on (DOMAIN.md 5.3).
"""

import functools
import re
from dataclasses import dataclass
from enum import StrEnum


class Agreement(StrEnum):
    SAME = "same"
    CLOSE = "close"  # colours a camera or a witness easily confuses
    DIFFERENT = "different"
    UNKNOWN = "unknown"  # one side (or both) did not say


@dataclass(frozen=True, slots=True)
class Check:
    """One attribute compared: `field` is make, model, color, year or type."""

    field: str
    record: str | None
    camera: str | None
    agreement: Agreement

    @property
    def text(self) -> str:
        match self.agreement:
            case Agreement.SAME:
                return f"{self.field} {self.camera} matches"
            case Agreement.CLOSE:
                return f"{self.field} close: record {self.record}, camera {self.camera}"
            case Agreement.DIFFERENT:
                return f"{self.field} differs: record {self.record}, camera {self.camera}"
            case _:
                if self.record is None:
                    return f"{self.field} not on record"
                return f"{self.field} not reported by camera"


# Canonical names for makes as dispatchers, cameras and NCIC (VMA) write them.
_MAKES = {
    "ACUR": "acura", "AUDI": "audi", "BMW": "bmw", "BUIC": "buick", "CADI": "cadillac",
    "CHEV": "chevrolet", "CHEVY": "chevrolet", "CHRY": "chrysler", "DODG": "dodge",
    "FORD": "ford", "GMC": "gmc", "HOND": "honda", "HYUN": "hyundai", "INFI": "infiniti",
    "JAGU": "jaguar", "JEEP": "jeep", "KIA": "kia", "LEXS": "lexus", "LINC": "lincoln",
    "MAZD": "mazda", "MERZ": "mercedes", "MERCEDESBENZ": "mercedes", "MERCEDES": "mercedes",
    "MITS": "mitsubishi", "NISS": "nissan", "PONT": "pontiac", "PORS": "porsche", "RAM": "ram",
    "SUBA": "subaru", "TESL": "tesla", "TOYT": "toyota", "TOYO": "toyota", "VOLK": "volkswagen",
    "VW": "volkswagen", "VOLV": "volvo", "LNDR": "land rover", "LANDROVER": "land rover",
}  # fmt: skip

# Colour words and NCIC VCO codes, to one canonical name each.
_COLOURS = {
    "BLK": "black", "BLACK": "black", "WHI": "white", "WHITE": "white", "CRM": "white",
    "CREAM": "white", "IVORY": "white", "GRY": "grey", "GRAY": "grey", "GREY": "grey",
    "CHARCOAL": "grey", "GRAPHITE": "grey", "GUNMETAL": "grey", "SIL": "silver",
    "SILVER": "silver", "COM": "silver", "CHROME": "silver", "RED": "red", "MAR": "maroon",
    "MAROON": "maroon", "BURGUNDY": "maroon", "WINE": "maroon", "BLU": "blue", "BLUE": "blue",
    "DBL": "blue", "LBL": "blue", "NAVY": "blue", "TEA": "teal", "TEAL": "teal", "TRQ": "teal",
    "TURQUOISE": "teal", "GRN": "green", "GREEN": "green", "DGR": "green", "LGR": "green",
    "YEL": "yellow", "YELLOW": "yellow", "GLD": "gold", "GOLD": "gold", "ONG": "orange",
    "ORANGE": "orange", "BRO": "brown", "BROWN": "brown", "BRZ": "brown", "BRONZE": "brown",
    "CPR": "orange", "COPPER": "orange", "TAN": "beige", "BGE": "beige", "BEIGE": "beige",
    "TPE": "beige", "TAUPE": "beige", "CHAMPAGNE": "beige", "PLE": "purple", "PURPLE": "purple",
    "MVE": "purple", "MAUVE": "purple", "VIOLET": "purple", "PNK": "pink", "PINK": "pink",
}  # fmt: skip
_CLOSE_COLOURS = {
    frozenset(pair)
    for pair in (
        ("silver", "grey"), ("silver", "white"), ("grey", "black"), ("blue", "teal"),
        ("green", "teal"), ("blue", "purple"), ("maroon", "red"), ("maroon", "purple"),
        ("maroon", "brown"), ("red", "orange"), ("red", "pink"), ("gold", "yellow"),
        ("gold", "beige"), ("gold", "brown"), ("beige", "brown"), ("beige", "white"),
        ("beige", "silver"), ("orange", "yellow"), ("orange", "brown"), ("purple", "pink"),
    )
}  # fmt: skip
_WORD = re.compile(r"[^A-Z0-9]+")
# "dark blue", "light grey", "metallic silver": the shade does not change the colour.
_SHADES = {"DARK", "LIGHT", "LT", "DK", "METALLIC", "MET", "PEARL", "BRIGHT", "PALE", "MATTE"}


# Called for every read a bulletin's watch or search considers; cameras send few spellings.
@functools.lru_cache(maxsize=4096)
def make_key(make: str | None) -> str | None:
    """The canonical make ("honda", "chevrolet"), or None for nothing written."""
    if make is None or not make.strip():
        return None
    compact = _WORD.sub("", make.upper())
    return _MAKES.get(compact) or _MAKES.get(make.strip().upper()) or make.strip().lower()


@functools.lru_cache(maxsize=4096)
def model_key(model: str | None) -> str | None:
    """Upper-case letters and digits only: `CR-V` and `crv` are one model."""
    if model is None:
        return None
    key = _WORD.sub("", model.upper())
    return key or None


def colours(color: str | None) -> frozenset[str]:
    """The canonical colours of a description: one, two for a two-tone (`BLU/WHI`), none for
    nothing written. Unknown words are kept, lower case."""
    if color is None:
        return frozenset()
    found = set()
    for part in re.split(r"[/,&+]|\bAND\b|\bOVER\b", color.upper()):
        words = [w for w in _WORD.split(part) if w and w not in _SHADES]
        if words:
            word = "".join(words)
            found.add(_COLOURS.get(word) or _COLOURS.get(words[-1]) or word.lower())
    return frozenset(found)


def compare_make(record: str | None, camera: str | None) -> Agreement:
    a, b = make_key(record), make_key(camera)
    if a is None or b is None:
        return Agreement.UNKNOWN
    return Agreement.SAME if a == b else Agreement.DIFFERENT


def compare_model(record: str | None, camera: str | None) -> Agreement:
    """A model name that starts with the other (a trim level added) is the same model."""
    a, b = model_key(record), model_key(camera)
    if a is None or b is None:
        return Agreement.UNKNOWN
    return Agreement.SAME if a.startswith(b) or b.startswith(a) else Agreement.DIFFERENT


def compare_colour(record: str | None, camera: str | None) -> Agreement:
    a, b = colours(record), colours(camera)
    if not a or not b:
        return Agreement.UNKNOWN
    if a & b:
        return Agreement.SAME
    if any(frozenset((x, y)) in _CLOSE_COLOURS for x in a for y in b):
        return Agreement.CLOSE
    return Agreement.DIFFERENT


_TYPE_CLASSES = {
    "MC": "motorcycle", "MOTORCYCLE": "motorcycle", "MOTORBIKE": "motorcycle",
    "SCOOTER": "motorcycle", "MOPED": "motorcycle", "TRL": "trailer", "TRAILER": "trailer",
    "TL": "trailer",
}  # fmt: skip


def compare_type(record: str | None, camera: str | None) -> Agreement:
    """Only the differences that matter for a stop: a motorcycle or a trailer on one side and
    something else on the other (the Aurora, CO stop of DOMAIN.md 5.2). Body styles of cars
    (sedan, SUV, pickup) are too often guessed to call different."""
    if not record or not camera:
        return Agreement.UNKNOWN
    a = _TYPE_CLASSES.get(_WORD.sub("", record.upper()), "car")
    b = _TYPE_CLASSES.get(_WORD.sub("", camera.upper()), "car")
    if a == b == "car":
        return Agreement.UNKNOWN
    return Agreement.SAME if a == b else Agreement.DIFFERENT


def compare_year(year_min: int | None, year_max: int | None, camera: int | None) -> Agreement:
    """Same when the camera's model year is within the range on record, give or take one (a
    model year and its look overlap); unknown when either side has no year."""
    if camera is None or (year_min is None and year_max is None):
        return Agreement.UNKNOWN
    low = year_min if year_min is not None else year_max
    high = year_max if year_max is not None else year_min
    assert low is not None and high is not None
    return Agreement.SAME if low - 1 <= camera <= high + 1 else Agreement.DIFFERENT


def compare(
    *,
    record_make: str | None,
    record_model: str | None,
    record_color: str | None,
    record_year_min: int | None,
    record_year_max: int | None,
    camera_make: str | None,
    camera_model: str | None,
    camera_color: str | None,
    camera_year: int | None,
    record_type: str | None = None,
    camera_type: str | None = None,
) -> tuple[Check, ...]:
    """Make, model, colour, year and type compared, in that order."""
    year_text = _years(record_year_min, record_year_max)
    return (
        Check("make", record_make, camera_make, compare_make(record_make, camera_make)),
        Check("model", record_model, camera_model, compare_model(record_model, camera_model)),
        Check("color", record_color, camera_color, compare_colour(record_color, camera_color)),
        Check(
            "year",
            year_text,
            None if camera_year is None else str(camera_year),
            compare_year(record_year_min, record_year_max, camera_year),
        ),
        Check("type", record_type, camera_type, compare_type(record_type, camera_type)),
    )


def _years(low: int | None, high: int | None) -> str | None:
    if low is None and high is None:
        return None
    if low is None or high is None or low == high:
        return str(low if low is not None else high)
    return f"{low}-{high}"
