"""The state and NCIC hot-list extract layouts (FORMATS.md §4), one field extractor each.

Each extractor takes one line and returns its raw fields by name, or None for a line that is no
record (a blank line, a footer); a line too short to be a record raises ShortLine, which
`hotlist_files` reports. Slices are 0-based and end-exclusive, as in the OpenALPR
importer parsers the layouts come from (openalpr/openalpr_hotlist_import, parsers/<layout>.py).
Values stay strings here; `hotlist_files` turns them into typed rows. `reason` is only ever why
the vehicle is listed; other free text the file carries goes in `remarks`. Person data in the
DMV and warrant extracts (names, dates of birth, addresses, licence numbers, sex, race) is never
extracted: a hot-list entry needs the vehicle, not the person.
"""

import re
from collections.abc import Callable

Fields = dict[str, str]
Extractor = Callable[[str], Fields | None]

_TAGS = re.compile(r"\b([A-Z]{3})/(\S*)")


class ShortLine(ValueError):
    """A line with fewer fields than its layout's records have; the message says how many."""

    def __init__(self, expected: int, found: int, separator: str) -> None:
        super().__init__(f"expected {expected} {separator}-separated fields, found {found}")


def _cut(line: str, **slices: tuple[int, int | None]) -> Fields:
    return {name: line[start:end].strip() for name, (start, end) in slices.items()}


def _columns(
    line: str, delimiter: str, names: tuple[str, ...], least: int | None = None
) -> Fields | None:
    # Fewer than `least` (all the names) values is a short line; missing later values stay out.
    values = [value.strip() for value in line.split(delimiter)]
    if not any(values):
        return None
    if len(values) < (least or len(names)):
        raise ShortLine(least or len(names), len(values), repr(delimiter))
    return {name: value for name, value in zip(names, values, strict=False) if name != "_"}


def _mmddyy(value: str) -> str:
    # IL LEADS writes dates as mmddyy; hand them on as MM/DD/YYYY.
    if re.fullmatch(r"\d{6}", value):
        return f"{value[:2]}/{value[2:4]}/{century(value[4:])}"
    return value


def century(yy: str) -> str:
    # Two-digit years: extracts carry vehicle and theft years, so 00-39 are this century.
    return f"20{yy}" if int(yy) < 40 else f"19{yy}"


def ncic(line: str) -> Fields | None:
    return _cut(
        line,
        list_code=(0, 1),
        nic=(0, 10),
        ori=(10, 19),
        entered_on=(19, 27),
        plate=(27, 37),
        state=(37, 39),
        plate_year=(39, 43),
        plate_type=(43, 45),
        vehicle_year=(45, 49),
        make=(49, 53),
        model=(53, 56),
        style=(56, 58),
        color=(58, None),
    )


def wa_ncic(line: str) -> Fields | None:
    # The record id starts with a two-digit year, then the NCIC list letter (`21V0128839`): it
    # is no NIC (a letter and nine digits), so it is kept whole as the record id.
    return _cut(
        line,
        list_code=(2, 3),
        record_id=(0, 10),
        ori=(10, 19),
        entered_on=(19, 27),
        plate=(27, 37),
        state=(37, 39),
        plate_year=(39, 43),
        plate_type=(43, 45),
    )


def mi_state(line: str) -> Fields | None:
    fields = ncic(line)
    assert fields is not None
    fields.update(_cut(line, color=(58, 65), list_code=(65, 100)))
    return fields


def nj_mvc(line: str) -> Fields | None:
    # NCIC-like, but 56-58 is "an unknown two-digit code" (`04`) in parsers/nj_mvc.py, not a
    # vehicle style, and the colour stops at 65.
    fields = ncic(line)
    assert fields is not None
    del fields["nic"], fields["style"]
    fields.update(_cut(line, list_code=(0, 1), color=(58, 65)))
    return fields


def ny_state(line: str) -> Fields | None:
    return _cut(
        line,
        plate=(0, 10),
        state=(10, 12),
        plate_type=(12, 15),
        list_code=(15, 16),
        make=(16, 20),
        color=(20, None),
    )


