import pytest

from lpr.vendors import VendorFormatError, loads_lenient, openalpr, platerecognizer, verkada
from lpr.vendors.body import read_object
from tests.lpr.vendors.samples import RECEIVED, sample


def test_a_utf8_bom_is_tolerated() -> None:
    assert loads_lenient(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
    assert loads_lenient('\ufeff{"a": 1}') == {"a": 1}


def test_utf16_with_a_bom_is_read() -> None:
    assert loads_lenient('{"plate": "ABC"}'.encode("utf-16")) == {"plate": "ABC"}


def test_a_log_line_before_the_json_is_skipped() -> None:
    body = b'2024-05-01 10:00:00 INFO {starting} agent\nlibdc1394 error\n{"a": {"b": [1, 2]}}\n'
    assert loads_lenient(body) == {"a": {"b": [1, 2]}}


def test_jsonc_comments_are_stripped_but_not_inside_strings() -> None:
    body = '{\n  "url": "http://x//y", // a comment\n  /* block */ "b": "/* kept */"\n}'
    assert loads_lenient(body) == {"url": "http://x//y", "b": "/* kept */"}


@pytest.mark.parametrize(
    "name",
    [
        "frigate-mqtt-events-recognized_license_plate-frigate-docs.jsonc",
        "frigate-mqtt-reviews-frigate-docs.jsonc",
        "frigate-mqtt-tracked_object_update-lpr-frigate-docs.jsonc",
        "platerecognizer-snapshot-cloud-response-mmc-platerec-docs.jsonc",
    ],
)
def test_every_jsonc_doc_sample_loads(name: str) -> None:
    assert isinstance(loads_lenient(sample(name)), dict)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the body is empty; expected a JSON object"),
        (b"  \n ", "the body is empty; expected a JSON object"),
        (b"\xef\xbb\xbf", "the body is empty; expected a JSON object"),
        (b"hello", "the body is not JSON: it starts 'hello'"),
        (
            b'{"a": 1,, "b": 2}',
            "the body is not valid JSON: Expecting property name enclosed in double quotes"
            " at line 1 column 9",
        ),
        (b'{"a": 1}\n{"b": 2}', "the body is not valid JSON: Extra data at line 2 column 1"),
        (b'log line\n{"a": 1} trailing', "unexpected text after the JSON object: 'trailing'"),
        (
            b"log {broken\n{also broken",
            "no JSON object found after the text 'log {broken\\n{also broken'",
        ),
        (b"\xff\xfe\x00garbage\xff", "the body is not UTF-16 text"),
        (b"caf\xe9", "the body is not UTF-8 text: byte 3 is 0xe9"),
        (b'{"a": NaN}', "the body is not valid JSON: NaN is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "the JSON is nested too deeply"),
        (b'{"a": ' + b"9" * 5000 + b"}", "the body is not valid JSON: Exceeds the limit"),
    ],
)
def test_unreadable_bodies_say_what_is_wrong(body: bytes, message: str) -> None:
    with pytest.raises(VendorFormatError) as raised:
        loads_lenient(body)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (b"[1, 2, 3]", "an array"),
        (b"[]", "an empty array"),
        (b'"plate"', "a string"),
        (b"42", "a number"),
        (b"true", "a boolean"),
        (b"null", "null"),
    ],
)
def test_a_message_must_be_an_object(body: bytes, found: str) -> None:
    with pytest.raises(
        VendorFormatError, match=f"a Verkada message is a JSON object; this body is {found}$"
    ):
        read_object(body, vendor="Verkada")


@pytest.mark.parametrize("parse", [openalpr.parse, platerecognizer.parse, verkada.parse])
def test_each_parser_refuses_an_array_of_numbers(parse: object) -> None:
    with pytest.raises(VendorFormatError, match="is a JSON object; this body is an array"):
        parse(b"[1, 2, 3]", received_at=RECEIVED)
