"""Plate text and jurisdiction normalisation (DOMAIN.md 2.1, 2.2).

The raw plate is always kept for display and evidence; matching uses two derived strings:

key       NFKC-folded, upper-case, other-script look-alikes mapped to Latin, diacritics dropped,
          separators and symbols removed: `[A-Z0-9]*`.
fold key  the key with each OCR-confusable character replaced by its class representative
          (`lpr.confusables.STRICT`), used to find confusable candidates in one lookup.
"""

import unicodedata
from dataclasses import dataclass

from lpr import confusables
from lpr.errors import InvalidPlate, InvalidState

MAX_RAW_LENGTH = 32
MAX_KEY_LENGTH = 12

# Cyrillic and Greek capitals that render like Latin letters or digits, from the Unicode TR39
# confusables data (single letters with a plate-font twin only). Lower case needs no entry: the
# text is upper-cased before this table applies.
_LOOKALIKES = str.maketrans(
    {
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ү": "Y",
        "Ӏ": "I", "Ԛ": "Q", "Ԝ": "W", "З": "3",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip

_ALLOWED = frozenset(confusables.ALPHABET)
_PATTERN_ALLOWED = _ALLOWED | {"?", "*"}
# Separators are dropped without a note; anything else outside [A-Z0-9] is reported. U+2212 and
# the dashes U+2010-U+2015 are category Pd/Sm, U+00A0/U+2007/U+202F are Zs, U+200B-U+200D and
# U+FEFF are Cf.
_SEPARATORS = frozenset(".·•−/_\u2010\u2011\u2012\u2013\u2014\u2015\u00a0\u2007\u202f")
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Pd", "Cf", "Cc"})

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
    """Upper-case text with compatibility forms, look-alikes and diacritics folded to ASCII
    letters where one exists; other characters are left for the caller to keep or drop."""
    text = unicodedata.normalize("NFKC", text).upper().translate(_LOOKALIKES)
    if text.isascii():
        return text
    return "".join(_base_letter(ch) for ch in text)


def _base_letter(ch: str) -> str:
    # A diacritic on a plate is OCR noise or a foreign plate keyed without it in NCIC; `İ` and
    # `Ö` become `I` and `O` rather than vanishing (a vanished character is an edit, not a match).
    if ch in _PATTERN_ALLOWED or ch.isascii():
        return ch
    base = unicodedata.normalize("NFD", ch)[0]
    return base if base in _ALLOWED else ch


def normalize(raw: str) -> str:
    """The exact-match key of a plate: `[A-Z0-9]*`. Idempotent; never raises."""
    return "".join(ch for ch in fold(raw) if ch in _ALLOWED)


def fold_key(key: str) -> str:
    """The confusion-class skeleton of a key (`0ODQ`->0, `1IL`->1, `2Z`->2, `5S`->5, `8B`->8,
    `6G`->6). Idempotent; two keys are STRICT-confusable exactly when their fold keys are equal."""
    return confusables.STRICT.skeleton(key)


def normalize_pattern(raw: str) -> str:
    """A partial-plate pattern normalised like a key, keeping `?` (one unknown character) and
    `*` (any run); `_` and `%` count as `?` and `*` for pasted SQL-style patterns."""
    text = fold(raw.replace("_", "?").replace("%", "*"))
    return "".join(ch for ch in text if ch in _PATTERN_ALLOWED)


def parse(raw: str) -> Plate:
    """Validate a plate as received and derive its key.

    Separators (spaces, dashes, dots, zero-width characters) are dropped silently; any other
    symbol is dropped and reported in `removed`. Raises InvalidPlate when nothing is left.
    """
    if len(raw) > MAX_RAW_LENGTH:
        raise InvalidPlate(f"plate is {len(raw)} characters long; at most {MAX_RAW_LENGTH}")
    folded = fold(raw)
    key = "".join(ch for ch in folded if ch in _ALLOWED)
    removed = "".join(ch for ch in folded if ch not in _ALLOWED and not is_separator(ch))
    if not key:
        raise InvalidPlate(f"plate {raw!r} has no letters or digits")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidPlate(
            f"plate {raw!r} has {len(key)} letters and digits; at most {MAX_KEY_LENGTH}"
        )
    return Plate(raw=raw, key=key, removed=removed)


def is_separator(ch: str) -> bool:
    """True for characters dropped from a plate without comment: spaces of every width,
    zero-width characters, hyphens, dashes, the minus sign, dots, slashes and underscores."""
    return ch in _SEPARATORS or unicodedata.category(ch) in _SEPARATOR_CATEGORIES


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
