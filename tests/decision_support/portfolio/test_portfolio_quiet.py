"""Solver output kept off standard output, also when solves overlap in threads."""

from __future__ import annotations

import os
import threading

from decision_support.portfolio.quiet import stdout_to_stderr


def _target(fd: int) -> tuple[int, int]:
    info = os.fstat(fd)
    return info.st_dev, info.st_ino


def test_overlapping_redirections_put_the_real_stdout_back() -> None:
    """A enters, B enters, A leaves while B still solves, B leaves: standard output is
    the real one again (a per-thread save and restore would leave it on stderr)."""
    real, error = _target(1), _target(2)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, tuple[int, int]] = {}

    def first() -> None:
        with stdout_to_stderr():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        with stdout_to_stderr():
            b_in.set()
            a_out.wait(5)
            seen["after A left"] = _target(1)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen["after A left"] == error  # B's solver still writes to stderr
    assert _target(1) == real
