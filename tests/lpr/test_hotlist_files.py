from datetime import date

import pytest

from lpr import hotlist_files
from lpr.errors import HotListFormatError
from lpr.hotlist_files import HotListRow, ListKind, ProblemKind
from tests.shared_data import LPR_SAMPLES

SAMPLES = LPR_SAMPLES
K = ListKind

# layout: (plate key, state, kind, other fields the line carries)
EXPECTED: dict[str, tuple[str, str | None, ListKind, dict[str, object]]] = {
    "ncic": ("AB123456", "CA", K.STOLEN_VEHICLE,
             {"nic": "V123456789", "ori": "LA0570200", "entered_on": date(2019, 5, 9),
              "vehicle_year": 2009, "vehicle_make": "YAMA", "vehicle_color": "BLK"}),
    "wa_ncic": ("BN0W111", "WA", K.STOLEN_VEHICLE,
                {"ori": "WAKCS0000", "plate_year": 2022, "plate_type": "PC",
                 "record_id": "21V0128839", "nic": None}),
    "mi_state": ("AHG5263", "WI", K.MISSING_PERSON,
                 {"list_code": "MISSING PERSON NCIC", "vehicle_make": "CHEV"}),
    "nj_mvc": ("ABC123", "NJ", K.SUSPENDED_REVOKED,
               {"vehicle_year": 1985, "vehicle_model": "SEN", "vehicle_style": None,
                "vehicle_color": "BLUE"}),
    "ny_state": ("ABC1234", "NY", K.SUSPENDED_REVOKED,
                 {"vehicle_make": "BUIC", "plate_type": "PAS"}),
    "ca_doj_clew": ("ABC1234", "CA", K.OTHER,
                    {"entered_on": date(2019, 5, 15), "reason": None, "remarks": "county 12"}),
    "co_ccic": ("ABC123", "CO", K.ATTEMPT_TO_LOCATE,
                {"vehicle_year": 2002, "vehicle_make": "FORD", "vehicle_color": "BLK"}),
    "ct_collect": ("ABC123", "CT", K.EXPIRED,
                   {"vehicle_make": "Honda", "vehicle_year": 2005, "list_code": "EX",
                    "plate_expires_on": date(2017, 9, 30), "reason": None}),
    "il_leads": ("660JEM", "WI", K.STOLEN_VEHICLE,
                 {"vehicle_year": 2005, "vehicle_make": "DODG", "vehicle_model": "MAG",
                  "vehicle_color": "RED", "entered_on": date(2015, 1, 3)}),
    "il_sos": ("15386VDE", "IL", K.SUSPENDED_REVOKED,
               {"entered_on": date(2010, 3, 29), "plate_expires_on": date(2021, 7, 31)}),
    "kansas_state": ("ABC123", "KS", K.STOLEN_PLATE,
                     {"vehicle_year": 2016, "vehicle_make": "CHEV", "vehicle_model": "MAL",
                      "vehicle_style": "SW", "vehicle_color": "SIL", "plate_type": "PC",
                      "ori": "TX0790300", "entered_on": date(2020, 1, 22)}),
    "tx_ncic": ("GGX6728", "OH", K.SUPERVISED_RELEASE,
                {"vehicle_make": "DODG", "ori": "OH0671200", "entered_on": date(2020, 1, 24)}),
    "mn_ncic": ("JFJ4764", "OH", K.SUPERVISED_RELEASE, {"vehicle_year": 2013, "plate_type": "TK"}),
    "ks_topeka": ("85TF66", "NY", K.STOLEN_VEHICLE, {"vehicle_make": "YAMA", "plate_type": "MC"}),
    "tx_tcic": ("17MFM5", "TX", K.WANTED_PERSON, {"vehicle_year": 2009, "vehicle_color": "WHI"}),
    "wa_stolen_vehicles": ("921RQE", "WA", K.STOLEN_VEHICLE,
                           {"vin": "5J6YH28573L041133", "case_number": "22-08882",
                            "entered_on": date(2022, 7, 31), "list_code": "EVS", "reason": None,
                            "remarks": "VERIFY 425 391 1035, BOTH PLATES ON VEHICLE, YES TO "
                                       "SEARCH, YES TO IMPOUND"}),
    "al_state": ("TAGHERE1", "WA", K.STOLEN_VEHICLE, {"vehicle_year": 1985, "nic": "V000000000"}),
    "fl_state": ("ABC123", "FL", K.STOLEN_PLATE,
                 {"case_number": "11-1234", "nic": "P554433221", "entered_on": date(2019, 1, 3)}),
    "fl_dmv": ("Y83YPH", "FL", K.EXPIRED,
               {"vehicle_make": "NISS", "vehicle_year": 2016, "vehicle_color": "WHI",
                "list_code": "EXPIRED DRIVER LICENSES"}),
    "ia_state": ("BMAC272", "ON", K.STOLEN_CANADIAN,
                 {"case_number": "R004163992", "plate_type": "TK", "vehicle_style": None}),
    "ga_spalder": ("BUC8867", "GA", K.EXPIRED, {"vehicle_make": "FORD", "vehicle_year": 2006}),
    "in_dmv": ("TR1234ZAL", "IN", K.SUSPENDED_REVOKED, {"vehicle_year": 2021}),
    "oh_leads": ("ABC123", "MI", K.STOLEN_VEHICLE,
                 {"vehicle_make": "UHAU", "vehicle_color": "ONG/WHI", "vehicle_year": 2015}),
    "simple": ("ABC123", None, K.OTHER, {}),
}  # fmt: skip


