"""Reading single fields out of untrusted JSON: every helper returns None rather than raising.

Vendors send numbers as strings, booleans where numbers belong, confidences on 0–100 or 0–1,
regions as `us-ca`, `ca` or `CA`, and `0, 0` for "no GPS fix". These helpers absorb that, and
return a note when they drop or doubt a value so the read can say so.
"""

import math
from collections.abc import Iterable, Mapping

from lpr import plates
from lpr.errors import LprError
from lpr.read import Candidate

JsonObject = Mapping[str, object]

MAX_CANDIDATES = 20
MAX_TEXT = 200
_BLANK_NAMES = frozenset({"", "-", "unknown", "invalid", "generic", "none", "null", "n/a"})
_COMPASS = {
    "N": 0.0, "NNE": 22.5, "NE": 45.0, "ENE": 67.5, "E": 90.0, "ESE": 112.5, "SE": 135.0,
    "SSE": 157.5, "S": 180.0, "SSW": 202.5, "SW": 225.0, "WSW": 247.5, "W": 270.0,
    "WNW": 292.5, "NW": 315.0, "NNW": 337.5,
    "NORTH": 0.0, "NORTHEAST": 45.0, "EAST": 90.0, "SOUTHEAST": 135.0, "SOUTH": 180.0,
    "SOUTHWEST": 225.0, "WEST": 270.0, "NORTHWEST": 315.0,
}  # fmt: skip
# Countries whose second-level codes are the jurisdictions plates.normalize_state knows.
_STATE_COUNTRIES = frozenset({"us", "ca", "mx"})


def obj(value: object) -> JsonObject:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def objects(value: object) -> list[JsonObject]:
    """The JSON objects in `value` if it is an array; other elements are skipped."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def text(value: object) -> str | None:
    """A non-blank string, stripped and cut to MAX_TEXT characters."""
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped[:MAX_TEXT] if stripped else None


def ident(value: object) -> str | None:
    """An identifier sent as a string or an integer (OpenALPR camera ids are integers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if abs(value) < 10**30 else None
    found = text(value)
    return None if found is None or found.lower() == "null" else found


def number(value: object) -> float | None:
    """A finite number, also from a numeric string (`"0.11"`); booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def flag(value: object) -> bool | None:
    """A boolean, also from 0/1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def confidence(value: object, *, percent: bool) -> float | None:
    """A 0..1 confidence from the vendor's scale; a 0..1 vendor sending 0–100 is divided too."""
    found = number(value)
    if found is None or found < 0:
        return None
    scaled = found / 100 if percent else found
    if scaled > 1 + 1e-6:
        if percent or found > 100:
            return None
        scaled = found / 100
    return min(scaled, 1.0)


def heading(value: object) -> float | None:
    """Degrees 0..360 from a number, a numeric string or a compass word (`NE`, `north`)."""
    found = number(value)
    if found is None and isinstance(value, str):
        found = _COMPASS.get(value.strip().upper().replace(" ", "").replace("-", ""))
    if found is None or not -360 <= found <= 720:
        return None
    return found % 360


def position(lat: object, lon: object, notes: list[str]) -> tuple[float | None, float | None]:
    """Latitude and longitude together, or neither; `0, 0` means no GPS fix."""
    la, lo = number(lat), number(lon)
    if la is None or lo is None:
        return None, None
    if la == 0 and lo == 0:
        return None, None
    if not (-90 <= la <= 90 and -180 <= lo <= 180):
        notes.append(f"position {la}, {lo} is not on Earth: not kept")
        return None, None
    return la, lo


def state(raw: object, notes: list[str], *, bare_is_country: bool) -> str | None:
    """A plate jurisdiction (`CA`) from `us-ca`, `US-CA`, `CA` or `ca`.

    With `bare_is_country` (Plate Recognizer), a bare two-letter code is a country (`ca` is
    Canada, `gb` Britain), so it names no state. Codes that are no US state, territory or
    Canadian province give None and a note: the read then matches lists of every state.
    """
    code = text(raw)
    if code is None:
        return None
    lowered = code.lower().replace("_", "-")
    country, _, rest = lowered.partition("-")
    if rest:
        if country not in _STATE_COUNTRIES:
            notes.append(f"region {code!r} is outside the US, Canada and Mexico: no state")
            return None
        lowered = f"{country}-{rest}"
    elif bare_is_country:
        if lowered not in ("us", "ca", "mx"):
            notes.append(f"region {code!r} is outside the US, Canada and Mexico: no state")
        return None
    try:
        return plates.normalize_state(lowered)
    except LprError:
        notes.append(f"region {code!r} is not a state or province code: no state")
        return None


def plate(value: object) -> str | None:
    """The plate as the vendor sent it (stripped), if Lookout can read it as a plate."""
    raw = text(value) if isinstance(value, str) else ident(value)
    if raw is None:
        return None
    try:
        plates.parse(raw)
    except LprError:
        return None
    return raw


def candidates(
    best: str, best_confidence: float | None, others: Iterable[tuple[object, float | None]]
) -> tuple[Candidate, ...]:
    """The OCR guesses, `best` first, then the others by falling confidence, without repeats."""
    ranked = sorted(
        ((found, conf) for raw, conf in others if (found := plate(raw)) is not None),
        key=lambda pair: -(pair[1] if pair[1] is not None else -1.0),
    )
    seen = {plates.normalize(best)}
    result = [Candidate(best, best_confidence)]
    for found, conf in ranked:
        key = plates.normalize(found)
        if key in seen:
            continue
        seen.add(key)
        result.append(Candidate(found, conf))
        if len(result) == MAX_CANDIDATES:
            break
    return tuple(result)


def name(value: object) -> str | None:
    """A vehicle attribute name, with the vendor's "unknown" spellings as None."""
    found = text(value)
    if found is None or found.lower() in _BLANK_NAMES:
        return None
    return found[:60]


def year(value: object) -> int | None:
    """A model year from `2012` or `"2012"`; a range like `"2010-2014"` is no single year."""
    found = number(value)
    if found is None or not found.is_integer() or not 1900 <= found <= 2100:
        return None
    return int(found)


def preview(value: object, limit: int = 40) -> str:
    """A short, safe rendering of a JSON value for a note or an error message."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[: limit - 3] + "...")
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, int | float):
        shown = repr(value) if abs(value) < 10**limit else "a very long number"
        return shown[:limit]
    if isinstance(value, list):
        return "an array"
    return "an object"


def key_list(keys: Iterable[object]) -> str:
    """The first keys of an object, for an error message saying what was found instead."""
    return ", ".join(sorted(str(key)[:30] for key in keys)[:8]) or "none"


def direction(value: object) -> str | None:
    """Which way the car moved relative to the camera, as the vendor words it, lower case;
    None for the vendor's "unknown"."""
    found = text(value)
    if found is None or found.lower() in _BLANK_NAMES or found.lower() == "undefined":
        return None
    return found.lower()[:40]


def mac(value: object) -> str | None:
    """A MAC address or an AXIS serial (the same twelve hex digits), as lower-case hex."""
    found = text(value)
    if found is None:
        return None
    digits = "".join(ch for ch in found.lower() if ch not in ":-. ")
    if len(digits) != 12 or any(ch not in "0123456789abcdef" for ch in digits):
        return None
    return None if digits == "0" * 12 else digits
