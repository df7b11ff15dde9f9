"""How long each reply took, as the service sees it: from its own receipt times, never the client's claim.

The service cannot see the trainee's screen; it sees requests arrive. Per attempt (and trainee) it
keeps the moment of the last event it saw: the submission that carried the previous reply, or
the ``shown`` ping the player sends when the next customer line is on the screen (the first
ping after a submission counts; the attempt's first line is announced the same way). A reply
that arrives alone took the time from that moment to its own arrival.

The limit, said plainly: several replies new in one submission (the player could not reach
the service and sends them together later) arrived at one moment, so the service cannot time
them one by one. It knows only that together they took at most the time since its last event:
each keeps the client's figure, scaled down so that they add up to no more than that. With no
earlier event at all (a first line never announced, or the service restarted during the
attempt) there is nothing to measure from, and the client's figures stand. A client that holds
replies back and sends them in quick succession makes them look fast: the service can bound a
reply's time from above, never from below.

Replies already timed keep their seconds: a submission is replayed whole, and its earlier replies
must be scored as they were when first stored.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

LIMIT = 100_000  # attempts kept in memory; the oldest are forgotten first
FORGET_AFTER = 24 * 3600.0  # seconds without an event before an attempt's clock is forgotten


@dataclass
class _Clock:
    seconds: list[float] = field(default_factory=list)  # the seconds decided for replies 0..n-1
    since: float | None = None  # the last event: a submission's receipt, or the first ping after it
    pinged: bool = False  # a ping has moved ``since`` since the last submission
    touched: float = 0.0


class Timing:
    """The service's receipt times per (attempt, trainee), read from ``clock`` (monotonic seconds)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: int = LIMIT) -> None:
        self.clock = clock
        self.limit = limit
        self._clocks: OrderedDict[tuple[str, str], _Clock] = OrderedDict()
        self._lock = threading.Lock()

    def now(self) -> float:
        """The moment a request is received, by the service's clock."""
        return self.clock()

    def shown(self, attempt_id: str, trainee: str, at: float | None = None) -> None:
        """The trainee's player put the attempt's next line on the screen at ``at`` (default: now)."""
        at = self.clock() if at is None else at
        with self._lock:
            found = self._get((attempt_id, trainee), at)
            if not found.pinged and (found.since is None or at >= found.since):
                found.since, found.pinged = at, True

    def measure(self, attempt_id: str, trainee: str, claimed: Sequence[float], stored: Sequence[float], at: float) -> list[float]:
        """The seconds of every reply of a submission received at ``at`` (nothing is remembered yet).

        ``claimed`` are the client's figures, one per reply; ``stored`` the seconds of the replies
        the store already holds (after a restart the service remembers none).
        """
        with self._lock:
            found = self._clocks.get((attempt_id, trainee))
            decided = list(found.seconds) if found is not None else []
            since = found.since if found is not None else None
        if len(stored) > len(decided):
            decided = [float(s) for s in stored]
        if len(claimed) <= len(decided):
            return decided[: len(claimed)]
        fresh = [max(0.0, float(c)) for c in claimed[len(decided) :]]
        if since is None:
            measured = fresh  # nothing seen before: nothing to measure from (the documented limit)
        else:
            available = max(0.0, at - since)
            if len(fresh) == 1:
                measured = [available]
            else:
                total = sum(fresh)
                scale = available / total if total > available else 1.0
                measured = [c * scale for c in fresh]
        return decided + [round(s, 3) for s in measured]

    def settle(self, attempt_id: str, trainee: str, seconds: Sequence[float], at: float) -> None:
        """Remember the seconds a stored (or spooled) submission received at ``at`` was replayed with."""
        with self._lock:
            found = self._get((attempt_id, trainee), at)
            if len(seconds) > len(found.seconds):
                found.seconds = list(seconds)
                found.since, found.pinged = at, False

    def _get(self, key: tuple[str, str], at: float) -> _Clock:
        found = self._clocks.get(key)
        if found is None:
            found = self._clocks[key] = _Clock()
        else:
            self._clocks.move_to_end(key)
        found.touched = at
        while self._clocks:
            oldest_key, oldest = next(iter(self._clocks.items()))
            if len(self._clocks) <= self.limit and at - oldest.touched <= FORGET_AFTER:
                break
            if oldest_key == key:
                break
            del self._clocks[oldest_key]
        return found

    def __len__(self) -> int:
        return len(self._clocks)
