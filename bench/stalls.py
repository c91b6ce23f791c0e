"""Where a served process's time goes: run `lookout` under a sampler, for bench/region.py.

    LOOKOUT_BENCH_LAUNCHER=bench/stalls.py .venv/bin/python bench/region.py --speeds 100 --keep

Each process the bench starts (API, worker, FCM stand-in) then writes, next to its log in the
kept directory, when it exits:

- `NAME.samples`: every thread's Python stack every 2 ms, counted (collapsed stacks, one per
  line, the count first: a flame-graph tool reads them after moving the count to the end);
- `NAME.samples.gc`: each garbage collection over 5 ms (when, generation, how long);
- `NAME.samples.gaps`: each time the sampler itself waited over 50 ms for the interpreter lock,
  with the main thread's stack (a C call or collection holding it: the event loop waited too);
- `NAME.samples.calls`: calls over 10 ms of the functions named in `STALLS_CALLS`
  (`module:function` or `module:Class.method`, comma-separated), e.g.
  `STALLS_CALLS=app.reads.writer:IngestWriter._write,app.bulletins.trail:search`.

py-spy and yappi gave no usable samples of a uvicorn process on these machines; this costs the
process some of its speed (the tails it reports are longer than without it), so time with
bench/region.py alone and use this to see where the time went.
"""

import atexit
import collections
import functools
import gc
import importlib
import os
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

OUT = os.environ.get("SAMPLER_OUT", "lookout.samples")
EVERY_S = 0.002
GAP_S = 0.05
SLOW_GC_S = 0.005
SLOW_CALL_S = 0.01

samples: collections.Counter[str] = collections.Counter()
gaps: list[tuple[float, float, str]] = []
collections_seen: list[tuple[float, int, float]] = []
calls: list[tuple[float, str, float]] = []
main_thread = threading.main_thread().ident
_gc_began = [0.0]


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_began[0] = time.perf_counter()
        return
    took = time.perf_counter() - _gc_began[0]
    if took > SLOW_GC_S:
        collections_seen.append((time.time(), int(info["generation"]), took))


def _stack(frame: FrameType | None) -> str:
    names = []
    while frame is not None:
        code = frame.f_code
        names.append(f"{os.path.basename(code.co_filename)}:{code.co_name}")
        frame = frame.f_back
    return ";".join(reversed(names))


def _sample() -> None:
    me = threading.get_ident()
    last = time.perf_counter()
    while True:
        time.sleep(EVERY_S)
        now = time.perf_counter()
        frames = sys._current_frames()
        for ident, frame in frames.items():
            if ident != me:
                samples[("main;" if ident == main_thread else "thread;") + _stack(frame)] += 1
        if now - last > GAP_S:
            gaps.append((time.time(), now - last, _stack(frames.get(main_thread or 0))))
        last = now


def _timed(spec: str) -> None:
    module_name, _, attribute = spec.partition(":")
    owner: Any = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            took = time.perf_counter() - began
            if took > SLOW_CALL_S:
                calls.append((time.time(), spec, took))

    setattr(owner, name, timed)


def _write() -> None:
    with open(OUT, "w", encoding="utf-8") as out:
        out.writelines(f"{count} {stack}\n" for stack, count in samples.most_common())
    with open(OUT + ".gc", "w", encoding="utf-8") as out:
        out.writelines(
            f"{at:.3f} gen{gen} {took * 1000:.1f} ms\n" for at, gen, took in collections_seen
        )
    with open(OUT + ".gaps", "w", encoding="utf-8") as out:
        out.writelines(f"{at:.3f} {took * 1000:.0f} ms {stack}\n" for at, took, stack in gaps)
    with open(OUT + ".calls", "w", encoding="utf-8") as out:
        out.writelines(f"{at:.3f} {spec} {took * 1000:.0f} ms\n" for at, spec, took in calls)


def main() -> None:
    gc.callbacks.append(_on_gc)
    threading.Thread(target=_sample, name="stalls-sampler", daemon=True).start()
    for spec in filter(None, os.environ.get("STALLS_CALLS", "").split(",")):
        _timed(spec.strip())
    atexit.register(_write)
    # uvicorn raises SIGTERM again once it has shut down: exit through atexit, not the signal.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.argv = ["lookout", *sys.argv[1:]]
    from app.cli import main as lookout

    lookout()


if __name__ == "__main__":
    main()
