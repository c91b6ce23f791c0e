"""The alert budget as text: one run, or two side by side with the ratio of the second to the
first (two policies on the same seeded hour)."""

import json
from pathlib import Path
from typing import Any

from app.simulation.budget import BUDGET_ALL, BUDGET_LOUD

ROWS = (
    ("Pushes per officer per hour, all: mean", "pushes.per_officer_hour_all.mean"),
    ("  median", "pushes.per_officer_hour_all.median"),
    ("  max", "pushes.per_officer_hour_all.max"),
    ("Sounding pushes per officer per hour: mean", "pushes.per_officer_hour_loud.mean"),
    ("  median", "pushes.per_officer_hour_loud.median"),
    ("  max", "pushes.per_officer_hour_loud.max"),
    ("Messages to officers", "pushes.to_officers"),
    ("  loud", "pushes.loud"),
    ("  silent updates", "pushes.silent"),
    ("Messages to supervisors", "pushes.to_supervisors"),
    ("Alerts", "alerts.total"),
    ("  hot-list hits P1", "alerts.hits_by_priority.P1"),
    ("  hot-list hits P2", "alerts.hits_by_priority.P2"),
    ("  hits EXACT", "alerts.hits_exact"),
    ("Recipients per alert: mean", "alerts.recipients_per_alert.mean"),
    ("  median", "alerts.recipients_per_alert.median"),
    ("  max", "alerts.recipients_per_alert.max"),
    ("  alerts with more than 5", "alerts.alerts_over_5_recipients"),
    ("Hot-list hit pushes", "repeats.hit_pushes"),
    ("  'seen again' repeats", "repeats.seen_again_pushes"),
    ("  'seen again' repeats, loud", "repeats.seen_again_loud"),
    ("  most pushes about one car", "repeats.most_pushes_one_car"),
    ("  officer-car pairs rung more than once", "repeats.officer_car_pairs_loud_more_than_once"),
    ("Innocent cars misread as listed: alerts", "alerts.innocent_misread_alerts"),
    ("  their loud pushes", "alerts.innocent_misread_loud_pushes"),
    ("Exact P1/P2 hits", "hits_reaching_officers.exact_p1_p2_hits"),
    ("  share reaching an officer", "hits_reaching_officers.share"),
    ("  read -> first push p50 (s)", "hits_reaching_officers.delay_s.p50"),
    ("  read -> first push p95 (s)", "hits_reaching_officers.delay_s.p95"),
    ("  read -> first push max (s)", "hits_reaching_officers.delay_s.max"),
    ("Bulletin pushes", "bulletins.pushes"),
    ("  officers told 'new' twice", "bulletins.officers_told_new_twice"),
    ("Alerts escalated", "escalations.alerts_escalated"),
    ("  escalation steps", "escalations.steps"),
    ("  open at the dispatcher desk", "escalations.at_dispatcher_desk"),
    ("  dispatcher queue", "escalations.dispatcher_queue.size"),
    ("Officers' answers: responding", "answers.responding"),
    ("  unable", "answers.unable"),
    ("Reads posted", "reads.posted"),
    ("  read latency p50 (ms)", "reads.latency_ms.p50"),
    ("  read latency p99 (ms)", "reads.latency_ms.p99"),
)


def value(figures: dict[str, Any], dotted: str) -> Any:
    here: Any = figures
    for part in dotted.split("."):
        if not isinstance(here, dict) or part not in here:
            return None
        here = here[part]
    return here


def render(figures: dict[str, Any], label: str = "") -> str:
    run, given = figures["run"], figures["input"]
    lines = [
        f"Simulated Oakland hour{f' ({label})' if label else ''}: seed {run['seed']}, "
        f"{run['minutes']:g} min at {run['speed']:g}x in {run['real_s']:.0f} s "
        f"(effectively {run.get('effective_speed') or 0:g}x: reads posted up to "
        f"{run['behind_s']:.1f} s, p95 {run.get('behind_p95_s', 0):.1f} s behind schedule)",
        f"{given['officers_on_duty']} officers and {given['supervisors_on_duty']} supervisors on "
        f"duty, {given['cameras']} cameras, {given['stolen_entries_p2']} stolen (P2) and "
        f"{given['wanted_entries_p1']} wanted (P1) plates, {given['reads']} reads "
        f"({', '.join(f'{k} {v}' for k, v in given['reads_by_kind'].items())})",
        "",
    ]
    width = max(len(label) for label, _ in ROWS) + 2
    for name, dotted in ROWS:
        lines.append(f"{name:<{width}}{_show(value(figures, dotted)):>10}")
    lines.append("")
    lines.append(_verdict(figures))
    effective = run.get("effective_speed") or 0
    if effective and effective < 0.8 * run["speed"]:
        lines.append(
            f"WARNING: the reads went out at {effective:g}x, not {run['speed']:g}x (the service "
            "or this machine could not keep up): the scaled windows no longer match; try a "
            "lower --speed"
        )
    return "\n".join(lines)


def compare(first: dict[str, Any], second: dict[str, Any], labels: tuple[str, str]) -> str:
    width = max(len(label) for label, _ in ROWS) + 2
    a, b = (label[:12] for label in labels)
    lines = [
        f"Same seeded hour, two policies: {labels[0]} (seed {first['run']['seed']}) and "
        f"{labels[1]} (seed {second['run']['seed']})",
        "",
        f"{'':<{width}}{a:>12}{b:>12}{'ratio':>9}",
    ]
    for name, dotted in ROWS:
        x, y = value(first, dotted), value(second, dotted)
        ratio = f"{y / x:.2f}" if _number(x) and _number(y) and x else ""
        lines.append(f"{name:<{width}}{_show(x):>12}{_show(y):>12}{ratio:>9}")
    lines += ["", f"{labels[0]}: {_verdict(first)}", f"{labels[1]}: {_verdict(second)}"]
    if first["run"]["seed"] != second["run"]["seed"]:
        lines.append("note: the seeds differ, so the hours differ too")
    return "\n".join(lines)


def _verdict(figures: dict[str, Any]) -> str:
    loud = value(figures, "pushes.per_officer_hour_loud.mean") or 0
    every = value(figures, "pushes.per_officer_hour_all.mean") or 0
    share = value(figures, "hits_reaching_officers.share")
    ok = loud <= BUDGET_LOUD and every <= BUDGET_ALL and share in (None, 1.0)
    return (
        f"{'within' if ok else 'over'} the budget (<= {BUDGET_LOUD} sounding, <= {BUDGET_ALL} "
        f"in all per officer per hour, every exact P1/P2 hit reaching an officer)"
    )


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _show(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else f"{int(x)}"
    return str(x)


def save(figures: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
