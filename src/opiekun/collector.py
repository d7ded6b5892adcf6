"""Python's cyclic garbage collector paused around bulk work.

A bulk write or a bulk answer builds tens of thousands of objects that all live until
it ends; every collection their number triggers walks each of them again, to free
nothing (docs/performance.md, "The writer's own rows unchecked"; "Resolving caretakers
in bulk"). Reference counting still frees memory as usual; cycles, if any, wait for the
first collection after.

A served worker's app is frozen once loaded (`app_frozen`): the collector's full passes
no longer walk the modules, classes and tables that live as long as the process.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the duration, then back on (also after an error),
    unless it was off already."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def app_frozen() -> int:
    """Every view loaded now, then the objects alive at this point moved out of the
    collector's reach (`gc.freeze`); returns how many.

    `opiekun serve` calls it in each worker once the app is loaded. Without it a
    worker's full collections walked the ~130,000 objects of Django and the project:
    one request in about forty paid 60 ms for it, the p95 of most pages
    (docs/performance.md, "The collector's pauses in a served worker"). Frozen objects
    are never collected; they are the app's code and tables, which live as long as the
    worker does.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # imports every view and API module
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
