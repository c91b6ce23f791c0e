"""Plate text and jurisdiction normalisation (DOMAIN.md 2.1, 2.2).

The raw plate is always kept for display and evidence; matching uses the *key*: NFKC-folded,
upper-case, other-script look-alikes mapped to Latin, separators and symbols removed.
"""

import unicodedata
from dataclasses import dataclass

from lpr.errors import InvalidPlate, InvalidState

MAX_RAW_LENGTH = 32
MAX_KEY_LENGTH = 12

# Cyrillic and Greek capitals that render like Latin ones (subset of Unicode TR39 confusables).
_LOOKALIKES = str.maketrans(
    {
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip

_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

# US states and territories, Canadian provinces, Mexican states' common NCIC codes, plus
# US government/diplomatic issuers that appear in NCIC `LIS`.
JURISDICTIONS = frozenset(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
    NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI
    AB BC MB NB NL NS NT NU ON PE QC SK YT MX US DS""".split()
)


@dataclass(frozen=True, slots=True)
class Plate:
    """A plate as written, with its matching key and whatever normalisation removed."""

    raw: str
    key: str
    removed: str = ""


def fold(text: str) -> str:
    """Upper-case text with compatibility forms and Latin look-alikes folded to ASCII letters."""
    return unicodedata.normalize("NFKC", text).upper().translate(_LOOKALIKES)


def normalize(raw: str) -> str:
    """The exact-match key of a plate: `[A-Z0-9]*`. Idempotent; never raises."""
    return "".join(ch for ch in fold(raw) if ch in _ALLOWED)


def parse(raw: str) -> Plate:
    """Validate a plate as received and derive its key.

    Separators (spaces, dashes, dots, zero-width characters) are dropped silently; any other
    symbol is dropped and reported in `removed`. Raises InvalidPlate when nothing is left.
    """
    if len(raw) > MAX_RAW_LENGTH:
        raise InvalidPlate(f"plate is {len(raw)} characters long; at most {MAX_RAW_LENGTH}")
    folded = fold(raw)
    key = "".join(ch for ch in folded if ch in _ALLOWED)
    removed = "".join(ch for ch in folded if ch not in _ALLOWED and not _is_separator(ch))
    if not key:
        raise InvalidPlate(f"plate {raw!r} has no letters or digits")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidPlate(
            f"plate {raw!r} has {len(key)} letters and digits; at most {MAX_KEY_LENGTH}"
        )
    return Plate(raw=raw, key=key, removed=removed)


def _is_separator(ch: str) -> bool:
    # Zs: spaces incl. NBSP; Pd: hyphens and dashes; Cf: zero-width; plus dots and the minus sign
    return ch in ".·•−/_" or unicodedata.category(ch) in {"Zs", "Pd", "Cf", "Cc"}


def normalize_state(raw: str | None) -> str | None:
    """A two-letter jurisdiction code from `CA`, `ca`, `us-ca` or `US-CA`; None for blank.

    Raises InvalidState for anything else.
    """
    if raw is None:
        return None
    text = raw.strip().upper()
    if not text:
        return None
    for prefix in ("US-", "US_", "CA-", "MX-"):
        if text.startswith(prefix) and len(text) == len(prefix) + 2:
            text = text[len(prefix) :]
            break
    if text not in JURISDICTIONS:
        raise InvalidState(f"state {raw!r} is not a US state, territory or Canadian province code")
    return text
