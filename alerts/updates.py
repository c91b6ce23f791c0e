"""What the phone shows of an alert's life after the first push: confirmation, responses,
escalation and closing (DOMAIN.md 5.1, 5.4, 5.6).

Every update is pushed on the alert's own thread: the collapse key (Android collapse key and
tag, APNs collapse id) and `alert_id` of its first push, so it replaces what the phone shows.
`data.action` says what it is: `confirmation`, `response`, `escalation` or `close` (the app
marks the alert closed and clears it once read). A quiet update (another unit responding, a
request sent, the alert closed) makes no sound; one that changes what the officer may do (the
record confirmed or not, a cleared record, an escalated hit for a new officer) rings.
Local time appears only here; everything passed in is UTC.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from alerts.compose import PRIORITY_WORDS, Detail, stamp
from alerts.lifecycle import Confirmation, Disposition, Response, Result, Step
from alerts.push import Platform, PushMessage, alert_path
from geo import compass

# What a record is wanted for, in the few words of "CONFIRMED — still wanted (stolen, ...)".
KIND_WORDS = {
    "stolen_vehicle": "stolen", "stolen_plate": "stolen plate", "felony_vehicle": "felony",
    "wanted_person": "wanted person", "missing_person": "missing person", "amber": "AMBER",
    "protection_order": "protection order", "local": "local case", "covert": "covert watch",
}  # fmt: skip
DISPOSITION_WORDS = {
    Disposition.LOCATED: "located", Disposition.NOT_LOCATED: "not located",
    Disposition.MISREAD: "misread (the plate did not match)",
    Disposition.WRONG_VEHICLE: "wrong vehicle (the plate matched, the vehicle did not)",
    Disposition.RECORD_INVALID: "record invalid", Disposition.DUPLICATE: "duplicate",
    Disposition.CANCELLED: "cancelled",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Thread:
    """The alert an update belongs to, as its first push named it."""

    alert_id: int
    kind: str  # hotlist_hit or bulletin, as in the first push's data
    priority: int
    collapse_key: str
    title: str  # the alert's title: what the phone showed
    plate: str
    list_kind: str | None = None
    reason: str | None = None
    case_number: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)  # e.g. bulletin_id, on every push


@dataclass(frozen=True, slots=True)
class Update:
    """One update, worded in full and (`short_*`) without plate, case or place, for agencies
    whose notifications say nothing of a record (`Detail.MINIMAL`)."""

    action: str
    title: str
    body: str
    short_title: str
    short_body: str = "Open Lookout for details."
    quiet: bool = False
    data: Mapping[str, str] = field(default_factory=dict)


def message(
    thread: Thread,
    update: Update,
    *,
    token: str,
    platform: Platform,
    detail: Detail,
    ttl_s: int,
) -> PushMessage:
    """The push of an update to one device, on the alert's thread."""
    full = detail is Detail.FULL
    data = {
        **thread.data,
        "alert_id": str(thread.alert_id),
        "url": alert_path(thread.alert_id),
        "kind": thread.kind,
        "priority": str(thread.priority),
        "action": update.action,
        **update.data,
    }
    return PushMessage(
        token=token,
        platform=platform,
        title=update.title if full else update.short_title,
        body=update.body if full else update.short_body,
        data=data,
        collapse_key=thread.collapse_key,
        ttl_s=ttl_s,
        urgent=thread.priority <= 3,
        quiet=update.quiet,
    )


def wanted_for(thread: Thread) -> str:
    """E.g. "stolen, case 24-001234"; the list's reason when its kind has no word."""
    words = KIND_WORDS.get(thread.list_kind or "") or thread.reason or "listed"
    return f"{words}, case {thread.case_number}" if thread.case_number else words


def confirmation(
    thread: Thread,
    state: Confirmation,
    *,
    who: str | None,
    note: str | None,
    due_at: datetime | None,
    now: datetime,
    tz: ZoneInfo,
) -> Update:
    """The record's confirmation changed. `who` asked or answered (None: nobody, it expired)."""
    said = f" — {note}" if note else ""
    by = f" by {who}" if who else ""
    data = {"confirmation": state.value}
    match state:
        case Confirmation.REQUESTED:
            due = f"answer due {stamp(due_at, now, tz)}" if due_at else "answer pending"
            return Update(
                action="confirmation", quiet=True, data=data,
                title=f"CONFIRMATION REQUESTED — {due}",
                body=f"{thread.plate}: confirmation asked{by}{said}. Do not act on the hit "
                "until it is confirmed.",
                short_title=f"Confirmation requested — {due}",
            )  # fmt: skip
        case Confirmation.CONFIRMED:
            return Update(
                action="confirmation", data=data,
                title=f"CONFIRMED — still wanted ({wanted_for(thread)})",
                body=f"{thread.plate}: the originating agency confirmed the record{by}, "
                f"{stamp(now, now, tz)}{said}.",
                short_title="CONFIRMED — still wanted",
            )  # fmt: skip
        case Confirmation.NOT_CONFIRMED:
            return Update(
                action="close", data=data | {"disposition": Disposition.RECORD_INVALID.value},
                title="NOT CONFIRMED — do not stop on this hit",
                body=f"{thread.plate}: the record was not confirmed{by}, "
                f"{stamp(now, now, tz)}{said}. The alert is closed.",
                short_title="NOT CONFIRMED — do not stop on this hit",
            )  # fmt: skip
        case _:
            return Update(
                action="confirmation", quiet=True, data=data,
                title="NO ANSWER — confirmation request expired",
                body=f"{thread.plate}: the originating agency did not answer in time. Do not "
                "act on this hit alone; dispatch may ask again.",
                short_title="No answer — confirmation request expired",
            )  # fmt: skip