def sample(layout: str) -> bytes:
    return (SAMPLES / f"hotlist-{layout}-example-line-openalpr_hotlist_import.txt").read_bytes()


def test_every_sample_file_has_an_expectation() -> None:
    names = {p.name.split("-")[1] for p in SAMPLES.glob("hotlist-*-example-line-*.txt")}
    assert names == set(EXPECTED)
    assert len(names) == 24


@pytest.mark.parametrize("layout", sorted(EXPECTED))
def test_sample_line(layout: str) -> None:
    key, state, kind, fields = EXPECTED[layout]
    parsed = hotlist_files.parse(sample(layout), layout, skip_header=False)
    assert parsed.problems == ()
    (row,) = parsed.rows
    assert (row.key, row.state, row.kind, row.line) == (key, state, kind, 1)
    assert {name: getattr(row, name) for name in fields} == fields


def variant(layout: str, old: str, new: str) -> str:
    """The layout's sample line with `old` replaced by `new` (same width for fixed columns)."""
    text = sample(layout).decode()
    assert old in text
    return text.replace(old, new)


# (layout, text in the sample line, replaced by, kind): each state's own code list
# (openalpr_hotlist_import parsers/<layout>.py), not NCIC's where they differ.
CODES = [
    ("ny_state", "PASX", "PASX", K.SUSPENDED_REVOKED),  # suspended or falsified registration
    ("ny_state", "PASX", "PASZ", K.SUSPENDED_REVOKED),  # NY driving privilege suspended
    ("ny_state", "PASX", "PASS", K.SEX_OFFENDER),
    ("ny_state", "PASX", "PAST", K.GANG_TERRORIST),
    ("ny_state", "PASX", "PASR", K.STOLEN_CANADIAN),
    ("ny_state", "PASX", "PASC", K.OTHER),  # an NCIC letter New York does not use
    ("oh_leads", " V987654321", " S987654321", K.SEX_OFFENDER),
    ("oh_leads", " V987654321", " X987654321", K.SUSPENDED_REVOKED),
    ("oh_leads", " V987654321", " W987654321", K.WANTED_PERSON),
    ("oh_leads", "M12345678 V987654321", "0H STOLEN VEHICLE", K.STOLEN_VEHICLE),
    ("oh_leads", "M12345678 V987654321", "0H WARRANT SUPP", K.WANTED_PERSON),
    ("oh_leads", "M12345678 V987654321", "0H MISSING", K.MISSING_PERSON),
    ("ncic", "V123456789", "X123456789", K.SEX_OFFENDER),  # NCIC's own X
    ("tx_ncic", "C165399977", "R165399977", K.STOLEN_CANADIAN),
    ("co_ccic", "Attempt To Locate     ", "Felony Warrant        ", K.WANTED_PERSON),
    ("co_ccic", "Attempt To Locate     ", "Local Warrant         ", K.WANTED_PERSON),
    ("co_ccic", "Attempt To Locate     ", "Used in Felony or By  ", K.FELONY_VEHICLE),
    ("co_ccic", "Attempt To Locate     ", "Stolen/Car Jacking/Ca ", K.STOLEN_VEHICLE),
    ("co_ccic", "Attempt To Locate     ", "Sexual Offender       ", K.SEX_OFFENDER),
    ("mi_state", "MISSING PERSON NCIC", "CPIC DATA RECORD NCIC", K.STOLEN_CANADIAN),
    ("mi_state", "MISSING PERSON NCIC", "GANG OR SUSPECTED TERRORIST NCIC", K.GANG_TERRORIST),
    ("kansas_state", "STOLEN PLATE!", "PROTECTIVE ORDER!", K.PROTECTION_ORDER),
    ("kansas_state", "STOLEN PLATE!", "ARMED/DANGEROUS WARRANT!", K.WANTED_PERSON),
    ("tx_tcic", "TW10", "TT10", K.VIOLENT_PERSON),  # threat against peace officer
    ("ia_state", ",CNVP,", ",SFV,", K.STOLEN_VEHICLE),
    ("fl_dmv", "EXPIRED DRIVER LICENSES - ", "SEXUAL OFFENDERS/PREDATORS", K.SEX_OFFENDER),
]


