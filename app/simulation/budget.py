"""The alert budget of a played hour, from the phones' side: every figure counts what the FCM
inbox received for the simulation's devices, or what the API says of the alerts, never what the
service's internals would report.

Figures are plain JSON (floats, ints, strings) so two runs can be compared side by side.
"""

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from app.simulation.play import Played, is_loud

BUDGET_LOUD = 4  # issue 13: sounding pushes per on-duty officer per hour, on average
BUDGET_ALL = 10  # and messages of any kind


def figures(played: Played) -> dict[str, Any]:
    """Everything the report prints, in one JSON-ready dict."""
    scenario, options = played.scenario, played.options
    hours = scenario.shape.minutes / 60
    officers = {d: u for d, u in played.units.items() if u.role == "officer"}
    mine = [m for m in played.messages if _token(m) in played.units]
    to_officers = [m for m in mine if _token(m) in officers]
    per_officer_all = Counter(_token(m) for m in to_officers)
    per_officer_loud = Counter(_token(m) for m in to_officers if is_loud(m["message"]))

    def per_hour(counter: Counter[str]) -> dict[str, float]:
        values = [counter.get(d, 0) / hours for d in officers]
        return _spread(values)

    hits = [a for a in played.alerts if a["kind"] in ("hotlist_hit", "historical_hit")]
    by_alert: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in mine:
        alert_id = _data(m).get("alert_id")
        if alert_id:
            by_alert[int(alert_id)].append(m)
    return {
        "run": {
            "seed": scenario.seed,
            "speed": options.speed,
            "minutes": scenario.shape.minutes,
            "real_s": round(played.real_s, 1),
            "behind_s": round(max(played.read_late_s, default=played.behind_s), 2),
            "behind_p95_s": round(_quantile(played.read_late_s, 0.95), 2),
            # The speed the service really saw: below `speed` when the machine could not keep
            # up, and its scaled windows then cover more simulated time than they should.
            "effective_speed": (
                round(scenario.shape.duration_s / played.played_s, 2) if played.played_s else None
            ),
        },
        "input": {
            "officers_on_duty": len(officers),
            "supervisors_on_duty": len(played.units) - len(officers),
            "cameras": scenario.shape.cameras,
            "stolen_entries_p2": len(scenario.stolen),
            "wanted_entries_p1": len(scenario.wanted),
            "reads": len(scenario.reads),
            "reads_by_kind": dict(Counter(r.tag for r in scenario.reads).most_common()),
            "bulletin_steps": [f"{s.action} #{s.bulletin + 1}" for s in scenario.bulletins],
        },
        "pushes": {
            "to_officers": len(to_officers),
            "loud": sum(is_loud(m["message"]) for m in to_officers),
            "silent": sum(not is_loud(m["message"]) for m in to_officers),
            "to_supervisors": len(mine) - len(to_officers),
            "per_officer_hour_all": per_hour(per_officer_all),
            "per_officer_hour_loud": per_hour(per_officer_loud),
            "by_kind": dict(Counter(_kind(m) for m in to_officers).most_common()),
            "loud_by_kind": dict(
                Counter(_kind(m) for m in to_officers if is_loud(m["message"])).most_common()
            ),
        },
        "alerts": _alerts(played, hits, by_alert),
        "repeats": _repeats(played, by_alert, officers),
        "hits_reaching_officers": _reach(played, hits, by_alert),
        "bulletins": _bulletins(mine),
        "escalations": {
            "alerts_escalated": sum(bool(a.get("escalation_level")) for a in played.alerts),
            "steps": sum(int(a.get("escalation_level") or 0) for a in played.alerts),
            "at_dispatcher_desk": played.desk,
            "dispatcher_queue": (
                {"endpoint": played.queue[0], "size": played.queue[1]} if played.queue else None
            ),
        },
        "answers": dict(played.answers),
        "failures": dict(played.failures),
        "reads": {
            "posted": len(played.read_latency_s),
            "failed": {str(k): v for k, v in played.read_failures.items()},
            "latency_ms": {
                "p50": round(_quantile(played.read_latency_s, 0.5) * 1000, 1),
                "p99": round(_quantile(played.read_latency_s, 0.99) * 1000, 1),
            },
        },
    }


def _alerts(
    played: Played, hits: list[dict[str, Any]], by_alert: dict[int, list[dict[str, Any]]]
) -> dict[str, Any]:
    recipients = [len({_token(m) for m in by_alert.get(a["id"], [])}) for a in played.alerts]
    innocent = [a for a in hits if _first_tag(played, a) == "innocent_misread"]
    return {
        "total": len(played.alerts),
        "by_kind": dict(Counter(a["kind"] for a in played.alerts).most_common()),
        "hits_by_priority": dict(Counter(f"P{a['priority']}" for a in hits).most_common()),
        "hits_exact": sum(a.get("match") == "exact" for a in hits),
        "recipients_per_alert": _spread([float(r) for r in recipients]),
        "alerts_over_5_recipients": sum(r > 5 for r in recipients),
        "innocent_misread_alerts": len(innocent),
        "innocent_misread_loud_pushes": sum(
            is_loud(m["message"]) for a in innocent for m in by_alert.get(a["id"], [])
        ),
    }


