"""Hot-list files in, typed rows and line-numbered problems out (DOMAIN.md 3.1). Pure.

Two ways in: `parse(data, layout)` for the named state and NCIC extract layouts (FORMATS.md §4;
the 24 layouts of the OpenALPR importer), and `parse_csv(data, columns)` for any CSV with a
header, given which column holds which field. A bad line never stops an import: it becomes a
`Problem` and the rest is read. Only a file that cannot be read at all raises HotListFormatError.

Extract quirks handled here: a digit zero for the letter O in state, make and colour codes
(`0H`, `D0DG`); space-padded plates; two-digit years; header lines (a layout says whether its
extract starts with one, as the importer's parsers do; `parse` says what it did with line 1).
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from lpr import hotlist_layouts, plates
from lpr.errors import HotListFormatError, InvalidPlate, InvalidState
from lpr.hotlist_layouts import Extractor, Fields
from lpr.list_kinds import (
    CO_CODES,
    CT_CODES,
    IA_CODES,
    KEYWORDS,
    NCIC_CODES,
    NJ_CODES,
    NY_CODES,
    OH_CODES,
    TX_TCIC_CODES,
    ListKind,
)

K = ListKind


@dataclass(frozen=True, slots=True)
class Layout:
    """A named extract layout. `codes` maps its list codes to kinds (else KEYWORDS apply);
    `coded` says its lines carry a list code at all; `kind`, when set, is the kind of every row
    (a one-list extract whose first column is not a list code)."""

    name: str
    extract: Extractor
    has_header: bool = False
    codes: Mapping[str, ListKind] = field(default_factory=dict)
    coded: bool = True
    kind: ListKind | None = None


def _layouts(*layouts: Layout) -> dict[str, Layout]:
    return {layout.name: layout for layout in layouts}


L = hotlist_layouts
# has_header as in the importer's parsers, which drop line 1 of these extracts unread. `parse`
# does not: a line 1 that reads as a record is imported (see _first_line).
LAYOUTS = _layouts(
    Layout("ncic", L.ncic, has_header=True, codes=NCIC_CODES),
    Layout("pa_psp", L.ncic, has_header=True, codes=NCIC_CODES),
    Layout("nc_state", L.ncic, has_header=True, codes=NCIC_CODES),
    Layout("wa_ncic", L.wa_ncic, has_header=True, codes=NCIC_CODES),
    Layout("mi_state", L.mi_state),
    Layout("nj_mvc", L.nj_mvc, codes=NJ_CODES),
    Layout("ny_state", L.ny_state, has_header=True, codes=NY_CODES),
    Layout("ca_doj_clew", L.ca_doj_clew, has_header=True, coded=False),
    Layout("co_ccic", L.co_ccic, has_header=True, codes=CO_CODES),
    Layout("ct_collect", L.ct_collect, codes=CT_CODES),
    Layout("il_leads", L.il_leads),
    Layout("il_sos", L.il_sos),
    Layout("kansas_state", L.kansas_state),
    Layout("tx_ncic", L.tx_ncic, codes=NCIC_CODES),
    Layout("mn_ncic", L.mn_ncic, has_header=True, codes=NCIC_CODES),
    Layout("ks_topeka", L.ks_topeka, codes=NCIC_CODES),
    Layout("tx_tcic", L.tx_tcic, codes=TX_TCIC_CODES),
    # One list, "Active Stolen Vehicles" (parsers/wa_stolen_vehicles.py); the first column
    # (`EVS`) is kept as the row's code but does not choose the kind.
    Layout("wa_stolen_vehicles", L.wa_stolen_vehicles, has_header=True, kind=K.STOLEN_VEHICLE),
    Layout("al_state", L.al_state),
    Layout("fl_state", L.fl_state, has_header=True),
    Layout("fl_dmv", L.fl_dmv, has_header=True),
    Layout("ia_state", L.ia_state, codes=IA_CODES),
    Layout("ga_spalder", L.ga_spalder),
    Layout("in_dmv", L.in_dmv),
    Layout("oh_leads", L.oh_leads, codes=OH_CODES),
    Layout("simple", L.simple, coded=False),
)


@dataclass(frozen=True, slots=True)
class HotListRow:
    """One record of a hot-list file. `line` is 1-based; `plate` is as written, `key` normalised.

    `expires_on` is when the record stops being valid, where the file says; `plate_expires_on`
    is the registration's expiry, which some DMV extracts carry instead. `reason` says why the
    plate is listed, when the file says more than its kind; `remarks` is other free text.
    """

    line: int
    plate: str
    key: str
    state: str | None = None
    kind: ListKind = ListKind.OTHER
    list_code: str | None = None
    reason: str | None = None
    vehicle_year: int | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_style: str | None = None
    vehicle_color: str | None = None
    plate_year: int | None = None
    plate_type: str | None = None
    vin: str | None = None
    case_number: str | None = None
    nic: str | None = None
    ori: str | None = None
    record_id: str | None = None
    entered_on: date | None = None
    expires_on: date | None = None
    plate_expires_on: date | None = None
    remarks: str | None = None  # free text beside the record: advice, a vehicle description


class ProblemKind(StrEnum):
    UNPARSEABLE_PLATE = "unparseable_plate"
    BAD_STATE = "bad_state"
    BAD_VALUE = "bad_value"
    SHORT_LINE = "short_line"
    UNKNOWN_CODE = "unknown_code"  # a list code the layout does not know: imported as `other`
    HEADER = "header"  # line 1 was taken as the extract's header line and not imported
    NO_HEADER = "no_header"  # line 1 of a layout with a header reads as a record: check the file
    NO_STATE = "no_state"
    EXPIRED = "expired"
    DUPLICATE = "duplicate"
    TWINS = "twins"  # O/0, I/1 ... variants of one plate in one list (fold keys collide)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something an import should tell the list owner; `lines` are 1-based."""

    kind: ProblemKind
    lines: tuple[int, ...]
    message: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    rows: tuple[HotListRow, ...]
    problems: tuple[Problem, ...]
    skipped: int = 0  # header and footer lines


