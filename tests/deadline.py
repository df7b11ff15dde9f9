"""A deadline for a block of test code: it fails, rather than hangs, when the code under test does."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Hung(Exception):
    """Raised by the alarm: not an OSError (nor a TimeoutError, which is one), which the code under
    test may rightly catch."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Raise Hung when the block runs longer than ``seconds``: a blocking open of a FIFO and a
    regular expression that runs on are interrupted too (the interpreter looks at signals)."""

    def late(*_: object) -> None:
        raise Hung(f"took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, late)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