@pytest.mark.parametrize(("layout", "old", "new", "kind"), CODES)
def test_list_codes_mean_what_the_state_says(
    layout: str, old: str, new: str, kind: ListKind
) -> None:
    (row,) = hotlist_files.parse(variant(layout, old, new), layout, skip_header=False).rows
    assert row.kind == kind


# (layout, text in the sample line, replaced by, the code as kept): codes no table maps.
UNKNOWN = [
    ("ny_state", "PASX", "PASQ", "Q"),
    ("tx_tcic", "TW10", "TY10", "Y"),  # Texas's child safety check: no kind of ours
    ("tx_ncic", "C165399977", "B165399977", "B"),  # stolen boat
    ("mn_ncic", "C845996328", "N845996328", "N"),  # immigration violator
    ("oh_leads", " V987654321", " N987654321", "N"),
    ("oh_leads", "M12345678 V987654321", "0H LPR CALIBRATION RECORD", "0H LPR CALIBRATION RECORD"),
    ("ia_state", ",CNVP,", ",B,", "B"),
    ("ct_collect", "20170930EX", "20170930SU", "SU"),
    ("nj_mvc", "S    ", "Q    ", "Q"),
    ("co_ccic", "Attempt To Locate     ", "Reported Lost         ", "Reported Lost"),
    ("mi_state", "MISSING PERSON NCIC", "NCIC               ", "NCIC"),
    ("kansas_state", "STOLEN PLATE!", "REGISTERED OFFENDER!", "REGISTERED OFFENDER"),
]


@pytest.mark.parametrize(("layout", "old", "new", "code"), UNKNOWN)
def test_an_unknown_code_is_kept_and_reported(layout: str, old: str, new: str, code: str) -> None:
    line = variant(layout, old, new)
    parsed = hotlist_files.parse(line + line, layout, skip_header=False)
    assert [(r.kind, r.list_code, r.reason) for r in parsed.rows] == 2 * [
        (K.OTHER, code, f"list code {code!r} not recognised")
    ]
    (problem,) = parsed.problems
    assert (problem.kind, problem.lines) == (ProblemKind.UNKNOWN_CODE, (1, 2))
    assert problem.message == (
        f"lines 1, 2: list code {code!r} is not one {layout} uses; imported as other, code kept"
    )


def test_unknown_codes_are_reported_once_per_code_in_first_line_order() -> None:
    lines = [variant("ny_state", "PASX", f"PAS{code}") for code in "QVQ"] * 5
    lines.append(variant("ny_state", "PASX", "PAS "))
    parsed = hotlist_files.parse("".join(lines), "ny_state", skip_header=False)
    assert [(p.kind, p.lines) for p in parsed.problems] == [
        (ProblemKind.UNKNOWN_CODE, (1, 3, 4, 6, 7, 9, 10, 12, 13, 15)),
        (ProblemKind.UNKNOWN_CODE, (16,)),
    ]
    assert parsed.problems[0].message.startswith("lines 1, 3, 4, 6, 7, 9, 10, 12, 13, 15: ")
    assert parsed.problems[1].message == "line 16: no list code; imported as other"