def duration(seconds: float) -> str:
    """ "45 s", "10 min", "1 h", "1 h 30 min"."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    minutes = round(s / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"


def eta_words(eta_s: float | None) -> str:
    """ "ETA 4 min" (at least 1), or "" without an ETA."""
    return "" if eta_s is None else f"ETA {max(1, round(eta_s / 60))} min"


def response(thread: Thread, *, unit: str, status: Response, eta_s: float | None) -> Update:
    """Another unit answered the alert: a quiet update, so two cars do not race to one stop."""
    match status:
        case Response.RESPONDING:
            eta = eta_words(eta_s)
            said = f"Unit {unit} responding" + (f", {eta}" if eta else "")
        case Response.ON_SCENE:
            said = f"Unit {unit} on scene"
        case Response.UNABLE:
            said = f"Unit {unit} unable to respond"
        case _:
            said = f"Unit {unit} has seen the alert"
    data = {"response": status.value, "unit": unit}
    if eta_s is not None:
        data["eta_s"] = str(round(eta_s))
    return Update(
        action="response", quiet=True, data=data, title=said, body=thread.title,
        short_title=said,
    )  # fmt: skip


def closed(
    thread: Thread,
    disposition: Disposition,
    result: Result | None,
    *,
    who: str,
    note: str | None,
) -> Update:
    """The alert was closed with an outcome: a quiet last update; the app clears it."""
    words = DISPOSITION_WORDS[disposition]
    if result is not None:
        words += f": {result.value.replace('_', ' ')}"
    said = f" — {note}" if note else ""
    data = {"disposition": disposition.value, "result": result.value if result else ""}
    return Update(
        action="close", quiet=True, data=data, title=f"CLOSED — {words}",
        body=f"{thread.plate}: closed by {who}{said}.", short_title=f"Closed — {words}",
    )  # fmt: skip


def cleared(thread: Thread, *, list_name: str, reason: str | None) -> Update:
    """The entry was removed from its list (vehicle recovered, record cleared): it rings, as
    somebody may be about to stop the car."""
    why = f" ({reason})" if reason else ""
    return Update(
        action="close",
        data={"disposition": Disposition.RECORD_INVALID.value},
        title="RECORD CLEARED — do not stop on this hit",
        body=f"{thread.plate}: the entry was removed from {list_name}{why}. The alert is closed.",
        short_title="RECORD CLEARED — do not stop on this hit",
    )


def escalated(
    thread: Thread,
    step: Step,
    *,
    summary: str,
    why: str,
    distance_m: float | None = None,
    bearing_deg: float | None = None,
) -> Update:
    """The hit for an officer (next ring) or supervisor it was escalated to: it rings. `why`
    says what happened, e.g. "nobody responding after 1 min; 2 told, 1 unable"."""
    where = ""
    if distance_m is not None:
        where = f"{distance_m:.0f} m" if distance_m < 1000 else f"{distance_m / 1000:.1f} km"
        where += f" {compass(bearing_deg)} of you" if bearing_deg is not None else " from you"
    to = "SUPERVISOR" if step is Step.SUPERVISOR else "ESCALATED"
    word = PRIORITY_WORDS.get(thread.priority, "")
    lines = [summary, *([where] if where else []), f"Escalated: {why}."]
    short = [*([where] if where else []), "Open Lookout for details."]
    return Update(
        action="escalation",
        data={
            "step": step.value,
            "distance_m": "" if distance_m is None else str(round(distance_m)),
        },
        title=f"{to} — {thread.title}",
        body="\n".join([*lines, "Confirm with dispatch before stopping."]),
        short_title=f"{to}: P{thread.priority} {word} hot-list hit".replace("  ", " "),
        short_body=". ".join(short),
    )


def promoted(
    thread: Thread,
    *,
    summary: str,
    who: str,
    note: str | None,
    distance_m: float | None = None,
    bearing_deg: float | None = None,
) -> Update:
    """A hit a dispatcher looked at first (the dispatcher queue) and sent to officers: it
    rings, saying who sent it and why."""
    where = ""
    if distance_m is not None:
        where = f"{distance_m:.0f} m" if distance_m < 1000 else f"{distance_m / 1000:.1f} km"
        where += f" {compass(bearing_deg)} of you" if bearing_deg is not None else " from you"
    sent = f"Sent by dispatch ({who})" + (f": {note}" if note else "")
    word = PRIORITY_WORDS.get(thread.priority, "")
    lines = [summary, *([where] if where else []), f"{sent}."]
    return Update(
        action="promoted",
        data={"distance_m": "" if distance_m is None else str(round(distance_m))},
        title=f"FROM DISPATCH — {thread.title}",
        body="\n".join([*lines, "Confirm with dispatch before stopping."]),
        short_title=f"FROM DISPATCH: P{thread.priority} {word} hot-list hit".replace("  ", " "),
        short_body=". ".join([*([where] if where else []), "Open Lookout for details."]),
    )
