"""Domain errors: raised by ``check_*`` functions and readers, turned into form
errors, HTTP 4xx JSON or CLI exit code 2 by the outer layers."""

from __future__ import annotations

from dataclasses import dataclass


class DecisionSupportError(Exception):
    """Base class of every error a user can cause (bad file, bad option, bad value)."""


@dataclass(frozen=True)
class Problem:
    """One located problem in user input.

    ``row`` and ``column`` are 1-based and refer to what a user sees in a
    spreadsheet (row 1 is the header row); ``field`` names a form or scenario field.
    """

    message: str
    row: int | None = None
    column: int | str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "row": self.row,
            "column": self.column,
            "field": self.field,
        }


def one_line(text: str) -> str:
    """``text`` without surrounding whitespace, inner line breaks written as ``\\n``."""
    return text.strip().replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


class InputError(DecisionSupportError):
    """User input was rejected; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        """One line: the first problem, plus how many more there are (line breaks
        quoted from a user's file are shown as ``\\n``, so the line stays one)."""
        first = one_line(str(self.problems[0]))
        more = len(self.problems) - 1
        return f"{first} (and {more} more problem{'s' if more > 1 else ''})" if more else first


class UnknownKPIError(InputError):
    """A KPI code that is not in the U4SSC catalogue."""
