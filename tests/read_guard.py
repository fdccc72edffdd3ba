"""The audit hook that keeps the suite self-contained: no test reads beside the repository.

A fresh clone has nothing next to it (no team material folder), so a test that read a file
there would pass on a developer's machine and fail on a user's. The hook fails any
open or folder listing of a path in the repository's parent folder that is not
inside the repository; files of the interpreter, site-packages, the temporary folder
and the system stay readable. A clone made straight into the system's temporary folder
(``/tmp/<clone>``) has that folder as its parent: the suite's temporary files then go to
a fresh subfolder of it, which stays readable, while the rest of ``/tmp`` stays refused.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

OUTSIDE_READS: list[str] = []
_WATCHED_EVENTS = {"open", "os.listdir", "os.scandir"}


class OutsideRepositoryReadError(RuntimeError):
    """A test opened or listed a file beside the repository."""


def install_read_guard(repository: Path) -> None:
    """Add the audit hook for ``repository`` (hooks cannot be removed; install once)."""
    beside = str(repository.parent) + os.sep
    inside = str(repository) + os.sep
    temporary = _temporary_folder(repository)
    # The interpreter and its packages may live anywhere, a folder beside the clone too.
    interpreter = tuple(
        os.path.realpath(p) + os.sep
        for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, *sysconfig.get_paths().values()}
    )

    def refuse_reads_beside(event: str, args: tuple[object, ...]) -> None:
        if event not in _WATCHED_EVENTS or not args:
            return
        target = args[0]
        if isinstance(target, bytes):
            target = os.fsdecode(target)
        if not isinstance(target, str | os.PathLike):
            return  # a file descriptor
        path = os.path.abspath(os.fspath(target))
        if (path + os.sep).startswith(interpreter):
            return
        if temporary is not None and (path + os.sep).startswith(temporary):
            return
        if (path + os.sep).startswith(beside) and not (path + os.sep).startswith(inside):
            OUTSIDE_READS.append(path)
            raise OutsideRepositoryReadError(f"a test read {path}, outside the repository")

    sys.addaudithook(refuse_reads_beside)


def _temporary_folder(repository: Path) -> str | None:
    """The private temporary folder of this process when the system's temporary folder
    is the repository's parent (a clone straight into ``/tmp``), else None.

    ``tempfile`` (pytest's ``tmp_path``, openpyxl) and ``TMPDIR`` (PuLP's solver files,
    Playwright's downloads, child processes) then point at a fresh subfolder, so that
    temporary files are never "beside the repository". Elsewhere nothing changes: a
    temporary folder that is not the parent is not beside the repository, and one that
    holds the parent (``/tmp/x/<clone>``) must not exempt the parent's other files.
    """
    if os.path.abspath(tempfile.gettempdir()) != os.path.abspath(repository.parent):
        return None
    private = tempfile.mkdtemp(prefix="decision-support-tests-")
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    tempfile.tempdir = private
    os.environ["TMPDIR"] = private
    return os.path.abspath(private) + os.sep
