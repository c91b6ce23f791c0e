from datetime import date

from lpr import hotlist_files
from lpr.hotlist_files import ProblemKind
from lpr.hotlist_hygiene import diff, hygiene

TEXT = """\
Tag,State,Expires
ABC123,CA,
ABC123,CA,
AB0123,CA,
ABO123,CA,
1LL234,TX,
ILL234,TX,
ILL234,NV,
XYZ789,,
OLD111,CA,2025-05-31
NEW111,CA,2025-06-01
♥,CA,
"""


TODAY = date(2025, 6, 1)


def report_of(text: str = TEXT) -> list[tuple[ProblemKind, tuple[int, ...]]]:
    parsed = hotlist_files.parse_csv(
        text, {"plate": "Tag", "state": "State", "expires_on": "Expires"}
    )
    return [(p.kind, p.lines) for p in hygiene(parsed, today=date(2025, 6, 1)).problems]


def test_hygiene_report() -> None:
    assert report_of() == [
        (ProblemKind.UNPARSEABLE_PLATE, (12,)),
        (ProblemKind.NO_STATE, (9,)),
        (ProblemKind.EXPIRED, (10,)),
        (ProblemKind.DUPLICATE, (2, 3)),
        (ProblemKind.TWINS, (4, 5)),  # AB0123 / ABO123 in CA
        (ProblemKind.TWINS, (6, 7)),  # 1LL234 / ILL234 in TX; NV's is another car
    ]


def test_twins_message_names_the_variants() -> None:
    parsed = hotlist_files.parse("AB0123\nABO123\n", "simple")
    problems = hygiene(parsed, today=date(2025, 6, 1)).problems
    (problem,) = [p for p in problems if p.kind is ProblemKind.TWINS]
    assert problem.message == (
        "lines 1, 2: AB0123 / ABO123 differ only by look-alike characters (O/0, I/1 ...); "
        "likely one plate keyed twice: merge them"
    )


def test_a_clean_file() -> None:
    parsed = hotlist_files.parse_csv(
        "plate,state\nABC123,CA\n", {"plate": "plate", "state": "state"}
    )
    report = hygiene(parsed, today=date(2025, 6, 1))
    assert report.is_clean and report.rows == 1


def test_diff_on_plate_key_and_state() -> None:
    parsed = hotlist_files.parse_csv(
        "plate,state\nABC123,CA\nABC123,NV\nNEW999,TX\nNEW999,TX\n",
        {"plate": "plate", "state": "state"},
    )
    current = {("ABC123", "CA"): 10, ("GONE11", "CA"): 11, ("ABC123", None): 12}
    result = diff(current, parsed.rows)
    assert [(r.key, r.state) for r in result.adds] == [("ABC123", "NV"), ("NEW999", "TX")]
    assert result.removes == (11, 12)
    assert [(entry_id, row.line) for entry_id, row in result.unchanged] == [(10, 2)]


def test_parse_problems_come_first_in_the_report() -> None:
    ncic = "V123456789LA057020020190509AB123456  CA2009MC2009YAMACYLMCBLK\n"
    text = ncic + ncic.replace("V123", "Q123") + ncic.replace("AB123456  CA", "XY999     ZZ")
    assert [
        (p.kind, p.lines) for p in hygiene(hotlist_files.parse(text, "ncic"), today=TODAY).problems
    ] == [
        (ProblemKind.NO_HEADER, (1,)),  # line 1 is a record: imported, and said
        (ProblemKind.BAD_STATE, (3,)),
        (ProblemKind.UNKNOWN_CODE, (2,)),
        (ProblemKind.NO_STATE, (3,)),
        (ProblemKind.DUPLICATE, (1, 2)),
    ]