def ca_doj_clew(line: str) -> Fields | None:
    if line.startswith("TOTAL RECORD"):
        return None
    fields = _cut(line, plate=(0, 8), state=(8, 10), county=(10, 12), entered_on=(12, None))
    county = fields.pop("county")  # where the loss was reported: a remark, not why it is listed
    if county:
        fields["remarks"] = f"county {county}"
    return fields


def co_ccic(line: str) -> Fields | None:
    fields = _cut(line, plate=(0, 10), state=(10, 12), list_code=(12, 34), vehicle=(34, None))
    vehicle = fields.pop("vehicle")
    parts = vehicle.split()
    if len(parts) == 4 and parts[0].isdigit():
        fields.update(zip(("vehicle_year", "make", "model", "color"), parts, strict=True))
    elif vehicle:
        fields["remarks"] = vehicle  # a vehicle description, not why it is listed
    return fields


# Connecticut's record definition, quoted in parsers/ct_collect.py, puts the fields at 1-based
# positions that make each text column 31 wide: make 39-69, model 70-100, style 101-131, colour
# 132-162, year 163-167, usage 168-198, registration expiry 199-207, status 208-209. The
# importer's slices, and its example line, make them 30 wide (year 158-162, expiry 192-200,
# status 200-202). Read in the importer's widths, a file in the state's widths yields date
# digits for the status and no expiry, which is how real files went wrong; so the state's
# positions are the default, and a line laid out as the importer's example is read with its.
_CT_STATE = {"plate_type": (8, 38), "make": (38, 69), "model": (69, 100), "style": (100, 131),
             "color": (131, 162), "vehicle_year": (162, 167), "plate_expires_on": (198, 207),
             "list_code": (207, 209)}  # fmt: skip
_CT_IMPORTER = {"plate_type": (8, 38), "make": (38, 68), "model": (68, 98), "style": (98, 128),
                "color": (128, 158), "vehicle_year": (158, 162), "plate_expires_on": (192, 200),
                "list_code": (200, 202)}  # fmt: skip


def ct_collect(line: str) -> Fields | None:
    body = line.rstrip()
    importer = len(body) <= 202 and re.fullmatch(r"\d{8}", line[192:200]) is not None
    fields = _cut(line, plate=(0, 8), **(_CT_IMPORTER if importer else _CT_STATE))
    # The vehicle usage (`Regular`) between year and expiry is not why the plate is listed.
    fields["state"] = "CT"  # a Connecticut registration file: no state column
    return fields


def il_leads(line: str) -> Fields | None:
    fields = _cut(line, plate=(0, 8), state=(8, 10), plate_type=(10, 12), list_code=(12, 19))
    if not fields["plate"]:
        return None
    tags = dict(_TAGS.findall(line[19:]))
    names = {"VMA": "make", "VMO": "model", "VST": "style", "VCO": "color", "LDS": "record_id"}
    fields.update({name: tags[tag] for tag, name in names.items() if tags.get(tag)})
    if tags.get("VYR", "").isdigit():
        year = tags["VYR"]
        fields["vehicle_year"] = century(year) if len(year) == 2 else year
    if tags.get("DOT"):
        fields["entered_on"] = _mmddyy(tags["DOT"])
    if fields["list_code"] in ("MISSING", "WANTED") and "record_id" not in fields:
        # Person records: 19-77 is the name, sex, race and date of birth, which stay out; the
        # LEADS number is at 81 (parsers/il_leads.py).
        record_id = line[81:].strip()
        if record_id:
            fields["record_id"] = record_id
    return fields


def il_sos(line: str) -> Fields | None:
    fields = _cut(line, plate=(0, 9), state=(9, 11), plate_type=(11, 13), list_code=(13, 21))
    if not fields["plate"]:
        return None
    tags = dict(_TAGS.findall(line[21:]))
    if tags.get("DOT"):
        fields["entered_on"] = _mmddyy(tags["DOT"])
    expires = tags.get("EXP", "")
    if re.fullmatch(r"\d{4}", expires):  # mmyy: the registration runs to the end of that month
        fields["plate_expires_on"] = f"{expires[:2]}/{century(expires[2:])}"
    return fields


