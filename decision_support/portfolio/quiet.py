"""Keep solver output off standard output (``--json`` prints one document there).

The first ``highspy.Highs()`` of a process prints a banner on file descriptor 1, below
Python's ``sys.stdout``; :func:`stdout_to_stderr` points that descriptor at standard error
while a solver is created or runs. The descriptor is the process's, so solves running
at once in several threads share one redirection: the first to enter saves the real
standard output, the last to leave puts it back.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator


class _Redirection:
    """The process's one redirection of descriptor 1, shared by the threads inside it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.saved: int | None = None

    def enter(self) -> bool:
        """Redirect, or join the redirection in place; False without a real stdout."""
        with self.lock:
            if self.holders == 0:
                sys.stdout.flush()
                try:
                    self.saved = os.dup(1)
                except OSError:  # no real stdout (embedded)
                    return False
                os.dup2(2, 1)
            self.holders += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.holders -= 1
            if self.holders == 0 and self.saved is not None:
                sys.stdout.flush()
                os.dup2(self.saved, 1)
                os.close(self.saved)
                self.saved = None


_redirection = _Redirection()


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send file-descriptor-level standard output to standard error for a while."""
    if not _redirection.enter():
        yield
        return
    try:
        yield
    finally:
        _redirection.leave()
