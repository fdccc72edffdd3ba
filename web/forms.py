"""Shared form plumbing: domain problems shown next to the fields they concern, and
money fields that read and show amounts the way people write them."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import FloatField
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


class AmountField(FloatField):
    """A money amount: shown without a trailing '.0' or an exponent, bounded above."""

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