@dataclass(frozen=True, slots=True)
class Skipped:
    """A header or footer line, not a record."""

    line: int


def layout_names() -> list[str]:
    return sorted(LAYOUTS)


def parse(
    data: str | bytes,
    layout: str,
    *,
    skip_header: bool | None = None,
    default_kind: ListKind | None = None,
) -> ParsedFile:
    """Read a file in a named layout (`layout_names()`): `iter_parse` over the whole of it.

    Line 1 of a layout whose extracts start with a header line (`has_header`) is taken as the
    header, with a HEADER notice, unless it reads as a clean record (plate, state, every value
    valid, a known list code): then it is imported, with a NO_HEADER warning. `skip_header`
    True skips line 1 whatever it holds (still warning if it looks like a record); False reads
    it as data.
    `default_kind` is the kind of rows that carry no list code (CA CLEW files carry none: there
    is one file per list). A list code the layout does not know makes a row of kind `other`
    whose `reason` names the code, and one UNKNOWN_CODE problem per code lists its lines.
    Raises HotListFormatError for an unknown layout."""
    return _collect(
        iter_parse(_lines(data), layout, skip_header=skip_header, default_kind=default_kind)
    )


def iter_parse(
    lines: Iterable[str],
    layout: str,
    *,
    skip_header: bool | None = None,
    default_kind: ListKind | None = None,
) -> Iterator[HotListRow | Problem | Skipped]:
    """`parse` one line at a time: each line's row or problem as it is read (a skipped header
    or footer line as `Skipped`), the UNKNOWN_CODE problems at the end. `lines` may keep their
    line endings. Nothing but the unknown codes' first lines is kept, so a file of any size
    is read in constant memory. Raises HotListFormatError for an unknown layout."""
    spec = LAYOUTS.get(layout)
    if spec is None:
        raise HotListFormatError(
            f"unknown hot-list layout {layout!r}; known: {', '.join(layout_names())}"
        )
    return _iter_parse(lines, spec, skip_header, default_kind)


def _iter_parse(
    lines: Iterable[str],
    spec: Layout,
    skip_header: bool | None,
    default_kind: ListKind | None,
) -> Iterator[HotListRow | Problem | Skipped]:
    skip = spec.has_header if skip_header is None else skip_header
    unknown = _Codes()
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if number == 1 and skip:
            header = _first_line(line, spec, forced=skip_header is True)
            yield header
            if header.kind is ProblemKind.HEADER or skip_header is True:
                yield Skipped(number)
                continue
        try:
            fields = spec.extract(line)
        except hotlist_layouts.ShortLine as short:
            yield Problem(ProblemKind.SHORT_LINE, (number,), f"line {number}: {short}")
            continue
        if fields is None:
            yield Skipped(number)
            continue
        kind = _kind(number, fields, spec, default_kind, unknown)
        problems: list[Problem] = []
        row = _row(number, fields, kind, problems)
        yield from problems
        if row is not None:
            yield row
    yield from unknown.problems(spec.name, default_kind or ListKind.OTHER)


