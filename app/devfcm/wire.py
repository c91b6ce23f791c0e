"""What FCM HTTP v1 accepts in messages:send, checked the way FCM checks it.

Field names are the proto's; proto3 JSON also takes their lowerCamelCase spelling. APNs and web
push payloads are free-form JSON that FCM passes on, except that the `aps` dictionary is checked
against Apple's keys: APNs silently drops a misspelt one, and the alert then arrives without its
interruption level.
"""

import json
import re
from collections.abc import Callable


class InvalidMessage(Exception):
    """A send request FCM would answer with 400 INVALID_ARGUMENT."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


Check = Callable[[object, str], None]

MAX_PAYLOAD_BYTES = 4096
MAX_TTL_S = 28 * 24 * 3600
_DURATION = re.compile(r"^\d+(\.\d{1,9})?s$")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_RESERVED_DATA_KEYS = frozenset({"from", "notification", "message_type"})
_TARGETS = ("token", "topic", "condition", "fid")
_APNS_PUSH_TYPES = frozenset(
    {"alert", "background", "location", "voip", "complication", "fileprovider", "mdm"}
    | {"liveactivity", "pushtotalk", "widgets", "controls"}
)


def validate_send_request(body: object) -> tuple[dict[str, object], bool]:
    """The message and validate_only flag of a messages:send body, or InvalidMessage."""
    _REQUEST(body, "")
    assert isinstance(body, dict)  # _REQUEST refuses anything else
    message = body.get("message")
    if not isinstance(message, dict):
        raise InvalidMessage("message", "Request is missing the required field 'message'.")
    return message, bool(body.get("validate_only", body.get("validateOnly", False)))


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _invalid_value(path: str, kind: str, value: object, hint: str = "") -> InvalidMessage:
    return InvalidMessage(path, f"Invalid value at '{path}' ({kind}), {json.dumps(value)}{hint}")


def _string(value: object, path: str) -> None:
    if not isinstance(value, str):
        raise _invalid_value(path, "TYPE_STRING", value)


def _bool(value: object, path: str) -> None:
    if not isinstance(value, bool):
        raise _invalid_value(path, "TYPE_BOOL", value)


def _integer(value: object, path: str) -> None:
    # proto3 JSON takes an int32 as a number or as a decimal string
    is_digits = isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None
    if isinstance(value, bool) or not (isinstance(value, int) or is_digits):
        raise _invalid_value(path, "TYPE_INT32", value)


def _number(value: object, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid_value(path, "TYPE_FLOAT", value)


def _struct(value: object, path: str) -> None:
    if not isinstance(value, dict):
        raise _invalid_value(path, "google.protobuf.Struct", value)


def _pattern(regex: re.Pattern[str], kind: str) -> Check:
    def check(value: object, path: str) -> None:
        if not isinstance(value, str) or not regex.match(value):
            raise _invalid_value(path, kind, value)

    return check


_duration = _pattern(_DURATION, "google.protobuf.Duration")


def _enum(*names: str, any_case: bool = False) -> Check:
    def check(value: object, path: str) -> None:
        text = value.upper() if any_case and isinstance(value, str) else value
        if text not in names:
            raise _invalid_value(path, "TYPE_ENUM", value, f"; allowed: {', '.join(names)}")

    return check


def _list_of(item: Check) -> Check:
    def check(value: object, path: str) -> None:
        if not isinstance(value, list):
            raise _invalid_value(path, "list", value)
        for index, entry in enumerate(value):
            item(entry, f"{path}[{index}]")

    return check


def _string_map(value: object, path: str) -> None:
    if not isinstance(value, dict):
        raise _invalid_value(path, "map<string, string>", value)
    for key, item in value.items():
        _string(item, f"{path}.{key}")


def _data(value: object, path: str) -> None:
    _string_map(value, path)
    assert isinstance(value, dict)
    for key in value:
        if key in _RESERVED_DATA_KEYS or key.startswith(("google", "gcm")):
            raise InvalidMessage(
                f"{path}.{key}",
                f"Invalid data payload key {key!r}: 'from', 'notification', 'message_type' "
                "and keys starting with 'google' or 'gcm' are reserved.",
            )


def _ttl(value: object, path: str) -> None:
    _duration(value, path)
    assert isinstance(value, str)
    if float(value[:-1]) > MAX_TTL_S:
        raise _invalid_value(path, "google.protobuf.Duration", value, "; at most 2419200s")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _obj(fields: dict[str, Check], *rules: Callable[[dict[str, object], str], None]) -> Check:
    aliases = {_camel(name): name for name in fields}

    def check(value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise _invalid_value(path, "TYPE_MESSAGE", value)
        for key, item in value.items():
            name = aliases.get(key, key)
            if name not in fields:
                where = f" at '{path}'" if path else ""
                raise InvalidMessage(
                    _child(path, key),
                    f'Invalid JSON payload received. Unknown name "{key}"{where}: '
                    "Cannot find field.",
                )
            fields[name](item, _child(path, key))
        for rule in rules:
            rule(value, path)

    return check


def _one_target(message: dict[str, object], path: str) -> None:
    targets = [key for key in _TARGETS if message.get(key)]
    if not targets:
        raise InvalidMessage(path, "Recipient of the message is not set.")
    if len(targets) > 1:
        raise InvalidMessage(
            _child(path, targets[1]),
            f"Invalid value at '{path}' (oneof), oneof field 'target' is already set. "
            f"Cannot set '{targets[1]}'",
        )


def _payload_size(message: dict[str, object], path: str) -> None:
    payload = {key: message[key] for key in ("notification", "data") if key in message}
    size = len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_PAYLOAD_BYTES:
        raise InvalidMessage(path, f"Message is too big ({size} > {MAX_PAYLOAD_BYTES} bytes)")


def _apns_headers(value: object, path: str) -> None:
    _string_map(value, path)
    assert isinstance(value, dict)
    for name, header in value.items():
        where, lowered = f"{path}.{name}", name.lower()
        if lowered == "apns-priority" and header not in ("1", "5", "10"):
            raise _invalid_value(where, "apns-priority", header, '; allowed: "1", "5", "10"')
        if lowered == "apns-push-type" and header not in _APNS_PUSH_TYPES:
            raise _invalid_value(where, "apns-push-type", header)
        if lowered == "apns-expiration" and not header.isdigit():
            raise _invalid_value(where, "apns-expiration", header, "; UNIX epoch seconds")
        if lowered == "apns-collapse-id" and len(header.encode()) > 64:
            raise _invalid_value(where, "apns-collapse-id", header, "; at most 64 bytes")


def _alert(value: object, path: str) -> None:
    if isinstance(value, str):
        return
    _struct(value, path)
    assert isinstance(value, dict)
    for key, item in value.items():
        if key.endswith("-args"):
            _list_of(_string)(item, f"{path}.{key}")
        elif key in _ALERT_STRINGS:
            _string(item, f"{path}.{key}")


_ALERT_STRINGS = frozenset(
    {"title", "subtitle", "body", "launch-image", "title-loc-key", "subtitle-loc-key"}
    | {"loc-key", "action-loc-key"}
)


def _sound(value: object, path: str) -> None:
    if isinstance(value, str):
        return
    _SOUND(value, path)
    assert isinstance(value, dict)
    if not 0 <= value.get("volume", 0) <= 1:
        raise _invalid_value(f"{path}.volume", "volume", value["volume"], "; 0 to 1")


def _unit_interval(value: object, path: str) -> None:
    _number(value, path)
    assert isinstance(value, int | float)
    if not 0 <= value <= 1:
        raise _invalid_value(path, "relevance-score", value, "; 0 to 1")


def _apns_payload(value: object, path: str) -> None:
    _struct(value, path)
    assert isinstance(value, dict)
    aps, where = value.get("aps"), f"{path}.aps"
    if not isinstance(aps, dict):
        raise _invalid_value(where, "aps dictionary", aps)
    for key, item in aps.items():
        check = _APS.get(key)
        if check is None:
            raise InvalidMessage(
                f"{where}.{key}",
                f'Unknown aps key "{key}": APNs ignores it silently. Custom keys belong beside '
                '"aps" in the payload.',
            )
        check(item, f"{where}.{key}")


_SOUND = _obj({"critical": _integer, "name": _string, "volume": _number})
_APS: dict[str, Check] = {
    "alert": _alert,
    "badge": _integer,
    "sound": _sound,
    "thread-id": _string,
    "category": _string,
    "content-available": _integer,
    "mutable-content": _integer,
    "target-content-id": _string,
    "interruption-level": _enum("passive", "active", "time-sensitive", "critical"),
    "relevance-score": _unit_interval,
    "filter-criteria": _string,
    "timestamp": _integer,
    "event": _enum("start", "update", "end"),
    "content-state": _struct,
    "stale-date": _integer,
    "dismissal-date": _integer,
    "attributes-type": _string,
    "attributes": _struct,
    "input-push-token": _integer,
    "input-push-channel": _string,
}
_ANDROID_NOTIFICATION = _obj(
    {
        "title": _string,
        "body": _string,
        "icon": _string,
        "color": _pattern(_COLOR, "color #rrggbb"),
        "sound": _string,
        "tag": _string,
        "click_action": _string,
        "body_loc_key": _string,
        "body_loc_args": _list_of(_string),
        "title_loc_key": _string,
        "title_loc_args": _list_of(_string),
        "channel_id": _string,
        "ticker": _string,
        "sticky": _bool,
        "event_time": _pattern(_TIMESTAMP, "google.protobuf.Timestamp"),
        "local_only": _bool,
        "notification_priority": _enum(
            *(f"PRIORITY_{p}" for p in ("UNSPECIFIED", "MIN", "LOW", "DEFAULT", "HIGH", "MAX"))
        ),
        "default_sound": _bool,
        "default_vibrate_timings": _bool,
        "default_light_settings": _bool,
        "vibrate_timings": _list_of(_duration),
        "visibility": _enum("VISIBILITY_UNSPECIFIED", "PRIVATE", "PUBLIC", "SECRET"),
        "notification_count": _integer,
        "light_settings": _obj(
            {
                "color": _obj(
                    {"red": _number, "green": _number, "blue": _number, "alpha": _number}
                ),
                "light_on_duration": _duration,
                "light_off_duration": _duration,
            }
        ),
        "image": _string,
        "bypass_proxy_notification": _bool,
        "proxy": _enum("PROXY_UNSPECIFIED", "ALLOW", "DENY", "IF_PRIORITY_LOWERED"),
    }
)
_ANDROID = _obj(
    {
        "collapse_key": _string,
        "priority": _enum("NORMAL", "HIGH", any_case=True),
        "ttl": _ttl,
        "restricted_package_name": _string,
        "data": _data,
        "notification": _ANDROID_NOTIFICATION,
        "fcm_options": _obj({"analytics_label": _string}),
        "direct_boot_ok": _bool,
        "bandwidth_constrained_ok": _bool,
        "restricted_satellite_ok": _bool,
    }
)


def _background_push(apns: dict[str, object], path: str) -> None:
    """Apple's rules for a background push (silent update): content-available 1, no alert,
    sound or badge, and priority 5. A push that carries only content-available at priority
    10 is refused by APNs as well."""
    raw_headers = apns.get("headers")
    headers = (
        {str(k).lower(): v for k, v in raw_headers.items()} if isinstance(raw_headers, dict) else {}
    )
    payload = apns.get("payload")
    aps = payload.get("aps") if isinstance(payload, dict) else None
    aps = aps if isinstance(aps, dict) else {}
    priority = headers.get("apns-priority")
    where = f"{path}.headers"
    if headers.get("apns-push-type") == "background":
        if priority not in (None, "5"):
            raise _invalid_value(
                f"{where}.apns-priority", "apns-priority", priority, "; a background push is 5"
            )
        if aps.get("content-available") != 1:
            raise InvalidMessage(
                f"{path}.payload.aps", "A background push needs content-available: 1."
            )
        shown = sorted(key for key in ("alert", "sound", "badge") if key in aps)
        if shown:
            raise InvalidMessage(
                f"{path}.payload.aps.{shown[0]}",
                f"A background push may not carry {', '.join(shown)}.",
            )
    elif priority == "10" and aps and set(aps) <= {"content-available"}:
        raise _invalid_value(
            f"{where}.apns-priority", "apns-priority", priority,
            "; a push with only content-available is sent at priority 5",
        )  # fmt: skip


_APNS = _obj(
    {
        "headers": _apns_headers,
        "payload": _apns_payload,
        "fcm_options": _obj({"analytics_label": _string, "image": _string}),
        "live_activity_token": _string,
    },
    _background_push,
)
_WEBPUSH = _obj(
    {
        "headers": _string_map,
        "data": _string_map,
        "notification": _struct,
        "fcm_options": _obj({"link": _string, "analytics_label": _string}),
    }
)
_MESSAGE = _obj(
    {
        "name": _string,
        "data": _data,
        "notification": _obj({"title": _string, "body": _string, "image": _string}),
        "android": _ANDROID,
        "webpush": _WEBPUSH,
        "apns": _APNS,
        "fcm_options": _obj({"analytics_label": _string}),
        **dict.fromkeys(_TARGETS, _string),
    },
    _one_target,
    _payload_size,
)
_REQUEST = _obj({"message": _MESSAGE, "validate_only": _bool})
