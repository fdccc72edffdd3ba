"""Forms of the project pages: instantiate a template, create/edit a candidate (with a
growable table of KPI impacts), upload a workbook, city size parameters."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from decision_support.errors import InputError, Problem
from decision_support.kpis.catalogue import load_catalogue
from decision_support.projects.model import (
    CONFIDENCE_LEVELS,
    COST_LEVELS,
    FINANCING_TAGS,
    LEVELS,
    PROCUREMENT_CATEGORIES,
    CandidateImpact,
    CandidateProject,
    ProjectProcurement,
    Risk,
)
from web.forms import MAX_AMOUNT, AmountField, NumberField, amount_range
from web.uploads import WORKBOOK, UploadField


def _choices(values: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(v, v) for v in values]


def kpi_choices() -> list[SelectChoice]:
    """Every catalogue KPI as a select choice (blank first, for unused rows)."""
    return [SelectChoice("", "— choose a KPI —")] + [
        SelectChoice(k.code, f"{k.code} {k.name} ({k.unit})") for k in load_catalogue()
    ]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class InstantiateForm(FlaskForm):
    project_id = StringField(
        "Project id (defaults to the template id)", validators=[Optional(), Length(max=40)]
    )
    size = FloatField("Size", validators=[Optional(), NumberRange(min=0)])
    cost_level = SelectField("Cost estimate", choices=_choices(COST_LEVELS), default="typical")
    earliest_start = IntegerField(
        "Earliest start (years from the plan start)", validators=[Optional(), NumberRange(min=0)]
    )
    latest_start = IntegerField(
        "Latest start (years from the plan start)", validators=[Optional(), NumberRange(min=0)]
    )
    submit = SubmitField("Add to the city's candidates")


class ImpactRowForm(Form):
    """One row of the KPI-impacts table (a row without KPI is ignored)."""

    kpi = SelectField("KPI", choices=[], validate_choice=False)
    data_point = StringField("Data point", validators=[Optional(), Length(max=60)])
    change = NumberField("Change (KPI unit)", validators=[Optional()])
    confidence = SelectField("Confidence", choices=_choices(CONFIDENCE_LEVELS), default="medium")
    source = StringField("Source", validators=[Optional(), Length(max=2000)])
    note = StringField("Note", validators=[Optional(), Length(max=500)])


class ProjectForm(FlaskForm):
    id = StringField("Id", validators=[DataRequired(), Length(max=40)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    low_cost = BooleanField("Low-cost option")
    capex_by_year = StringField(
        "Capex per year (amounts separated by ';', first year first)",
        validators=[DataRequired()],
    )
    opex_per_year = AmountField("Opex per year", validators=[Optional()], default=0.0)
    savings_per_year = AmountField("Savings per year", validators=[Optional()], default=0.0)
    duration_years = NumberField("Duration (years)", validators=[InputRequired()])
    lifetime_years = NumberField("Lifetime (years)", validators=[InputRequired()])
    earliest_start = IntegerField("Earliest start (years from plan start)", validators=[Optional()])
    latest_start = IntegerField("Latest start (years from plan start)", validators=[Optional()])
    procurement_category = SelectField("Procurement", choices=_choices(PROCUREMENT_CATEGORIES))
    cpv = StringField("CPV code", validators=[Optional(), Length(max=12)])
    contract = StringField("Contract structure", validators=[Optional(), Length(max=500)])
    estimated_value = AmountField(
        "Estimated contract value (blank: total capex)", validators=[Optional(), amount_range()]
    )
    cost_overrun_risk = SelectField("Cost-overrun risk", choices=_choices(LEVELS), default="medium")
    delivery_risk = SelectField("Delivery risk", choices=_choices(LEVELS), default="medium")
    tags = MultiCheckboxField("Financing tags", choices=_choices(FINANCING_TAGS))
    # one searchable list box each (web/static/js/multi-select.js), not a checkbox per project
    requires = SelectMultipleField(
        "Requires (projects that must be in the plan too)",
        choices=[],
        validate_choice=False,
        render_kw={"class": "searchable", "size": 6},
    )
    excludes = SelectMultipleField(
        "Excludes (projects that cannot be in the same plan)",
        choices=[],
        validate_choice=False,
        render_kw={"class": "searchable", "size": 6},
    )
    sources = TextAreaField("Sources (one per line)", validators=[Optional()])
    impacts = FieldList(FormField(ImpactRowForm), min_entries=1)
    add_impact = SubmitField("Add a KPI row")
    submit = SubmitField("Save project")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.impacts_errors: list[str] = []  # problems of the impacts table as a whole

    def prepare(self, other_projects: list[tuple[str, str]]) -> None:
        """Fill the dynamic choices (KPIs, the city's other projects as (id, name))."""
        choices = kpi_choices()
        for entry in self.impacts.entries:
            entry.form.kpi.choices = choices
        projects = [SelectChoice(pid, f"{name} ({pid})") for pid, name in other_projects]
        self.requires.choices = list(projects)
        self.excludes.choices = list(projects)

    def fill(self, project: CandidateProject) -> None:
        """Show an existing project (GET of the edit page)."""
        self.id.data = project.id
        self.name.data = project.name
        self.description.data = project.description
        self.low_cost.data = project.low_cost
        self.capex_by_year.data = "; ".join(f"{v:.2f}" for v in project.capex_by_year)
        self.opex_per_year.data = project.opex_per_year
        self.savings_per_year.data = project.savings_per_year
        self.duration_years.data = project.duration_years
        self.lifetime_years.data = project.lifetime_years
        self.earliest_start.data = project.earliest_start
        self.latest_start.data = project.latest_start
        self.procurement_category.data = project.procurement.category
        self.cpv.data = project.procurement.cpv
        self.contract.data = project.procurement.contract
        self.estimated_value.data = project.procurement.estimated_value
        self.cost_overrun_risk.data = project.risk.cost_overrun
        self.delivery_risk.data = project.risk.delivery
        self.tags.data = list(project.tags)
        self.requires.data = list(project.requires)
        self.excludes.data = list(project.excludes)
        self.sources.data = "\n".join(project.sources)
        while len(self.impacts.entries):
            self.impacts.pop_entry()
        for impact in project.impacts:
            self.impacts.append_entry(
                {
                    "kpi": impact.kpi,
                    "data_point": impact.data_point or "",
                    "change": impact.change,
                    "confidence": impact.confidence,
                    "source": impact.source,
                    "note": impact.note,
                }
            )
        if not self.impacts.entries:
            self.impacts.append_entry()

    def used_rows(self) -> list[int]:
        """Indices of the impact rows that name a KPI."""
        return [n for n, entry in enumerate(self.impacts.entries) if entry.form.kpi.data]

    def to_project(self, base: CandidateProject | None, currency: str) -> CandidateProject:
        """The candidate described by the form (``base`` keeps what the form does not show:
        template, intervention, notes, sizes, cost level)."""
        problems: list[Problem] = []
        capex: tuple[float, ...] = ()
        try:
            capex = tuple(
                float(part) for part in (self.capex_by_year.data or "").split(";") if part.strip()
            )
        except ValueError:
            problems.append(
                Problem("amounts separated by ';', e.g. 100000; 50000", field="capex_by_year")
            )
        if any(not 0 <= amount <= MAX_AMOUNT for amount in capex):
            problems.append(
                Problem(f"each amount must be between 0 and {MAX_AMOUNT:,}", field="capex_by_year")
            )
        if problems:
            raise InputError(problems)
        impacts = tuple(
            CandidateImpact(
                kpi=entry.form.kpi.data or "",
                change=entry.form.change.data
                if entry.form.change.data is not None
                else float("nan"),
                confidence=entry.form.confidence.data or "",
                source=(entry.form.source.data or "").strip(),
                data_point=(entry.form.data_point.data or "").strip() or None,
                note=(entry.form.note.data or "").strip(),
            )
            for n, entry in enumerate(self.impacts.entries)
            if n in self.used_rows()
        )
        estimated = self.estimated_value.data
        return CandidateProject(
            id=(self.id.data or "").strip(),
            name=(self.name.data or "").strip(),
            capex_by_year=capex,
            opex_per_year=self.opex_per_year.data or 0.0,
            savings_per_year=self.savings_per_year.data or 0.0,
            duration_years=self.duration_years.data or 0.0,
            lifetime_years=self.lifetime_years.data or 0.0,
            impacts=impacts,
            procurement=ProjectProcurement(
                category=self.procurement_category.data or "",
                cpv=(self.cpv.data or "").strip(),
                contract=(self.contract.data or "").strip(),
                estimated_value=sum(capex) if estimated is None else estimated,
            ),
            risk=Risk(self.cost_overrun_risk.data or "", self.delivery_risk.data or ""),
            currency=currency,
            template_id=base.template_id if base else None,
            intervention=base.intervention if base else None,
            description=(self.description.data or "").strip(),
            low_cost=bool(self.low_cost.data),
            tags=tuple(self.tags.data or ()),
            requires=tuple(self.requires.data or ()),
            excludes=tuple(self.excludes.data or ()),
            sources=tuple(
                line.strip() for line in (self.sources.data or "").splitlines() if line.strip()
            ),
            notes=base.notes if base else (),
            sizes=dict(base.sizes) if base else {},
            cost_level=base.cost_level if base else "typical",
            earliest_start=self.earliest_start.data or 0,
            latest_start=self.latest_start.data,
        )


class UploadForm(FlaskForm):
    file = UploadField("Candidate workbook (.xlsx)", WORKBOOK)
    replace_all = BooleanField("Delete candidates that are not in the file")
    submit = SubmitField("Upload")


class DeleteForm(FlaskForm):
    submit = SubmitField("Delete project")


def sizes_form_class(names: list[str]) -> type[FlaskForm]:
    """A form with one optional number per city size parameter."""
    fields: dict[str, Any] = {
        name: FloatField(name, validators=[Optional(), NumberRange(min=0)]) for name in names
    }
    fields["submit"] = SubmitField("Save sizes")
    return type("CitySizesForm", (FlaskForm,), fields)