def _collect(items: Iterable[HotListRow | Problem | Skipped]) -> ParsedFile:
    rows: list[HotListRow] = []
    problems: list[Problem] = []
    skipped = 0
    for item in items:
        if isinstance(item, HotListRow):
            rows.append(item)
        elif isinstance(item, Problem):
            problems.append(item)
        else:
            skipped += 1
    return ParsedFile(tuple(rows), tuple(problems), skipped)


def _first_line(line: str, spec: Layout, *, forced: bool) -> Problem:
    """What to say about line 1 of an extract that should start with a header line; its kind
    is HEADER when the line is to be skipped as one, NO_HEADER when it looks like a record.

    The importer drops that line unread, so a file sent without its header loses its first
    record without a word: for an officer, a stolen car that never alerts. Wrongly importing a
    header costs at most one odd entry, shown in this report; wrongly dropping a record costs a
    missed hit that nothing shows. So a line 1 that reads as a clean record (plate, state, every
    value valid, a list code the layout knows) is imported. A header's titles can still land a
    plausible plate and state in their columns (`RECORDS` puts `CO` in NCIC's state), so a
    line with only those is skipped, but the warning names them.
    """
    try:
        fields = spec.extract(line)
    except hotlist_layouts.ShortLine:
        fields = None  # too few fields for a record: a header
    row: HotListRow | None = None
    found: list[Problem] = []
    if fields is not None:
        unknown = _Codes()
        kind = _kind(1, dict(fields), spec, None, unknown)
        row = _row(1, fields, kind, found)
        found += unknown.problems(spec.name, ListKind.OTHER)
    if row is None or row.state is None:
        message = f"line 1 taken as a header and not imported ({spec.name} extracts start with one)"
        return Problem(ProblemKind.HEADER, (1,), message)
    seen = f"{row.key}, {row.state}"
    if found:
        message = (
            f"line 1 taken as a header and not imported, though a plate and state stand where "
            f"{spec.name} records keep them ({seen}): if the file has no header line, that "
            "record is missing; check the file"
        )
        return Problem(ProblemKind.HEADER, (1,), message)
    what = "skipped it as told" if forced else "imported it"
    message = (
        f"line 1 looks like a record ({seen}), not a header, though {spec.name} extracts "
        f"start with one: {what}; check the file"
    )
    return Problem(ProblemKind.NO_HEADER, (1,), message)


FIELDS = (
    "plate", "state", "list_code", "reason", "vehicle_year", "make", "model", "style", "color",
    "plate_year", "plate_type", "vin", "case_number", "nic", "ori", "record_id", "entered_on",
    "expires_on", "plate_expires_on",
)  # fmt: skip


def parse_csv(
    data: str | bytes,
    columns: Mapping[str, str],
    *,
    delimiter: str = ",",
    default_kind: ListKind = ListKind.OTHER,
    codes: Mapping[str, ListKind] | None = None,
) -> ParsedFile:
    """Read a CSV file with a header line: `iter_csv` over the whole of it."""
    return _collect(
        iter_csv(
            io.StringIO(decode(data), newline=""), columns, delimiter=delimiter,
            default_kind=default_kind, codes=codes,
        )
    )  # fmt: skip


def iter_csv(
    lines: Iterable[str],
    columns: Mapping[str, str],
    *,
    delimiter: str = ",",
    default_kind: ListKind = ListKind.OTHER,
    codes: Mapping[str, ListKind] | None = None,
) -> Iterator[HotListRow | Problem | Skipped]:
    """Read a CSV file with a header line, one record at a time (as `iter_parse`). `columns`
    maps our field names (FIELDS) to the file's column names, matched without regard to case or
    surrounding spaces; `plate` is required. `default_kind` is the kind of rows with no list
    code; a code neither `codes` nor KEYWORDS know is reported as in `parse`. Raises
    HotListFormatError (at once) when a mapped column is not in the header."""
    unknown = set(columns) - set(FIELDS)
    if unknown or "plate" not in columns:
        raise HotListFormatError(
            f"columns must map `plate` and may map {', '.join(FIELDS)}; got {sorted(columns)}"
        )
    reader = csv.reader(lines, delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    where: dict[str, int] = {}
    for ours, theirs in columns.items():
        if theirs.strip().lower() not in header:
            raise HotListFormatError(
                f"column {theirs!r} (for {ours}) is not in the header: {', '.join(header)}",
                line=1,
            )
        where[ours] = header.index(theirs.strip().lower())
    spec = Layout("csv", hotlist_layouts.simple, codes=codes or {}, coded="list_code" in columns)
    return _iter_csv(reader, where, len(header), spec, default_kind)


def _iter_csv(
    reader: Any,  # a csv reader (its class is private), read for its line_num
    where: Mapping[str, int],
    width: int,
    spec: Layout,
    default_kind: ListKind,
) -> Iterator[HotListRow | Problem | Skipped]:
    unknown_codes = _Codes()
    last = max(where.values())
    for values in reader:
        number = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) <= last:
            message = f"line {number}: expected {width} columns, found {len(values)}"
            yield Problem(ProblemKind.SHORT_LINE, (number,), message)
            continue
        fields = {ours: values[i].strip() for ours, i in where.items()}
        problems: list[Problem] = []
        row = _row(
            number, fields, _kind(number, fields, spec, default_kind, unknown_codes), problems
        )
        yield from problems
        if row is not None:
            yield row
    yield from unknown_codes.problems("the list column", default_kind or ListKind.OTHER)


