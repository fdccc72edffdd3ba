"""Forms of the scenario pages (validation of content happens in the services)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from web.uploads import DOCUMENT, UploadField


class ImportForm(FlaskForm):
    file = UploadField("Scenario or what-if file (YAML or JSON)", DOCUMENT)
    name = StringField("Name (optional: else the file's name)", validators=[Length(max=200)])
    submit = SubmitField("Import")


class CityDataForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    start_year = IntegerField(
        "First year", default=2027, validators=[InputRequired(), NumberRange(2000, 2100)]
    )
    horizon_years = IntegerField(
        "Years", default=5, validators=[InputRequired(), NumberRange(1, 30)]
    )
    submit = SubmitField("Save the city's current data as a scenario")


class WhatIfForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    base = SelectField("Base scenario", choices=[])
    library = SelectField("Start from a standard what-if", choices=[])
    overrides = TextAreaField(
        "Overrides (YAML; added to the standard what-if's)", render_kw={"rows": 6}
    )
    description = StringField("Description", validators=[Length(max=2000)])
    submit = SubmitField("Create what-if")


class EditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", render_kw={"rows": 2})
    definition = TextAreaField("Definition (YAML)", render_kw={"rows": 24})
    note = StringField("What did you change and why?", validators=[Length(max=2000)])
    submit = SubmitField("Save new version")


class CloneForm(FlaskForm):
    name = StringField("Name of the copy", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Clone")


class RunForm(FlaskForm):
    scenario_ids = SelectMultipleField(
        "Scenarios to run (the first full scenario ticked is the reference; what-ifs follow)",
        choices=[],
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    time_limit = IntegerField(
        "Time limit of each scenario's run (s)",
        default=None,
        validators=[Optional(), NumberRange(1, 3600)],
    )
    submit = SubmitField("Run in the background")


class FrontierForm(FlaskForm):
    scenario_id = SelectField("Scenario", choices=[], coerce=int)
    axis = SelectField("Axis", choices=[])
    low = DecimalField("From", default=0.5, validators=[InputRequired(), NumberRange(min=0)])
    high = DecimalField("To", default=1.5, validators=[InputRequired(), NumberRange(min=0)])
    steps = IntegerField("Points", default=11, validators=[InputRequired(), NumberRange(2, 50)])
    submit = SubmitField("Draw the frontier")


class RobustnessForm(FlaskForm):
    scenario_id = SelectField("Scenario", choices=[], coerce=int)
    # The default is set per machine (see web.scenarios.views._forms): as many samples
    # as fit the time budget.
    samples = IntegerField("Samples", validators=[InputRequired(), NumberRange(1, 2000)])
    seed = IntegerField("Seed", default=0, validators=[InputRequired(), NumberRange(min=0)])
    default_risk = SelectField("Cost risk of projects with no recorded risk level", choices=[])
    submit = SubmitField("Test robustness")


class SensitivityForm(FlaskForm):
    scenario_id = SelectField("Scenario", choices=[], coerce=int)
    include_kpis = BooleanField("Also halve and double each KPI weight (slower)")
    submit = SubmitField("Test sensitivity")


class CancelForm(FlaskForm):
    submit = SubmitField("Cancel")


class RetryForm(FlaskForm):
    submit = SubmitField("Retry")