def test_a_csv_list_column_with_an_unknown_code() -> None:
    text = "plate,list\nABC123,Stolen Vehicle\nDEF456,Bicycle\nGHI789,\n"
    parsed = hotlist_files.parse_csv(
        text, {"plate": "plate", "list_code": "list"}, default_kind=K.STOLEN_PLATE
    )
    assert [(r.kind, r.reason) for r in parsed.rows] == [
        (K.STOLEN_VEHICLE, None),
        (K.OTHER, "list code 'Bicycle' not recognised"),
        (K.STOLEN_PLATE, None),
    ]
    assert [p.message for p in parsed.problems] == [
        "line 3: list code 'Bicycle' is not one the list column uses; imported as other, code kept",
        "line 4: no list code; imported as stolen_plate",
    ]


def fixed(*columns: tuple[str, int]) -> str:
    """A fixed-width line from (value, width) pairs."""
    return "".join(value.ljust(width) for value, width in columns)


CT_VALUES = ("ABC123", "All Terrain", "Honda", "TRX350TM", "AT", "Red", "2005", "Regular")
# The same Connecticut record in the widths of the state's record definition (31-wide text
# columns, a 5-wide year, a 9-wide expiry) and of the importer's example (30 and 4 and 8).
CT_STATE = fixed(*zip(CT_VALUES, (8, 30, 31, 31, 31, 31, 5, 31), strict=True), ("20170930", 9),
                 ("EX", 2))  # fmt: skip
CT_IMPORTER = fixed(*zip(CT_VALUES, (8, 30, 30, 30, 30, 30, 4, 30), strict=True),
                    ("20170930", 8), ("EX", 2))  # fmt: skip
CT_FIELDS = {"list_code": "EX", "kind": K.EXPIRED, "plate_expires_on": date(2017, 9, 30),
             "vehicle_year": 2005, "vehicle_make": "Honda", "vehicle_model": "TRX350TM",
             "vehicle_style": "AT", "vehicle_color": "Red", "plate_type": "All Terrain",
             "reason": None}  # fmt: skip
KS = "ABC123 KS#3 STOLEN PLATE! PC 2016CHEVMALSWSILTX0790300 20200122"  # the sample line
PERSON = "DOE, JOHN Q M W 01/01/1970"  # never extracted

