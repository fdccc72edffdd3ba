"""Shared form plumbing: domain problems shown next to the fields they concern, and
money fields that read and show amounts the way people write them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import FieldList, FloatField, Form, FormField
from wtforms.form import BaseForm
from wtforms.validators import NumberRange

from decision_support.errors import InputError

# Estimate: no city budget, revenue or contract reaches ten trillion in any currency
# (the largest national budgets are a few trillion USD), so a larger number is a typo.
MAX_AMOUNT = 10_000_000_000_000


def amount_range(minimum: float | None = 0) -> NumberRange:
    """Bounds of a money amount: ``minimum`` (None: none) up to :data:`MAX_AMOUNT`."""
    return NumberRange(
        min=minimum,
        max=MAX_AMOUNT,
        message=f"must be between {minimum or 0:,.0f} and {MAX_AMOUNT:,.0f}"
        if minimum is not None
        else f"must be at most {MAX_AMOUNT:,.0f}",
    )


def plain_number(value: float) -> str:
    """450000000.0 → '450000000', 0.25 → '0.25': what a person would type (no exponent)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attach_problems(form: FlaskForm, error: InputError) -> None:
    """Put each problem of ``error`` on its form field (or on the form as a whole
    when no field of that name exists), so the page shows it where it belongs."""
    for problem in error.problems:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(problem.message)
        else:
            form.form_errors.append(str(problem))


@dataclass(frozen=True)
class FieldProblem:
    """One field error, for the summary at the top of a form."""

    field_id: str
    label: str
    message: str


def field_problems(form: BaseForm | Form) -> list[FieldProblem]:
    """Every field error of ``form``, nested rows (FieldList, FormField) included,
    in the order the fields appear, each with the id of the control it concerns."""
    problems: list[FieldProblem] = []
    for field in form:
        if isinstance(field, FieldList):
            # Problems of the list as a whole (attach_problems) sit among the entries' errors.
            problems += [
                FieldProblem(field.id, field.label.text, e)
                for e in field.errors
                if isinstance(e, str)
            ]
            for index, entry in enumerate(field.entries, start=1):
                if isinstance(entry, FormField):
                    for inner in field_problems(entry.form):
                        label = f"{field.label.text}, row {index}: {inner.label}"
                        problems.append(FieldProblem(inner.field_id, label, inner.message))
                else:
                    problems += [
                        FieldProblem(entry.id, f"{field.label.text} {index}", str(e))
                        for e in entry.errors
                    ]
        elif isinstance(field, FormField):
            problems += field_problems(field.form)
        elif isinstance(field.errors, list | tuple):
            problems += [FieldProblem(field.id, field.label.text, str(e)) for e in field.errors]
    return problems


class NumberField(FloatField):
    """A decimal number. What was typed is kept when it is not a number (the field
    shows it, marked, with "… is not a number"), and 0 is a number like any other:
    use ``InputRequired``, never ``DataRequired`` (which rejects 0 and drops the error)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            return
        text = str(valuelist[0]).strip()
        self.data = None
        try:
            number = float(text)
        except ValueError as exc:
            raise ValueError(f"“{text}” is not a number") from exc
        if not math.isfinite(number):
            raise ValueError(f"“{text}” is not a finite number")
        self.data = number


class AmountField(NumberField):
    """A money amount: shown without a trailing '.0' or an exponent, bounded above; text
    that is not a number is kept and marked, as in :class:`NumberField`."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        validators = list(validators or [])
        if not any(isinstance(v, NumberRange) for v in validators):
            validators.append(amount_range(None))
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return plain_number(float(self.data))
