"""Errors of the procurement rules package."""

from __future__ import annotations

from decision_support.errors import InputError, Problem


class RulePackError(InputError):
    """A rule pack (or criteria pack) file is missing, malformed or inconsistent.

    Each problem's ``field`` is the path inside the YAML document
    (``procedures[2].steps[0].min_days``); ``source`` is the file.
    """

    def __init__(self, source: str, problems: list[Problem] | Problem | str) -> None:
        self.source = source
        super().__init__(problems)

    def summary(self) -> str:
        """One line: file, YAML path and message of the first problem."""
        return f"{self.source}: {super().summary()}"


class UnknownPackError(RulePackError):
    """No rule pack with that id, jurisdiction or path."""


class PlannedContractError(InputError):
    """A planned contract's fields are missing or inconsistent."""


class TenderInputError(InputError):
    """A tender description or OCDS file could not be read."""