# (layout, line, fields of its one row): each field where the importer's parser reads it.
FIELD_CASES = [
    ("ct_collect", CT_STATE, CT_FIELDS),
    ("ct_collect", CT_IMPORTER, CT_FIELDS),
    ("kansas_state",
     KS.replace("STOLEN PLATE!", "STOLEN VEHICLE - CHECK").replace("SIL", "SIL/BLK"),
     {"list_code": "STOLEN VEHICLE", "kind": K.STOLEN_VEHICLE, "vehicle_model": "MAL",
      "vehicle_style": "SW", "vehicle_color": "SIL/BLK", "ori": "TX0790300"}),
    ("kansas_state", KS.replace("STOLEN PLATE!", "STOLEN PLATE R!"),
     {"list_code": "STOLEN PLATE"}),
    ("kansas_state", KS.replace(" KS#3 STOLEN PLATE!", " ONCANADIAN ENTRY - CHECK"),
     {"state": "ON", "kind": K.STOLEN_CANADIAN, "vehicle_make": "CHEV", "vehicle_color": "SIL"}),
    ("kansas_state", KS.replace("TX0790300", ""), {"vehicle_color": "SIL", "ori": None}),
    ("kansas_state", KS.replace("2016CHEVMALSWSIL", "2016CHEV"),
     {"vehicle_year": 2016, "vehicle_make": "CHEV", "vehicle_model": None, "ori": "TX0790300"}),
    ("kansas_state", "ABC123KS#8 STOLEN VEHICLE 20200122 2016 CHEV MAL SW SIL KSRO KS0790300",
     {"plate": "ABC123", "state": "KS", "kind": K.STOLEN_VEHICLE, "entered_on": date(2020, 1, 22),
      "vehicle_year": 2016, "vehicle_model": "MAL", "vehicle_color": "SIL", "ori": "KS0790300"}),
    ("kansas_state",
     "ABC123 KS#5WA01/15/2020KS-SN-AB 2010-FORD-F15-BLKKS0890000 ARMED/DANG WAR-ASSAULT: SEE NCIC",
     {"list_code": "Armed/Dangerous Warrant", "kind": K.WANTED_PERSON, "vehicle_year": 2010,
      "vehicle_make": "FORD", "vehicle_model": "F15", "vehicle_color": "BLK", "ori": "KS0890000"}),
    ("kansas_state", "ABC123 KS#4 Suspended PASSENGER 2010 Lg # 89",
     {"list_code": "Suspended", "kind": K.SUSPENDED_REVOKED, "vehicle_year": 2010}),
    ("co_ccic", "ABC123    COStolen Vehicle        RED FORD PICKUP",
     {"kind": K.STOLEN_VEHICLE, "reason": None, "remarks": "RED FORD PICKUP"}),
    ("il_leads", fixed(("ABC123", 8), ("ILPCWANTED", 11), (PERSON, 62), ("L21A0001", 8)),
     {"kind": K.WANTED_PERSON, "reason": None, "record_id": "L21A0001", "plate_type": "PC"}),
    ("fl_dmv", "ABC123,FL,SEXUAL OFFENDERS/PREDATORS,,,,,,,,,,BLK,FORD,",
     {"kind": K.SEX_OFFENDER, "vehicle_color": "BLK", "vehicle_make": "FORD"}),
    ("fl_dmv", "ABC123,FL,SUSPENDED/REVOKED/CANCELLED LICENSE - ,,,,,,,WHI,NISS,7/9/2020",
     {"kind": K.SUSPENDED_REVOKED, "vehicle_color": "WHI", "vehicle_make": "NISS",
      "vehicle_year": None}),
    ("fl_dmv", "ABC123,FL,Expired Tag RED FORD,7/9/2020 6:55:57 PM",
     {"kind": K.EXPIRED, "list_code": "Expired Tag", "vehicle_color": "RED",
      "vehicle_make": "FORD"}),
    ("fl_dmv", "ABC123,FL,Expired Tag RED ,7/9/2020",
     {"vehicle_color": "RED", "vehicle_make": None}),
    ("fl_dmv", "ABC123,FL,Expired Tag  FORD,7/9/2020",
     {"vehicle_color": None, "vehicle_make": "FORD"}),
    ("oh_leads", "1 ABC123 0H 01/01/2017 04/11/2021 UHAU TL 2015 0NG/WHI 0H MISSING",
     {"list_code": "0H MISSING", "kind": K.MISSING_PERSON, "nic": None, "state": "OH"}),
]  # fmt: skip


@pytest.mark.parametrize(("layout", "line", "fields"), FIELD_CASES)
def test_fields_are_read_where_the_layout_puts_them(
    layout: str, line: str, fields: dict[str, object]
) -> None:
    parsed = hotlist_files.parse(line, layout, skip_header=False)
    assert [p.message for p in parsed.problems] == []
    (row,) = parsed.rows
    assert {name: getattr(row, name) for name in fields} == fields
    assert not any("DOE" in str(value) for value in vars_of(row))


def vars_of(row: HotListRow) -> list[object]:
    return [getattr(row, name) for name in row.__slots__]


def cut(layout: str, keep: int, separator: str = ",") -> str:
    """The layout's sample line cut to its first `keep` fields."""
    return separator.join(sample(layout).decode().strip().split(separator)[:keep])


# (layout, a line cut short, its problem): a short line is said, never silently skipped.
SHORT = [
    ("tx_ncic", cut("tx_ncic", 8), "expected 11 ','-separated fields, found 8"),
    ("mn_ncic", cut("mn_ncic", 10), "expected 12 ','-separated fields, found 10"),
    ("ks_topeka", cut("ks_topeka", 6), "expected 12 ','-separated fields, found 6"),
    ("tx_tcic", cut("tx_tcic", 5), "expected 8 ','-separated fields, found 5"),
    ("al_state", cut("al_state", 4), "expected 9 ','-separated fields, found 4"),
    ("fl_state", cut("fl_state", 12, ";"), "expected 15 ';'-separated fields, found 12"),
    ("ia_state", cut("ia_state", 6), "expected 7 ','-separated fields, found 6"),
    (
        "wa_stolen_vehicles",
        cut("wa_stolen_vehicles", 6),
        "expected 7 ','-separated fields, found 6",
    ),
    ("in_dmv", cut("in_dmv", 20), "expected 21 ','-separated fields, found 20"),
    ("fl_dmv", cut("fl_dmv", 2), "expected 3 ','-separated fields, found 2"),
    ("oh_leads", cut("oh_leads", 4, " "), "expected 9 space-separated fields, found 4"),
]


