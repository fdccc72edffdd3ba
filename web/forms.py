"""Shared form plumbing: domain problems shown next to the fields they concern."""

from __future__ import annotations

from flask_wtf import FlaskForm

from decision_support.errors import InputError


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