def sniff_encoding(chunks: Iterable[bytes]) -> str:
    """The text encoding of a file read in `chunks`: "utf-8-sig" when all of it is UTF-8, else
    "cp1252" (extracts come from old systems). A NUL byte refuses the file, as `decode` does."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, line, column = True, 1, 0
    for chunk in chunks:
        at = chunk.find(b"\x00")
        if at >= 0:
            line += chunk.count(b"\n", 0, at)
            start = chunk.rfind(b"\n", 0, at)
            column = at - start if start >= 0 else column + at + 1
            raise HotListFormatError(_NUL_MESSAGE.format(column=column), line=line)
        line += chunk.count(b"\n")
        newline = chunk.rfind(b"\n")
        column = len(chunk) - newline - 1 if newline >= 0 else column + len(chunk)
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return "utf-8-sig" if utf8 else "cp1252"


_NUL_MESSAGE = (
    "character {column} is a NUL (\\x00), which no text file holds; is it UTF-16? "
    "Save it as UTF-8 or Windows-1252 text"
)


def decode(data: str | bytes) -> str:
    """The file's text. A NUL character refuses the whole file (HotListFormatError naming its
    line): a text extract has none, so the file is not what it claims (UTF-16, a binary)."""
    text = _decoded(data)
    at = text.find("\x00")
    if at >= 0:
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise HotListFormatError(_NUL_MESSAGE.format(column=column), line=line)
    return text


def _decoded(data: str | bytes) -> str:
    if isinstance(data, bytes):
        # Extracts come from old systems: UTF-8 (with or without BOM) or Windows-1252.
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    return data.removeprefix("\ufeff")


def _lines(data: str | bytes) -> list[str]:
    return decode(data).splitlines()


def _kind(
    number: int,
    fields: Fields,
    spec: Layout,
    default_kind: ListKind | None,
    unknown: "_Codes",
) -> ListKind:
    """The kind of one line. An unknown code is noted in `unknown` and put in the reason: the
    entry then says which code it came from, where a bare `other` would hide it."""
    if spec.kind is not None:
        return spec.kind
    code = fields.get("list_code", "").strip()
    if code in spec.codes:
        return spec.codes[code]
    for keyword, kind in KEYWORDS if code else ():
        if keyword in code.upper():
            return kind
    if code or spec.coded:
        unknown.add(code, number)
    if not code:
        return default_kind or ListKind.OTHER
    note = f"list code {code!r} not recognised"
    reason = fields.get("reason", "").strip()
    fields["reason"] = f"{reason} ({note})" if reason else note
    return ListKind.OTHER


class _Codes:
    """The lines of each list code a layout does not know: the first LINES_KEPT of them, and
    how many (a common unknown code can cover a million lines)."""

    def __init__(self) -> None:
        self._lines: dict[str, list[int]] = {}
        self._counts: dict[str, int] = {}

    def add(self, code: str, line: int) -> None:
        lines = self._lines.setdefault(code, [])
        if len(lines) < LINES_KEPT:
            lines.append(line)
        self._counts[code] = self._counts.get(code, 0) + 1

    def problems(self, where: str, default_kind: ListKind) -> list[Problem]:
        problems = []
        for code, lines in self._lines.items():
            if code:
                what = f"list code {code!r} is not one {where} uses; imported as other, code kept"
            else:
                what = f"no list code; imported as {default_kind}"
            message = f"{some_lines(lines, self._counts[code])}: {what}"
            problems.append(Problem(ProblemKind.UNKNOWN_CODE, tuple(lines), message))
        return problems


LINES_KEPT = 1000  # line numbers a problem keeps; its message says how many there were


def some_lines(lines: Sequence[int], total: int | None = None, most: int = 10) -> str:
    """ "lines 3, 9 and 212 more": the first `most` of `lines`, and how many beyond them of
    `total` (default: all of `lines`)."""
    total = len(lines) if total is None else total
    shown = ", ".join(str(line) for line in lines[:most])
    more = f" and {total - min(most, len(lines))} more" if total > most else ""
    return f"line{'s' if total > 1 else ''} {shown}{more}"


def _row(number: int, fields: Fields, kind: ListKind, problems: list[Problem]) -> HotListRow | None:
    raw_plate = fields.get("plate", "")
    try:
        key = plates.parse(raw_plate).key
    except InvalidPlate as error:
        problems.append(
            Problem(ProblemKind.UNPARSEABLE_PLATE, (number,), f"line {number}: {error}")
        )
        return None

    def bad(name: str, value: str, allowed: str) -> None:
        message = f"line {number}: {name} {value!r} is not {allowed}; left empty"
        problems.append(Problem(ProblemKind.BAD_VALUE, (number,), message))

    state = _state(number, fields.get("state", ""), problems)
    years: dict[str, int | None] = {}
    for name in ("vehicle_year", "plate_year"):
        text = fields.get(name, "")
        years[name] = _year(text)
        if text and years[name] is None and text != "9999":  # 9999: "unknown" in Iowa's extract
            bad(name, text, "a year")
    days: dict[str, date | None] = {}
    for name in ("entered_on", "expires_on", "plate_expires_on"):
        text = fields.get(name, "")
        days[name] = _date(text)
        if text and days[name] is None:
            bad(name, text, "a date (YYYYMMDD, MM/DD/YYYY, YYYY-MM-DD or MM/YYYY)")
    ori = fields.get("ori", "")
    return HotListRow(
        line=number,
        plate=raw_plate,
        key=key,
        state=state,
        kind=kind,
        list_code=fields.get("list_code") or None,
        reason=fields.get("reason") or None,
        vehicle_year=years["vehicle_year"],
        vehicle_make=_o_for_zero(fields.get("make", "")) or None,
        vehicle_model=fields.get("model") or None,
        vehicle_style=fields.get("style") or None,
        vehicle_color=_o_for_zero(fields.get("color", "")) or None,
        plate_year=years["plate_year"],
        plate_type=fields.get("plate_type") or None,
        vin=fields.get("vin") or None,
        case_number=fields.get("case_number") or None,
        nic=fields.get("nic") or None,
        ori=(_o_for_zero(ori[:2]) + ori[2:]) or None,
        record_id=fields.get("record_id") or None,
        entered_on=days["entered_on"],
        expires_on=days["expires_on"],
        plate_expires_on=days["plate_expires_on"],
        remarks=fields.get("remarks") or None,
    )


def _o_for_zero(code: str) -> str:
    # Extracts key the letter O as a digit zero in state, make, colour and ORI state codes.
    return code.replace("0", "O")


def _state(number: int, text: str, problems: list[Problem]) -> str | None:
    text = text.strip()
    if not text:
        return None
    candidate = _o_for_zero(text) if len(text) == 2 else text
    try:
        return plates.normalize_state(candidate)
    except InvalidState as error:
        message = f"line {number}: {error}; the entry will match every state"
        problems.append(Problem(ProblemKind.BAD_STATE, (number,), message))
        return None


def _year(text: str) -> int | None:
    text = text.strip()
    if len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100:
        return int(text)
    if len(text) == 2 and text.isdigit():
        return int(hotlist_layouts.century(text))
    return None


_DATE_FORMATS: tuple[tuple[str, Callable[[datetime], date]], ...] = (
    ("%Y%m%d", datetime.date),
    ("%m/%d/%Y", datetime.date),
    ("%Y-%m-%d", datetime.date),
)


def _date(text: str) -> date | None:
    text = text.strip().split(" ")[0]  # a time after the date is the extract's, not ours
    if not text:
        return None
    if len(text) == 8 and text.isdigit():  # YYYYMMDD, most extracts' own: no strptime
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
    for pattern, to_date in _DATE_FORMATS:
        try:
            return to_date(datetime.strptime(text, pattern))  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    if len(text) == 7 and text[2] == "/":  # MM/YYYY: the last day of that month
        try:
            month, year = int(text[:2]), int(text[3:])
            following = date(year + month // 12, month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
        except ValueError:
            return None
    return None
