"""Python's cyclic garbage collector paused around bulk work.

A bulk write or a bulk answer builds tens of thousands of objects that all live until
it ends; every collection their number triggers walks each of them again, to free
nothing (docs/performance.md, "The writer's own rows unchecked"; "Resolving caretakers
in bulk"). Reference counting still frees memory as usual; cycles, if any, wait for the
first collection after.
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
