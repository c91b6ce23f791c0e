"""Turning a vendor's body into a JSON object, tolerating what real senders do.

Tolerated: a UTF-8 BOM (OpenALPR agent 2.8 sends one), UTF-16 with a BOM, a log line before
the JSON (the OpenALPR CLI prints library noise first), `//` and `/* */` comments (the JSONC
doc examples; real agents send none, so the comment pass runs only when plain JSON fails),
and whitespace after the object. Anything else raises VendorFormatError saying what is wrong,
a NUL character anywhere included (raw in the text, or `\u0000` in a JSON string): no plate,
camera name or note holds one, and a database cannot store it.
"""

import codecs
import json
from collections.abc import Mapping

from lpr.vendors.errors import VendorFormatError

JsonObject = Mapping[str, object]

_MAX_PREFIX_TRIES = 16


def loads_lenient(body: bytes | str) -> object:
    """The JSON value in `body`; raises VendorFormatError when there is none, or when a string
    in it holds a NUL character."""
    value = _loads_lenient(decode(body))
    refuse_nul(value)
    return value


def _loads_lenient(text: str) -> object:
    stripped = text.strip()
    if not stripped:
        raise VendorFormatError("the body is empty; expected a JSON object")
    first_error = None
    try:
        return _loads(stripped)
    except json.JSONDecodeError as error:
        first_error = error
    uncommented = _strip_comments(stripped)
    if uncommented != stripped:
        try:
            return _loads(uncommented.strip())
        except json.JSONDecodeError:
            pass
    if stripped[0] in "{[":
        raise VendorFormatError(f"the body is not valid JSON: {_describe(first_error)}")
    return _after_prefix(uncommented, stripped)


def read_object(body: bytes | str | JsonObject, *, vendor: str) -> JsonObject:
    """The JSON object a vendor message must be; raises VendorFormatError for anything else."""
    if isinstance(body, bytes | str):
        value = loads_lenient(body)
    else:
        value = body
        refuse_nul(value)
    if not isinstance(value, Mapping):
        raise VendorFormatError(
            f"a {vendor} message is a JSON object; this body is {_json_type(value)}"
        )
    return value


def decode(body: bytes | str) -> str:
    """The text of a body: UTF-8 (with or without a BOM), or UTF-16 with a BOM. Text holding a
    NUL character raises VendorFormatError naming where."""
    text = _decode(body)
    at = text.find("\x00")
    if at >= 0:
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise VendorFormatError(
            f"line {line}, character {column}: a NUL character (\\x00); text has none"
            " (UTF-16 without a byte-order mark?)"
        )
    return text


def _decode(body: bytes | str) -> str:
    if isinstance(body, str):
        return body.removeprefix("\ufeff")
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return body.decode("utf-16")
        except UnicodeDecodeError as error:
            raise VendorFormatError(f"the body is not UTF-16 text: {error.reason}") from None
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise VendorFormatError(
            f"the body is not UTF-8 text: byte {error.start} is {body[error.start]:#04x}"
        ) from None


_TEXTUAL = (str, Mapping, list, tuple)  # what may hold text; numbers and flags cannot


def refuse_nul(value: object) -> None:
    """Raise VendorFormatError naming the first field (`results[0].plate`) whose text, or
    name, holds a NUL character. Walks without recursion: the JSON may be deeply nested."""
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise VendorFormatError(
                    f"{path or 'the body'}: a NUL character (\\u0000) in a text field"
                )
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if isinstance(key, str) and "\x00" in key:
                    raise VendorFormatError(f"{path or 'the body'}: a NUL character in a name")
                if isinstance(child, _TEXTUAL):
                    stack.append((child, f"{path}.{key}" if path else str(key)))
        elif isinstance(item, list | tuple):
            stack.extend(
                (child, f"{path}[{i}]")
                for i, child in enumerate(item)
                if isinstance(child, _TEXTUAL)
            )


def _loads(text: str) -> object:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise VendorFormatError("the JSON is nested too deeply") from None
    except (json.JSONDecodeError, VendorFormatError):
        raise
    except ValueError as error:  # an integer of more than 4300 digits
        raise VendorFormatError(f"the body is not valid JSON: {error}") from None


def _reject_constant(name: str) -> object:
    raise VendorFormatError(f"the body is not valid JSON: {name} is not a JSON number")


def _after_prefix(text: str, original: str) -> object:
    """The first JSON object in `text` after leading non-JSON text, such as a log line."""
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    start = text.find("{")
    if start < 0:
        raise VendorFormatError(f"the body is not JSON: it starts {original[:40]!r}")
    last_error: json.JSONDecodeError | None = None
    for _ in range(_MAX_PREFIX_TRIES):
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as error:
            last_error = error
        except RecursionError:
            raise VendorFormatError("the JSON is nested too deeply") from None
        except VendorFormatError:
            raise
        except ValueError as error:
            raise VendorFormatError(f"the body is not valid JSON: {error}") from None
        else:
            if text[end:].strip():
                raise VendorFormatError(
                    f"unexpected text after the JSON object: {text[end:].strip()[:40]!r}"
                )
            return value
        start = text.find("{", start + 1)
        if start < 0:
            break
    raise VendorFormatError(
        f"no JSON object found after the text {original[:40]!r}: {_describe(last_error)}"
    )


def _strip_comments(text: str) -> str:
    """`text` without `//` and `/* */` comments outside strings."""
    if "/" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _describe(error: json.JSONDecodeError | None) -> str:
    if error is None:
        return "no parseable object"
    return f"{error.msg} at line {error.lineno} column {error.colno}"


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array" if value else "an empty array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"
