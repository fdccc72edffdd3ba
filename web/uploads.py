"""Uploaded files: one way for every form (and API endpoint) to take a file in.

- :class:`UploadField` is a required file field of one :class:`FileKind` (which
  extensions it takes, checked by the form and again by :func:`read_upload`).
- :func:`read_upload` reads the file once, at most ``MAX_UPLOAD_BYTES`` (plus one byte
  to know it is over), so a file over the limit is refused with the same message as
  the CLI's readers give, next to its field.
- :func:`import_upload` runs a form's import on the file and, when the file or the
  import is refused (a domain :class:`InputError`), puts every problem where the page
  shows it: on the field it names, in the row/column table (``problems_list``) when it
  is located in the file, next to the file field otherwise. The view then answers 422,
  so the request's transaction rolls back anything the import flushed: an import is
  all-or-nothing, and nothing is kept of a refused file.

Under ``/api/``, :func:`read_upload` and the import raise, and the app's error handler
answers 422 JSON with the problems (``web/errors.py``). A request body over
``MAX_CONTENT_LENGTH`` never reaches a view: it is the 413 of ``web/errors.py``,
with :func:`upload_limit_message` next to the file field of the page it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Generic, TypeVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import Field
from wtforms.validators import StopValidation

from decision_support.errors import InputError, Problem
from decision_support.files.documents import format_bytes, size_reason
from decision_support.files.limits import current_limits

T = TypeVar("T")


@dataclass(frozen=True)
class FileKind:
    """What a file field takes: ``description`` (as a user would name it) and the
    extensions (lower case, without the dot) a file of that kind has."""

    description: str
    extensions: tuple[str, ...]

    def refusal(self, filename: str) -> str | None:
        """Why ``filename`` is not of this kind, or None when it is."""
        if PurePosixPath(filename.lower()).suffix.lstrip(".") in self.extensions:
            return None
        endings = ", ".join(f".{e}" for e in self.extensions)
        return f"“{filename}” is not {self.description}: upload a file ending in {endings}."


SPREADSHEET = FileKind("a CSV or XLSX file", ("csv", "xlsx"))
WORKBOOK = FileKind("an Excel workbook", ("xlsx",))
DOCUMENT = FileKind("a YAML or JSON file", ("yaml", "yml", "json"))


class _OfKind:
    """WTForms validator: the uploaded file's name has one of ``kind``'s extensions."""

    def __init__(self, kind: FileKind) -> None:
        self.kind = kind

    def __call__(self, form: Any, target: Field) -> None:
        if isinstance(target.data, FileStorage) and target.data:
            refusal = self.kind.refusal(upload_name(target.data))
            if refusal:
                raise StopValidation(refusal)


class UploadField(FileField):
    """A required file field for files of ``kind`` (the file chooser offers them)."""

    def __init__(self, label: str, kind: FileKind, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"accept": ",".join(f".{e}" for e in kind.extensions)})
        super().__init__(label, validators=[FileRequired(), _OfKind(kind)], **kwargs)
        self.kind = kind


def upload_name(storage: FileStorage) -> str:
    """The uploaded file's own name, without any folder a browser sent with it."""
    name = PurePosixPath((storage.filename or "").replace("\\", "/")).name
    return "".join(c for c in name if c.isprintable()).strip() or "upload"


@dataclass(frozen=True)
class UploadedFile:
    """An upload as read: its bytes and its file name."""

    content: bytes
    filename: str


def read_upload(storage: FileStorage | None, kind: FileKind, field: str = "file") -> UploadedFile:
    """The file ``storage`` holds, read once and at most ``MAX_UPLOAD_BYTES``.

    Raises :class:`InputError` (its problem on ``field``) when no file was sent, the
    file is not of ``kind``, or it is over the limit (``NAME: file is larger than the
    limit of 20 MiB``)."""
    if not isinstance(storage, FileStorage) or not storage:
        raise InputError(Problem("no file was sent", field=field))
    filename = upload_name(storage)
    refusal = kind.refusal(filename)
    if refusal:
        raise InputError(Problem(refusal, field=field))
    limit = current_limits().max_upload_bytes
    content = storage.stream.read(limit + 1)
    if len(content) > limit:
        raise InputError(Problem(f"{filename}: {size_reason(limit)}", field=field))
    return UploadedFile(content, filename)


@dataclass(frozen=True)
class ImportOutcome(Generic[T]):
    """What became of a form's upload: the importer's ``result`` (what the page
    answers), or None when the file was refused, with the ``problems`` located in the
    file (for the page's table; the others are on the form's fields already)."""

    result: T | None
    problems: list[Problem] = field(default_factory=list)


def import_upload(
    form: FlaskForm,
    file: UploadField,
    importer: Callable[[UploadedFile], T],
    *,
    form_fields: Collection[str] = (),
) -> ImportOutcome[T]:
    """``importer``'s result on the upload of ``file`` (a field of the validated
    ``form``; the importer stores the file and returns what the page answers, never
    None), or, when the file or the import is refused (:class:`InputError`), every
    problem placed (:func:`show_problems`; ``form_fields``: the other fields of the
    form a problem may name). On refusal the view must answer with an error status
    (422), so that nothing the importer flushed is saved."""
    try:
        upload = read_upload(file.data, file.kind, field=file.short_name)
        return ImportOutcome(importer(upload))
    except InputError as exc:
        return ImportOutcome(None, show_problems(form, file, exc, form_fields))


def show_problems(
    form: FlaskForm, file: FileField, error: InputError, form_fields: Collection[str] = ()
) -> list[Problem]:
    """Put ``error``'s problems on ``form``: a problem naming one of ``form_fields``
    goes next to that field; one located in the file (row or column) is returned for
    the page's table, and the file field says how many there are; any other (the file
    as a whole, or a place inside a document: ``field 'tender.value': …``) goes next
    to the file field."""
    located: list[Problem] = []
    for problem in error.problems:
        named = (
            getattr(form, problem.field) if problem.field and problem.field in form_fields else None
        )
        if isinstance(named, Field):
            _add_error(named, problem.message)
        elif problem.row is not None or problem.column is not None:
            located.append(problem)
        elif problem.field in (None, file.short_name):
            _add_error(file, problem.message)
        else:
            _add_error(file, str(problem))
    if len(located) == 1:
        _add_error(file, "1 problem in the file, listed with its row and column.")
    elif located:
        _add_error(
            file, f"{len(located)} problems in the file, listed with their rows and columns."
        )
    return located


def _add_error(target: Field, message: str) -> None:
    target.errors = [*target.errors, message]


def upload_limit_message() -> str:
    """What a user is told when a request body is over ``MAX_CONTENT_LENGTH``."""
    limit = current_limits().max_upload_bytes
    return f"The file is larger than the upload limit of {format_bytes(limit)}; nothing was saved."
