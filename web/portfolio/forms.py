"""Run settings and force in/out forms of the portfolio pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import NumberRange, Optional

from web.forms import amount_range

MODES = [
    SelectChoice("", "As in the scenario"),
    SelectChoice("gap_closure", "Close KPI gaps (weighted)"),
    SelectChoice("u4ssc_points", "Maximise projected U4SSC points"),
    SelectChoice("value", "Explicit project values only"),
]


def _ids(text: str | None) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip())
    )


class RunForm(FlaskForm):
    """Settings of one optimisation run."""

    source = SelectField("Data", choices=[], default="city")
    mode = SelectField("Objective", choices=MODES, default="")
    time_limit = FloatField(
        "Time limit of the whole run (seconds)",
        default=None,  # the server's SOLVER_TIME_LIMIT (filled in by the view)
        validators=[Optional(), NumberRange(min=1, max=3600)],
    )
    gap = FloatField("Relative MIP gap", default=0.0001, validators=[NumberRange(min=0, max=0.2)])
    explain = BooleanField("Explain (extra re-solves)", default=True)
    force_in = StringField("Force in (project ids, comma-separated)")
    force_out = StringField("Force out (project ids, comma-separated)")
    start_year = IntegerField("First year", default=2027, validators=[NumberRange(1990, 2100)])
    horizon_years = IntegerField("Years", default=5, validators=[NumberRange(1, 30)])
    budget_per_year = DecimalField(
        "Own budget per year", validators=[Optional(), amount_range()], places=0
    )
    carry_over = BooleanField("Unspent budget carries over", default=True)
    revenue_per_year = DecimalField(
        "Revenue per year", validators=[Optional(), amount_range()], places=0
    )
    existing_debt_service_per_year = DecimalField(
        "Existing debt service per year", validators=[Optional(), amount_range()], places=0
    )
    max_debt_service_ratio = FloatField(
        "Debt-service ratio limit", validators=[Optional(), NumberRange(min=0, max=1)]
    )
    # left blank, budget and debt figures come from the city's fiscal profile
    submit = SubmitField("Run optimiser")

    @property
    def forced_in(self) -> tuple[str, ...]:
        return _ids(self.force_in.data)

    @property
    def forced_out(self) -> tuple[str, ...]:
        return _ids(self.force_out.data)


class ForceForm(FlaskForm):
    """Re-run a stored run with projects forced in or out."""

    force_in = StringField("Force in")
    force_out = StringField("Force out")
    submit = SubmitField("Re-run")

    @property
    def forced_in(self) -> tuple[str, ...]:
        return _ids(self.force_in.data)

    @property
    def forced_out(self) -> tuple[str, ...]:
        return _ids(self.force_out.data)


class RetryForm(FlaskForm):
    """Queue a run that ended in an error again."""

    submit = SubmitField("Retry")