# Kansas warrant codes in the comments of a warrant line (parsers/kansas_state.py, format 3).
_KS_WARRANTS = {"ALCOHOLICWAR": "Alcoholic Warrant", "ALLERGIESWAR": "Allergies Warrant",
                "ARMED/DANGPOI": "Armed/Dangerous Person of Interest",
                "ARMED/DANGWAR": "Armed/Dangerous Warrant",
                "ARMED/DANGWNT": "Armed/Dangerous Warrant",
                "DRUGABUSEWAR": "Drug Abuse Warrant", "ESCAPERSKWAR": "Escape Risk Warrant",
                "OTHERWAR": "Warrant", "POI": "Person of Interest",
                "VIOLTENDPOI": "Violent Tendencies Person of Interest",
                "VIOLTENDWAR": "Violent Tendencies Warrant", "WAR": "Warrant",
                "WNT": "Warrant"}  # fmt: skip
_ORI = re.compile(r"[A-Z]{2}(?=.*\d)[0-9A-Z]{7}")  # state, then an agency number with digits


def _ori_at_end(text: str) -> tuple[str, str | None]:
    """`text` without the ORI it ends with, and that ORI (None when it ends with none)."""
    if len(text) >= 9 and _ORI.fullmatch(text[-9:]):
        return text[:-9], text[-9:]
    return text, None


def kansas_state(line: str) -> Fields | None:
    """The Kansas merged extract, in the five line formats of parsers/kansas_state.py:

    1. `plate state CANADIAN ENTRY - CHECK type yyyyMAKEMODSTCOLORI date`
    2. `plate state#n LIST NAME! type yyyyMAKEMODSTCOLORI date` (or `- CHECK` for `!`)
    3. `plate state#n..mm/dd/yyyy..yyyy-MAKE-MOD-COLORI CODE-comments` (warrants)
    4. `plate state#4 Suspended ...`
    5. `plate state#8 LIST NAME yyyymmdd yyyy MAKE MOD ST COL KSRO ORI`

    The vehicle is run together as NCIC fields (year 4, make 4, model 3, style 2, colour, then a
    9-character ORI). A line in no known format keeps its plate and state, without a list code.
    """
    canadian = "CANADIAN ENTRY" in line
    head, mark, rest = line.partition("CANADIAN ENTRY" if canadian else "#")
    if not mark or not head.strip():
        return None
    fields = _ks_plate(head)
    if canadian:
        fields["list_code"] = "CANADIAN ENTRY"
        fields.update(_ks_tail(line))
    elif "!" in rest or "- CHECK" in rest.upper():
        listed = re.match(r"\d\s*([A-Z /]+?)\s*(?:!|-)", rest)
        if listed:  # a trailing one-letter flag is not part of the name
            fields["list_code"] = re.sub(r"\s+[A-Z]$", "", listed.group(1).strip())
        fields.update(_ks_tail(line))
    elif (dated := re.search(r"\d{2}/\d{2}/\d{4}", rest)) is not None:
        fields.update(_ks_warrant(rest[dated.end() :].strip()))
    elif rest.startswith("4 Suspended"):
        fields["list_code"] = "Suspended"
        years = re.findall(r"\b(?:19|20)\d{2}\b", rest)
        if len(years) == 1:
            fields["vehicle_year"] = years[0]
    elif (listed := re.match(r"8\s*(.+?)\s*(\d{8})\s+(.*)", rest)) is not None:
        fields["list_code"], fields["entered_on"] = listed.group(1), listed.group(2)
        words = listed.group(3).split()
        if words and _ORI.fullmatch(words[-1]):
            fields["ori"] = words.pop()
        if words and words[-1] == "KSRO":
            words.pop()
        if words and re.fullmatch(r"\d{4}", words[0]):
            fields["vehicle_year"] = words.pop(0)
        if len(words) == 4:
            fields.update(zip(("make", "model", "style", "color"), words, strict=True))
    return fields


def _ks_plate(head: str) -> Fields:
    # `ABC 123 KS` or `ABC123KS`: the state is the last word, or the last two letters.
    words = head.split()
    if len(words) > 1:
        return {"plate": "".join(words[:-1]), "state": words[-1]}
    return {"plate": head.strip()[:-2], "state": head.strip()[-2:]}