@pytest.mark.parametrize(("layout", "line", "message"), SHORT)
def test_a_short_line_is_reported(layout: str, line: str, message: str) -> None:
    parsed = hotlist_files.parse(sample(layout).decode() + line, layout, skip_header=False)
    assert [row.line for row in parsed.rows] == [1]
    assert [(p.kind, p.lines, p.message) for p in parsed.problems] == [
        (ProblemKind.SHORT_LINE, (2,), f"line 2: {message}")
    ]
    assert parsed.skipped == 0


def test_a_wa_stolen_vehicle_line_of_seven_columns_or_more_is_read() -> None:
    parsed = hotlist_files.parse(
        cut("wa_stolen_vehicles", 9), "wa_stolen_vehicles", skip_header=False
    )
    (row,) = parsed.rows
    assert (row.key, row.vin, row.vehicle_make, row.vehicle_color) == (
        "921RQE",
        "5J6YH28573L041133",
        "HOND",
        None,
    )


# The nine layouts whose extracts start with a header line, each with a header of the kind
# such files carry (titles, or column names).
HEADERS = {
    "ncic": "NCIC VEHICLE FILE EXTRACT 20240101",
    "wa_ncic": "WACIC/NCIC HOT LIST 2021-10-06",
    "co_ccic": "LICENSE   STLIST                  VEHICLE",
    "ny_state": "NYSPIN PLATE FILE 20240101",
    "ca_doj_clew": "SVS.TBL 20240101",
    "mn_ncic": "NIC,ORI,DATE,LIC,LIS,LIY,LIT,VYR,VMA,VMO,VST,VCO",
    "fl_state": "LIST;ORI;AGENCY;OCA;OAN;PCN;NIC;DATE;FLAG;ENTERED;LIC;LIY;LIS;LIT;UPDATED",
    "fl_dmv": "PLATE,STATE,LIST,DL,DATE,SEX,RACE,HGT,WGT,YEAR,COLOR,MAKE,TIMESTAMP",
    "wa_stolen_vehicles": "CODE,ORI,PLATE,STATE,LIY,LIT,VIN,VYR,VMA,VMO,VST,VCO,DATE,CASE,REMARKS",
}
FIRST = {layout: EXPECTED[layout][:2] for layout in HEADERS}  # (key, state) of the sample


@pytest.mark.parametrize("layout", sorted(HEADERS))
def test_a_header_line_is_skipped_and_said(layout: str) -> None:
    parsed = hotlist_files.parse(HEADERS[layout] + "\n" + sample(layout).decode(), layout)
    assert [row.line for row in parsed.rows] == [2]
    assert parsed.skipped == 1
    assert [(p.kind, p.lines, p.message) for p in parsed.problems] == [
        (ProblemKind.HEADER, (1,),
         f"line 1 taken as a header and not imported ({layout} extracts start with one)"),
    ]  # fmt: skip


