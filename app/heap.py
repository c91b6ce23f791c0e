"""The Python heap of a long-running process, kept out of the garbage collector's way."""

import gc
import logging
import time

log = logging.getLogger(__name__)


def freeze_startup_heap() -> None:
    """Move everything alive once the process has started into the collector's permanent
    generation, so that no later collection walks it again.

    A started process holds about 300,000 tracked objects that live until it exits: the
    modules, FastAPI's routes, the pydantic and SQLAlchemy models, the matcher. A full
    collection walks all of them; it took 130-215 ms on the 2-core machines we measure on, and
    under a camera load it ran every second or two, holding every request in flight (the
    tails of `bench/region.py` at 100x were these pauses). Call it once, after startup.
    """
    began = time.perf_counter()
    gc.collect()  # startup's own garbage is freed now, not frozen with the rest
    gc.freeze()
    log.info(
        "heap.frozen",
        extra={"objects": gc.get_freeze_count(), "ms": round(1000 * (time.perf_counter() - began))},
    )