def _repeats(
    played: Played, by_alert: dict[int, list[dict[str, Any]]], officers: dict[str, Any]
) -> dict[str, Any]:
    """Pushes about the same car: hot-list alerts are one per car within the merge window."""
    hit_ids = {a["id"] for a in played.alerts if a["kind"] == "hotlist_hit"}
    plate_of = {a["id"]: a.get("plate") for a in played.alerts}
    per_car: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    seen_again = loud_seen_again = hit_pushes = 0
    for alert_id, messages in by_alert.items():
        if alert_id not in hit_ids:
            continue
        car = str(plate_of.get(alert_id))
        for m in messages:
            data = _data(m)
            per_car[car] += 1
            if data.get("action"):
                continue  # a life update (response, confirmation, escalation, close)
            hit_pushes += 1
            again = int(data.get("sightings", "1") or 1) > 1
            seen_again += again
            loud_seen_again += again and is_loud(m["message"])
            if is_loud(m["message"]) and _token(m) in officers:
                pairs[(car, _token(m))] += 1
    return {
        "hit_pushes": hit_pushes,
        "seen_again_pushes": seen_again,
        "seen_again_loud": loud_seen_again,
        "most_pushes_one_car": max(per_car.values(), default=0),
        "officer_car_pairs_loud_more_than_once": sum(n > 1 for n in pairs.values()),
    }


def _reach(
    played: Played, hits: list[dict[str, Any]], by_alert: dict[int, list[dict[str, Any]]]
) -> dict[str, Any]:
    """Exact P1/P2 hits: did a push reach an officer's phone, and how long after the read was
    posted (real seconds: at speed S, a simulated delay is S times longer)."""
    wanted = [a for a in hits if a["priority"] <= 2 and a.get("match") == "exact"]
    delays, reached = [], 0
    for alert in wanted:
        messages = by_alert.get(alert["id"], [])
        if not messages:
            continue
        reached += 1
        first_read = _first_read(alert)
        posted = played.read_posted_at.get(first_read) if first_read else None
        if posted is not None:
            arrived = min(datetime.fromisoformat(m["received_at"]) for m in messages)
            delays.append((arrived - posted).total_seconds())
    return {
        "exact_p1_p2_hits": len(wanted),
        "reached": reached,
        "share": round(reached / len(wanted), 3) if wanted else None,
        "delay_s": {
            "p50": round(_quantile(delays, 0.5), 2),
            "p95": round(_quantile(delays, 0.95), 2),
            "max": round(max(delays, default=0.0), 2),
        },
    }


def _bulletins(mine: list[dict[str, Any]]) -> dict[str, Any]:
    pushes = [m for m in mine if _data(m).get("kind") == "bulletin"]
    new_twice: Counter[tuple[str, str]] = Counter(
        (_data(m).get("bulletin_id", ""), _token(m))
        for m in pushes
        if _data(m).get("action") == "new"
    )
    return {
        "pushes": len(pushes),
        "by_action": dict(Counter(_data(m).get("action", "") for m in pushes).most_common()),
        "officers_told_new_twice": sum(n > 1 for n in new_twice.values()),
    }


def _first_read(alert: dict[str, Any]) -> int | None:
    trail = (alert.get("details") or {}).get("trail") or []
    if trail and "read_id" in trail[0]:
        return int(trail[0]["read_id"])
    read_id = (alert.get("details") or {}).get("read_id")
    return int(read_id) if read_id else None


def _first_tag(played: Played, alert: dict[str, Any]) -> str | None:
    first = _first_read(alert)
    return played.read_tags.get(first) if first else None


def _token(record: dict[str, Any]) -> str:
    return str((record.get("message") or {}).get("token", ""))


def _data(record: dict[str, Any]) -> dict[str, str]:
    data: dict[str, str] = (record.get("message") or {}).get("data") or {}
    return data


def _kind(record: dict[str, Any]) -> str:
    data = _data(record)
    kind = data.get("kind", "?")
    action = data.get("action")
    return f"{kind}:{action}" if action else kind


def _spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "median": 0.0, "max": 0.0}
    return {
        "mean": round(statistics.fmean(values), 2),
        "median": round(statistics.median(values), 2),
        "max": round(max(values), 2),
    }


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