@pytest.mark.parametrize("layout", sorted(HEADERS))
def test_a_file_without_its_header_keeps_its_first_record_and_says_so(layout: str) -> None:
    # The importer drops line 1 unread: a file sent without its header lost a stolen car.
    key, state = FIRST[layout]
    parsed = hotlist_files.parse(sample(layout) * 2, layout)
    assert [(row.line, row.key) for row in parsed.rows] == [(1, key), (2, key)]
    assert [(p.kind, p.lines, p.message) for p in parsed.problems] == [
        (ProblemKind.NO_HEADER, (1,),
         f"line 1 looks like a record ({key}, {state}), not a header, though {layout} extracts "
         "start with one: imported it; check the file"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("layout", "first", "seen"),
    [
        # A header whose titles put a plate and a state in their columns (`RECORDS`: CO) ...
        ("ncic", "NCIC VEHICLE FILE EXTRACT 20240101 RECORDS 000123", "0240101RE, CO"),
        # ... and a record with a code the layout does not know: neither is a clean record.
        ("ny_state", "ABC1234   NYPASQBUICWH", "ABC1234, NY"),
    ],
)
def test_a_line_1_that_is_half_a_record_is_skipped_with_a_warning(
    layout: str, first: str, seen: str
) -> None:
    parsed = hotlist_files.parse(first + "\n" + sample(layout).decode(), layout)
    assert [row.line for row in parsed.rows] == [2]
    assert [(p.kind, p.message) for p in parsed.problems] == [
        (ProblemKind.HEADER,
         f"line 1 taken as a header and not imported, though a plate and state stand where "
         f"{layout} records keep them ({seen}): if the file has no header line, that record is "
         "missing; check the file"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("skip_header", "lines", "kinds"),
    [
        (None, [1, 2], [ProblemKind.NO_HEADER]),
        (True, [2], [ProblemKind.NO_HEADER]),  # as told, but still said
        (False, [1, 2], []),
    ],
)
def test_skip_header_overrides_the_layout(
    skip_header: bool | None, lines: list[int], kinds: list[ProblemKind]
) -> None:
    parsed = hotlist_files.parse(sample("ncic") * 2, "ncic", skip_header=skip_header)
    assert [row.line for row in parsed.rows] == lines
    assert [p.kind for p in parsed.problems] == kinds
    if skip_header:
        assert parsed.problems[0].message.endswith(": skipped it as told; check the file")


def test_ca_clew_footer_is_not_a_record() -> None:
    text = "HEADER\nABC1234 CA1220190515\nTOTAL RECORDS: 1\n"
    parsed = hotlist_files.parse(text, "ca_doj_clew", default_kind=K.STOLEN_VEHICLE)
    assert [(r.key, r.kind) for r in parsed.rows] == [("ABC1234", K.STOLEN_VEHICLE)]
    assert parsed.skipped == 2


def test_bad_lines_become_problems_and_the_rest_is_read() -> None:
    text = "♥♥,,V000000000,CHEV,,RED,1985,Stolen,WA\nABC123,,X,FORD,,RED,19x5,Stolen,ZZ\n"
    parsed = hotlist_files.parse(text, "al_state")
    assert [(r.key, r.state, r.vehicle_year) for r in parsed.rows] == [("ABC123", None, None)]
    assert [(p.kind, p.lines) for p in parsed.problems] == [
        (ProblemKind.UNPARSEABLE_PLATE, (1,)),
        (ProblemKind.BAD_STATE, (2,)),
        (ProblemKind.BAD_VALUE, (2,)),
    ]
    assert "line 2: state 'ZZ'" in parsed.problems[1].message


def test_unknown_layout() -> None:
    with pytest.raises(HotListFormatError, match="unknown hot-list layout 'xx'; known: al_state"):
        hotlist_files.parse("", "xx")


def test_csv_with_a_header_mapping() -> None:
    text = (
        "\ufeffTag,Plate State,Why,Case #,Expires\n"
        "7abc-123,ca,Stolen Vehicle,24-001,2025-07-01\n"
        "\n"
        "XYZ789,US-TX,Wanted,,07/02/2025\n"
        "short\n"
    )
    parsed = hotlist_files.parse_csv(
        text.encode(),
        {"plate": "tag", "state": "Plate State", "reason": "why", "list_code": "Why",
         "case_number": "case #", "expires_on": "expires"},
    )  # fmt: skip
    assert parsed.rows == (
        HotListRow(
            line=2, plate="7abc-123", key="7ABC123", state="CA", kind=K.STOLEN_VEHICLE,
            list_code="Stolen Vehicle", reason="Stolen Vehicle", case_number="24-001",
            expires_on=date(2025, 7, 1),
        ),
        HotListRow(
            line=4, plate="XYZ789", key="XYZ789", state="TX", kind=K.WANTED_PERSON,
            list_code="Wanted", reason="Wanted", expires_on=date(2025, 7, 2),
        ),
    )  # fmt: skip
    assert [(p.kind, p.lines) for p in parsed.problems] == [(ProblemKind.SHORT_LINE, (5,))]


def test_csv_mapping_must_name_header_columns() -> None:
    with pytest.raises(HotListFormatError, match="line 1: column 'lic'"):
        hotlist_files.parse_csv("plate\nABC\n", {"plate": "lic"})
    with pytest.raises(HotListFormatError, match="must map `plate`"):
        hotlist_files.parse_csv("plate\nABC\n", {"state": "plate"})


def test_cp1252_files_are_read() -> None:
    parsed = hotlist_files.parse("ABC123\nDÉF456\n".encode("cp1252"), "simple")
    assert [row.key for row in parsed.rows] == ["ABC123", "DEF456"]
