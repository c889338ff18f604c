"""When the workbench's garbage is collected: while the coder pauses, not in a key.

Every repaint leaves reference cycles behind: Textual's ``Strip`` keeps itself in its own caches
(``adjust_cell_length``, ``divide`` and ``crop_extend`` can return ``self`` and cache it), so a
few hundred objects a key outlive reference counting and wait for a full collection. Measured on
a 20,000-segment document with keys sent non-stop: with Python's default thresholds one key in
14 paid about 80 ms for one; with full collections made rare, one key in about 1,330 froze for
0.8-1.1 s while 337,000 such objects were swept at once.

So the objects alive once the screen is up are frozen out of collection, automatic full
collections stay rare, and a full collection runs whenever the keys pause for half a second,
which in real coding is after nearly every key: the sweep then happens while nobody waits, and
the automatic one, with its long pause, comes only to someone who never stops for 1,300 keys.
(Sweeping every N keys instead was tried: each sweep cost about 100 ms, mostly walking the live
objects, and landed in keys.)
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

IDLE_S = 0.5


class Collector:
    """Schedules full collections through the app's timers."""

    def __init__(self, set_timer: Callable[..., Any]) -> None:
        self._set_timer = set_timer
        self._timer: Any = None
        self._thresholds: tuple[int, int, int] | None = None
        self.collections = 0

    def start(self) -> None:
        """Before the first screen is built: full collections a hundredth as often as by
        default. Opening a long document makes tens of thousands of objects, which at the
        default thresholds set off full collections: 60 ms of a 4 MB document's launch."""
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, 1000)

    def settle(self) -> None:
        """Once the first screen is up: what is alive now is left out of every collection."""
        gc.freeze()

    def release(self) -> None:
        """The app is leaving (a process may go on, as tests do): collection as it was."""
        if self._timer is not None:
            self._timer.stop()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            gc.unfreeze()
            self._thresholds = None

    def key(self) -> None:
        """A key (or click, or scroll) arrived: collect once they pause."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._set_timer(IDLE_S, self.collect)

    def collect(self) -> None:
        self._timer = None
        gc.collect()
        self.collections += 1
