"""Forms of the KPI pages: value import, one value, city targets."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.values import QUALITY_FLAGS
from web.uploads import SPREADSHEET, UploadField


def kpi_choices() -> list[SelectChoice]:
    return [SelectChoice(k.code_compact, f"{k.code} · {k.name}") for k in load_catalogue()]


class ValuesImportForm(FlaskForm):
    file = UploadField("Values file (CSV or XLSX)", SPREADSHEET)
    default_year = IntegerField(
        "Year for rows without one",
        validators=[Optional(), NumberRange(min=1900, max=2100)],
    )
    submit = SubmitField("Import values")


class ConfirmImportForm(FlaskForm):
    """Replace stored values with a previewed upload (or drop it)."""

    token = HiddenField(validators=[DataRequired(), Length(max=100)])
    submit = SubmitField("Replace the stored values")
    cancel = SubmitField("Cancel")


class KpiValueForm(FlaskForm):
    code = SelectField("KPI", choices=kpi_choices)
    data_point = StringField("Data point", validators=[Optional(), Length(max=60)])
    year = IntegerField("Year", validators=[InputRequired(), NumberRange(min=1900, max=2100)])
    value = StringField("Value (NR = not reported)", validators=[DataRequired(), Length(max=40)])
    unit = StringField("Unit", validators=[Optional(), Length(max=120)])
    quality = SelectField(
        "Data quality",
        choices=[SelectChoice("", "(not given)")] + [SelectChoice(q, q) for q in QUALITY_FLAGS],
        default="",
    )
    verified = SelectField(
        "Verified",
        choices=[
            SelectChoice("", "(not given)"),
            SelectChoice("yes", "yes"),
            SelectChoice("no", "no"),
        ],
        default="",
    )
    source = StringField("Source", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Save value")


class TargetForm(FlaskForm):
    code = SelectField("KPI", choices=kpi_choices)
    data_point = StringField("Data point (empty: the whole KPI)", validators=[Optional()])
    target = StringField(
        "Target (yes for yes/no KPIs)", validators=[DataRequired(), Length(max=40)]
    )
    target_year = IntegerField(
        "Target year", validators=[Optional(), NumberRange(min=1900, max=2100)]
    )
    direction = SelectField(
        "Direction",
        choices=[
            SelectChoice("", "as in the catalogue"),
            SelectChoice("higher_is_better", "higher is better"),
            SelectChoice("lower_is_better", "lower is better"),
        ],
        default="",
    )
    source = StringField("Source", validators=[Optional(), Length(max=500)])
    note = StringField("Note", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Save target")


class TargetsImportForm(FlaskForm):
    file = UploadField("Targets file (CSV or XLSX)", SPREADSHEET)
    submit = SubmitField("Import targets")
