"""The state and NCIC hot-list extract layouts (FORMATS.md §4), one field extractor each.

Each extractor takes one line and returns its raw fields by name, or None for a line that is no
record (a blank line, a footer). Slices are 0-based and end-exclusive, as in the OpenALPR
importer parsers the layouts come from. Values stay strings here; `hotlist_files` turns them into
typed rows. Person data in the DMV extracts (names, dates of birth, addresses, licence numbers,
sex, race) is never extracted: a hot-list entry needs the vehicle, not the person.
"""

import re
from collections.abc import Callable

Fields = dict[str, str]
Extractor = Callable[[str], Fields | None]

_TAGS = re.compile(r"\b([A-Z]{3})/(\S*)")


def _cut(line: str, **slices: tuple[int, int | None]) -> Fields:
    return {name: line[start:end].strip() for name, (start, end) in slices.items()}


def _columns(line: str, delimiter: str, names: tuple[str, ...]) -> Fields | None:
    values = [value.strip() for value in line.split(delimiter)]
    if len(values) < len(names) or not any(values):
        return None
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
    # The first two characters are a year; the NCIC list letter follows.
    return _cut(
        line,
        list_code=(2, 3),
        nic=(2, 10),
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
    fields = ncic(line)
    assert fields is not None
    del fields["nic"]
    fields.update(_cut(line, list_code=(0, 1), style=(56, 58), color=(58, 65)))
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
    fields["reason"] = f"county {fields.pop('county')}"
    return fields


def co_ccic(line: str) -> Fields | None:
    fields = _cut(line, plate=(0, 10), state=(10, 12), list_code=(12, 34), vehicle=(34, None))
    vehicle = fields.pop("vehicle")
    parts = vehicle.split()
    if len(parts) == 4 and parts[0].isdigit():
        fields.update(zip(("vehicle_year", "make", "model", "color"), parts, strict=True))
    elif vehicle:
        fields["reason"] = vehicle
    return fields


def ct_collect(line: str) -> Fields | None:
    fields = _cut(
        line,
        plate=(0, 8),
        plate_type=(8, 38),
        make=(38, 68),
        model=(68, 98),
        style=(98, 128),
        color=(128, 158),
        vehicle_year=(158, 162),
        usage=(162, 192),
        plate_expires_on=(192, 200),
        list_code=(200, 202),
    )
    fields["state"] = "CT"  # a Connecticut registration file: no state column
    fields["reason"] = fields.pop("usage")
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
    if fields["list_code"] in ("MISSING", "WANTED"):
        fields["reason"] = line[19:77].strip()
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


def kansas_state(line: str) -> Fields | None:
    # `plate state#n LIST NAME! body yyyyMAKEMODCOLORI date`; other Kansas sub-formats share the
    # `plate state#n` start, and their list name runs to the next 8-digit date.
    head, hash_, rest = line.partition("#")
    if not hash_ or not head.strip():
        return None
    *plate, state = head.split()
    fields: Fields = {"plate": "".join(plate), "state": state}
    listed = re.match(r"\d\s*([A-Z /]+?)\s*(?:!|- CHECK|\d{8}|$)", rest)
    if listed:
        fields["list_code"] = listed.group(1).strip()
    tail = rest.split("!", 1)[1].split() if "!" in rest else []
    if len(tail) >= 3:
        fields["plate_type"] = tail[0]
        info = tail[1]
        if re.match(r"\d{4}", info):
            fields["vehicle_year"] = info[:4]
            fields["make"] = info[4:8]
        fields["ori"] = info[-9:]
        fields["entered_on"] = tail[2]
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
ia_state = _csv(("plate", "plate_year", "style", "state", "case_number", "list_code", "ori"))


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
    fields = _columns(line, ",", names)
    if fields is None:
        return None
    # The free-text remark is last and holds unquoted commas.
    fields["reason"] = ",".join(line.split(",")[len(names) :]).strip()
    return fields


def fl_dmv(line: str) -> Fields | None:
    values = [value.strip() for value in line.split(",")]
    if len(values) < 3 or not values[0]:
        return None
    fields = {"plate": values[0], "state": values[1], "list_code": values[2].rstrip(" -")}
    if len(values) >= 13:  # the expired-licence variant: ..., year, colour, make, timestamp
        fields.update(vehicle_year=values[9], color=values[10], make=values[11])
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
    if len(values) < 21:
        return None
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
    if len(values) < 9 or values[0].startswith("SP2-"):
        return None
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
    if len(misc) == 2:  # NCIC records: NIC, then the IDX whose first letter is the list type
        fields["nic"], fields["record_id"] = misc
        fields["list_code"] = misc[1][:1]
    else:  # Ohio's own lists name themselves: `0H STOLEN VEHICLE`
        fields["list_code"] = " ".join(misc)
    return fields


def simple(line: str) -> Fields | None:
    plate = line.strip()
    return {"plate": plate} if plate else None