def _ks_tail(line: str) -> Fields:
    # Formats 1 and 2 end `type vehicle+ORI yyyymmdd`.
    words = line.split()
    if len(words) < 3 or not re.fullmatch(r"\d{8}", words[-1]):
        return {}
    fields = {"plate_type": words[-3], "entered_on": words[-1]}
    vehicle, ori = _ori_at_end(words[-2])
    if ori:
        fields["ori"] = ori
    if re.match(r"\d{4}", vehicle):
        fields["vehicle_year"], vehicle = vehicle[:4], vehicle[4:]
    whole = re.fullmatch(r"(.{4})(.{3})(.{2})([A-Z]{3}(?:/[A-Z]{3})?)", vehicle)
    if whole:
        fields.update(zip(("make", "model", "style", "color"), whole.groups(), strict=True))
    elif vehicle:
        fields["make"] = vehicle[:4]  # too short to tell model, style and colour apart
    return fields


def _ks_warrant(after_date: str) -> Fields:
    # `..-..-.. yyyy-MAKE-MOD-COLORI CODE-comments: ...`: the vehicle is dash-separated and the
    # list is the warrant code that opens the comments; no code is the importer's "Generic".
    found = re.match(r"[A-Z\s-]{2,}?(\d{4}.*)", after_date) or re.match(
        r"[A-Z\s-]{2,}?-([A-Z]{3,}.*)", after_date
    )
    if found is None:
        return {}
    vehicle, *comments = re.sub(r"\s*-\s*", "-", found.group(1)).split()
    fields: Fields = {}
    *named, last = vehicle.split("-")
    last, ori = _ori_at_end(last)
    if ori:
        fields["ori"] = ori
    parts = [*named, last]
    if parts and re.fullmatch(r"\d{4}", parts[0]):
        fields["vehicle_year"] = parts.pop(0)
    if len(parts) == 3:
        fields.update(zip(("make", "model", "color"), parts, strict=True))
    comment = " ".join(comments).split(":")[0]
    if "MISSING-PERSON" in comment:
        fields["list_code"] = "Missing Person"
    elif "-" in comment:
        code = re.sub(r"\s", "", re.split(r"(?<=[A-Z])-[A-Z]", comment)[0])
        fields["list_code"] = _KS_WARRANTS.get(code, code)
    return fields


def _csv(names: tuple[str, ...], delimiter: str = ",") -> Extractor:
    def extract(line: str) -> Fields | None:
        return _columns(line, delimiter, names)

    return extract


def _code_from_record_id(extract: Extractor, position: int) -> Extractor:
    # TX and MN carry the list letter inside the record id (TX TCIC as its second character).
    def with_code(line: str) -> Fields | None:
        fields = extract(line)
        if fields is not None:
            fields["list_code"] = fields.get("nic", "")[position : position + 1]
        return fields

    return with_code


_tx_ncic = _csv(
    (
        "nic",
        "ori",
        "entered_on",
        "plate",
        "state",
        "plate_year",
        "vehicle_year",
        "make",
        "model",
        "style",
        "color",
    )
)

_NCIC_12 = (
    "list_code",
    "ori",
    "entered_on",
    "plate",
    "state",
    "plate_year",
    "plate_type",
    "vehicle_year",
    "make",
    "model",
    "style",
    "color",
)
tx_ncic = _code_from_record_id(_tx_ncic, 0)
ks_topeka = _csv(_NCIC_12)
mn_ncic = _code_from_record_id(_csv(("nic", *_NCIC_12[1:])), 0)
tx_tcic = _code_from_record_id(
    _csv(("nic", "plate", "state", "vehicle_year", "make", "model", "style", "color")), 1
)
al_state = _csv(
    ("plate", "_", "nic", "make", "model", "color", "vehicle_year", "list_code", "state")
)
fl_state = _csv(
    (
        "list_code",
        "ori",
        "_",  # agency name
        "case_number",
        "_",
        "_",
        "nic",
        "entered_on",
        "_",
        "_",
        "plate",
        "plate_year",
        "state",
        "plate_type",
        "_",
    ),
    delimiter=";",
)
# The third column is the NCIC plate type (`TK`, `PC`), as the importer reads it.
ia_state = _csv(("plate", "plate_year", "plate_type", "state", "case_number", "list_code", "ori"))


