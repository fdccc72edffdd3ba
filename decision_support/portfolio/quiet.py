"""Keep solver output off standard output (``--json`` prints one document there).

The first ``highspy.Highs()`` of a process prints a banner on file descriptor 1, below
Python's ``sys.stdout``; :func:`stdout_to_stderr` points that descriptor at standard error
while a solver is created or runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send file-descriptor-level standard output to standard error for a while."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded)
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
