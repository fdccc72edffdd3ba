"""Forms for mechanisms, the fiscal profile and the funding-mix calculator.

Only presence and type are checked here; ranges and cross-field rules come from the
pure core (the same checks a YAML file or a spreadsheet gets) and are attached to
the fields they concern.
"""

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
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from decision_support.finance.fiscal import debt_rule_presets
from decision_support.finance.mechanisms import FINANCING_TAGS, Mechanism
from web.forms import AmountField, amount_range
from web.uploads import WORKBOOK, UploadField

RISKS = ("construction", "availability", "performance", "demand", "obsolescence")
AMORTISATION = ("annuity", "linear", "bullet", "none")


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (one per choice)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(values: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(v, v) for v in values]


class MechanismForm(FlaskForm):
    """A city's terms for one mechanism; blank optional limits mean "no limit"."""

    enabled = BooleanField("Enabled for this city")
    interest_rate = FloatField("Interest rate / cost of capital (decimal)", [InputRequired()])
    issuance_cost = FloatField("Issuance / arrangement cost (share of amount)", [InputRequired()])
    tenor_years = IntegerField("Tenor (years, grace included)", [InputRequired()])
    grace_years = IntegerField("Grace period (years)", [InputRequired()])
    amortisation = SelectField("Amortisation", choices=_choices(AMORTISATION))
    min_deal = AmountField("Minimum deal size", [InputRequired()])
    max_deal = AmountField("Maximum deal size (blank: none)", [Optional()])
    max_share = FloatField("Maximum share of a project's cost (0-1)", [InputRequired()])
    cofinancing_share = FloatField(
        "Co-financing required from own/borrowed money (0-1)", [InputRequired()]
    )
    eligible_tags = MultiCheckboxField(
        "Eligible project tags (none ticked: any)", choices=_choices(FINANCING_TAGS)
    )
    counts_as_city_debt = BooleanField("Counts as city debt")
    lead_time_months = IntegerField("Lead time (months)", [InputRequired()])
    capacity_total = AmountField("Capacity in total (blank: unlimited)", [Optional()])
    capacity_per_year = AmountField("Capacity per year (blank: unlimited)", [Optional()])
    award_probability = FloatField("Probability of award (0-1)", [InputRequired()])
    reimbursement_lag_years = IntegerField("Reimbursement lag (years)", [InputRequired()])
    min_dscr = FloatField("Minimum debt-service coverage (blank: none)", [Optional()])
    risk_transferred = MultiCheckboxField("Risks transferred", choices=_choices(RISKS))
    note = StringField("Note (where the city's figures come from)", [Length(max=500)])
    submit = SubmitField("Save terms")

    def load(self, mechanism: Mechanism) -> None:
        """Fill the form with a mechanism's effective terms (for a GET)."""
        for name, value in mechanism.figures().items():
            getattr(self, name).data = value
        self.enabled.data = mechanism.enabled

    def figures(self) -> dict[str, Any]:
        """The submitted figures, in the catalogue's types."""
        return {
            name: getattr(self, name).data
            for name in Mechanism.__dataclass_fields__
            if name in self._fields and name not in ("enabled",)
        }


class ImportForm(FlaskForm):
    file = UploadField("Mechanism settings workbook (.xlsx)", WORKBOOK)
    submit = SubmitField("Import")


class FiscalYearForm(Form):
    """One row of the fiscal-profile table; rows without a year, or with nothing but a
    year (the blank rows the page offers for new years), are ignored."""

    year = IntegerField("Year", [Optional(), NumberRange(min=1900, max=2200)])
    revenue = AmountField("Revenue", [Optional(), amount_range()])
    capital_budget = AmountField("Capital budget", [Optional(), amount_range()])
    existing_debt_service = AmountField("Existing debt service", [Optional(), amount_range()])
    existing_debt_outstanding = AmountField(
        "Debt outstanding (year end)", [Optional(), amount_range()]
    )
    existing_interest = AmountField("of which interest", [Optional(), amount_range()])
    assessed_value = AmountField("Assessed value", [Optional(), amount_range()])
    operating_savings = AmountField("Operating savings", [Optional(), amount_range()])

    def is_blank(self) -> bool:
        """True when nothing but (at most) the year was typed into the row."""
        return all(
            not "".join(str(v) for v in (field.raw_data or [])).strip()
            for name, field in self._fields.items()
            if name != "year"
        )

    def validate(self, extra_validators: Any = None) -> bool:
        # Optional() stops the chain on blank input, so check "required with year" here too.
        ok = super().validate(extra_validators)
        if self.year.data is None or self.is_blank():
            return ok
        for name in (
            "revenue",
            "capital_budget",
            "existing_debt_service",
            "existing_debt_outstanding",
        ):
            field = getattr(self, name)
            if field.data is None and not field.errors:
                field.errors = [*field.errors, "required for every year entered"]
                ok = False
        return ok


def preset_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Custom (enter below)")] + [
        SelectChoice(key, rules.name) for key, rules in debt_rule_presets().items()
    ]


class FiscalProfileForm(FlaskForm):
    discount_rate = FloatField("Discount rate (decimal)", [InputRequired()])
    preset = SelectField("Debt-rule preset", choices=preset_choices)
    max_debt_service_ratio = FloatField(
        "Maximum debt service / revenue (blank: no limit)", [Optional()]
    )
    max_debt_stock_ratio = FloatField("Maximum debt stock ratio (blank: no limit)", [Optional()])
    stock_base = SelectField(
        "Debt stock measured against",
        choices=[
            SelectChoice("revenue", "revenue"),
            SelectChoice("assessed_value", "assessed value"),
        ],
    )
    max_interest_to_operating_savings = FloatField(
        "Maximum interest / operating savings (blank: no limit)", [Optional()]
    )
    count_leases_and_ppp = BooleanField(
        "Leases, PPP and performance-contract payments count as debt service"
    )
    years = FieldList(FormField(FiscalYearForm), min_entries=1)
    apply_preset = SubmitField("Fill in the preset's rules")
    submit = SubmitField("Save fiscal profile")


class CapexRowForm(Form):
    year = IntegerField("Year", [Optional(), NumberRange(min=1900, max=2200)])
    amount = AmountField("Capex", [Optional(), amount_range()])


class FundingMixBaseForm(FlaskForm):
    name = StringField("Project", [DataRequired(), Length(max=200)])
    capex = FieldList(FormField(CapexRowForm), min_entries=5)
    opex_per_year = AmountField("Opex per year", [Optional(), amount_range()], default=0.0)
    savings_per_year = AmountField("Savings per year", [Optional(), amount_range()], default=0.0)
    revenue_per_year = FloatField("Revenue per year", [Optional(), NumberRange(min=0)], default=0.0)
    lifetime_years = IntegerField(
        "Lifetime (years)", [InputRequired(), NumberRange(min=1, max=100)], default=15
    )
    tags = MultiCheckboxField("Financing tags", choices=_choices(FINANCING_TAGS))
    submit = SubmitField("Calculate")

    def amount_fields(self) -> list[tuple[str, Any]]:
        """(mechanism id, field) for every mechanism amount field."""
        return [
            (name.removeprefix("amount_"), f)
            for name, f in self._fields.items()
            if name.startswith("amount_")
        ]


def funding_mix_form_class(mechanisms: list[Mechanism]) -> type[FundingMixBaseForm]:
    """A calculator form with one amount field per enabled mechanism."""
    fields = {
        f"amount_{m.id}": FloatField(m.name, [Optional(), NumberRange(min=0)]) for m in mechanisms
    }
    return type("FundingMixForm", (FundingMixBaseForm,), fields)