def wa_stolen_vehicles(line: str) -> Fields | None:
    names = (
        "list_code",
        "ori",
        "plate",
        "state",
        "plate_year",
        "plate_type",
        "vin",
        "vehicle_year",
        "make",
        "model",
        "style",
        "color",
        "entered_on",
        "case_number",
    )
    # parsers/wa_stolen_vehicles.py reads lines of 7 columns or more ("funky short lines").
    fields = _columns(line, ",", names, least=7)
    if fields is None:
        return None
    # The free-text remark is last and holds unquoted commas. It is advice to the officer
    # ("VERIFY 425 ..., YES TO IMPOUND"), not why the car is listed: the list says that.
    remarks = ",".join(line.split(",")[len(names) :]).strip()
    if remarks:
        fields["remarks"] = remarks
    return fields


# Where the four Florida DMV files keep the vehicle (parsers/fl_dmv.py): colour and make
# columns by list, and the year in the expired-licence file.
_FL_DMV_VEHICLE = {
    "EXPIRED DRIVER LICENSES": {"vehicle_year": 9, "color": 10, "make": 11},
    "SUSPENDED/REVOKED/CANCELLED LICENSE": {"color": 9, "make": 10},
    "SEXUAL OFFENDERS/PREDATORS": {"color": 12, "make": 13},
}


def fl_dmv(line: str) -> Fields | None:
    raw = line.split(",")
    values = [value.strip() for value in raw]
    if not any(values):
        return None
    if len(values) < 3:
        raise ShortLine(3, len(values), "','")
    fields = {"plate": values[0], "state": values[1]}
    listed = raw[2]
    if listed.split()[:2] == ["Expired", "Tag"]:
        # `Expired Tag COLOUR MAKE`: a trailing space means no make, a double space no colour.
        fields["list_code"] = "Expired Tag"
        words = listed.split()[2:]
        if listed.endswith(" ") and words:
            fields["color"] = words[-1]
        elif "  " in listed.strip() and words:
            fields["make"] = words[-1]
        elif len(words) == 2:
            fields["color"], fields["make"] = words
        return fields
    fields["list_code"] = re.sub(r"\s[^A-Z]+$", "", values[2].upper())  # `... LICENSES - `
    for name, column in _FL_DMV_VEHICLE.get(fields["list_code"], {}).items():
        if column < len(values):
            fields[name] = values[column]
    return fields


def ga_spalder(line: str) -> Fields | None:
    values = [value.strip() for value in line.split(",")]
    if not values[0]:
        return None
    head = values[0]
    fields = {"plate": head[0:8].strip(), "state": head[8:10]}
    listed = re.search(r"#\d*([A-Z ]+)", head[10:])
    if listed:
        fields["list_code"] = listed.group(1).strip()
    fields.update(zip(("make", "vehicle_year", "model", "color"), values[1:5], strict=False))
    return fields


def in_dmv(line: str) -> Fields | None:
    values = [value.strip() for value in line.split(",")]
    if not any(values):
        return None
    if len(values) < 21:
        raise ShortLine(21, len(values), "','")
    return {
        "list_code": values[13],
        "state": values[16],
        "make": values[17],
        "vehicle_year": values[18],
        "plate_type": values[19],
        "plate": values[20],
    }


def oh_leads(line: str) -> Fields | None:
    # Ohio's layout sheet: OPERATION LIC LIS EXP-DATE DOW VMA VMO VYR VCO MISC (NIC/ and IDX/).
    values = line.split()
    if not values or values[0].startswith("SP2-") or line.startswith("and to leave"):
        return None  # the SQL*Plus prompts the extract is captured with
    if len(values) < 9:
        raise ShortLine(9, len(values), "space")
    fields = dict(
        zip(
            (
                "_",
                "plate",
                "state",
                "plate_expires_on",
                "entered_on",
                "make",
                "model",
                "vehicle_year",
                "color",
            ),
            values,
            strict=False,
        )
    )
    del fields["_"]
    misc = values[9:]
    if misc and misc[0] in ("0H", "OH"):  # Ohio's own lists name themselves: `0H WARRANT`
        fields["list_code"] = " ".join(misc)
    elif len(misc) == 2:  # NCIC records: NIC, then the IDX whose first letter is the list type
        fields["nic"], fields["record_id"] = misc
        fields["list_code"] = misc[1][:1]
    else:
        fields["list_code"] = " ".join(misc)
    return fields


def simple(line: str) -> Fields | None:
    plate = line.strip()
    return {"plate": plate} if plate else None
