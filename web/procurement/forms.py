"""Forms of the procurement pages: assessment, planned contract, tender check, upload."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from rules.criteria_pack import load_criteria_pack
from web.forms import amount_range
from web.uploads import DOCUMENT, UploadField

CATEGORIES = [
    SelectChoice("services", "Services"),
    SelectChoice("supplies", "Supplies (goods)"),
    SelectChoice("works", "Works"),
    SelectChoice("social-services", "Social and other specific services"),
]
AUTHORITIES = [
    SelectChoice("sub-central", "Sub-central (city, region)"),
    SelectChoice("central", "Central government"),
    SelectChoice("utility", "Utility (water, energy, transport)"),
]
CONTRACT_KINDS = [
    SelectChoice("contract", "Public contract"),
    SelectChoice("concession", "Concession"),
    SelectChoice("call-off", "Framework call-off"),
]
TRI_STATE = [
    SelectChoice("", "Not stated"),
    SelectChoice("yes", "Yes"),
    SelectChoice("no", "No"),
]
CPV_PATTERN = r"^\d{8}(-\d)?$"
LOTS_PATTERN = r"^\s*(\d+(\.\d+)?\s*(,\s*\d+(\.\d+)?\s*)*)?$"

# Facts that decide whether conditional criteria apply, with the question to ask.
FEATURES: dict[str, str] = {
    "personal_data": "Personal data is processed",
    "public_space_monitoring": "Large-scale monitoring of public spaces (CCTV, counting, ANPR)",
    "transfers_outside_eea": "Personal data may leave the EEA",
    "used_by_people": "ICT used by people (public or staff)",
    "citizen_facing": "Citizen-facing service",
    "website_or_app": "Delivers a website or mobile app",
    "eaa_product": "European Accessibility Act product or service (kiosks, ticketing)",
    "ai_system": "Includes an AI system",
    "ai_high_risk": "High-risk AI system (AI Act Annex III)",
    "cloud_service": "Cloud or other data-processing service",
    "data_centre": "Data-centre or server-room purchase",
    "servers_storage": "Servers or storage products",
    "end_user_devices": "Computers, monitors, tablets or phones",
    "iot_devices": "Radio / IoT devices",
    "connected_products": "Connected products (Data Act)",
    "context_data": "Real-time context data (sensors, platforms)",
    "marketplace": "Data or service marketplace",
    "geospatial_data": "INSPIRE-theme geospatial data",
    "high_value_datasets": "High-value datasets (Open Data Directive)",
    "cross_border_service": "Trans-European digital public service",
    "bespoke_software": "Software developed for the city",
    "mandates_oss_component": "Names a specific open-source product",
    "data_localisation": "Requires hosting in a given country",
    "nis2_entity": "Buyer is a NIS2 essential or important entity",
    "us_federal_funds": "US federal grant funds",
    "video_surveillance": "Telecom or video-surveillance equipment",
    "innovative_solution": "Solution not yet on the market",
    "negotiation_needed": "Negotiation or adaptation needed",
    "rd_services": "R&D services or pre-commercial procurement",
}


def clause_labels() -> dict[str, str]:
    """Evidence keys of the shipped criteria pack (``clause`` checks) with their titles."""
    labels: dict[str, str] = {}
    for criterion in load_criteria_pack().criteria:
        if criterion.check_type in ("clause", "text_or_clause") and criterion.check_key:
            labels.setdefault(criterion.check_key, f"{criterion.title} ({criterion.id})")
    labels.setdefault("life_cycle_cost", "Life-cycle costing used in the award")
    labels.setdefault("phased_delivery", "Phased delivery with break clauses")
    labels.setdefault("pre_commercial_procurement", "Pre-commercial procurement")
    return labels


class AssessmentForm(FlaskForm):
    """Planned contract → procedure and timeline (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    value = DecimalField(
        "Estimated value, net of VAT",
        places=2,
        validators=[InputRequired(), amount_range()],
    )
    category = SelectField("Category", choices=CATEGORIES)
    authority = SelectField("Contracting authority", choices=AUTHORITIES)
    date = DateField("Planned notice date", validators=[Optional()])
    options = DecimalField("Options", places=2, validators=[Optional(), amount_range()])
    renewals = DecimalField("Renewals", places=2, validators=[Optional(), amount_range()])
    lots = StringField(
        "Lot values (comma-separated)",
        validators=[Optional(), Regexp(LOTS_PATTERN, message="Numbers separated by commas")],
    )
    cpv = StringField(
        "Main CPV code",
        validators=[Optional(), Regexp(CPV_PATTERN, message="8 digits, e.g. 72000000-5")],
    )
    framework_years = DecimalField(
        "Framework agreement term (years)", validators=[Optional(), NumberRange(min=0.1)]
    )
    electronic = BooleanField("Tenders submitted electronically", default=True)
    pin = BooleanField("Prior information notice published (35 days to 12 months before)")
    urgent = BooleanField("Duly substantiated urgency")
    documents_later = BooleanField(
        "Procurement documents not all available electronically from the notice"
    )
    innovation = BooleanField("Needs a solution not yet on the market")
    negotiation = BooleanField("Needs negotiation or adaptation of available solutions")
    concession = BooleanField(
        "Concession (paid by the right to exploit, e.g. a user-pays PPP): use the concession rules"
    )
    call_off = BooleanField("Call-off under an existing framework agreement")
    pack = SelectField("Rule pack", choices=[], validate_choice=False)
    procedure = SelectField(
        "Procedure (default: the recommended one)", choices=[], validate_choice=False
    )
    submit = SubmitField("Assess")


def optional_int(value: Any) -> int | None:
    """Coerce a select value to an int, '' to None."""
    return int(value) if value not in (None, "", "None") else None


class PlannedContractForm(FlaskForm):
    """A planned contract of the city."""

    project_id = SelectField("Project", choices=[], coerce=optional_int, validate_choice=False)
    code = StringField("Code", validators=[DataRequired(), Length(max=40)])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    category = SelectField("Category", choices=CATEGORIES)
    authority = SelectField("Contracting authority", choices=AUTHORITIES)
    contract_kind = SelectField(
        "Kind of contract (a concession, paid by the right to exploit as in a user-pays PPP, "
        "follows the concession rules; a call-off under an existing framework agreement has "
        "its own standstill exemption)",
        choices=CONTRACT_KINDS,
        default="contract",
    )
    estimated_value = DecimalField(
        "Estimated value, net of VAT", places=2, validators=[Optional(), amount_range()]
    )
    options_value = DecimalField("Options", places=2, validators=[Optional(), amount_range()])
    renewals_value = DecimalField("Renewals", places=2, validators=[Optional(), amount_range()])
    lots = StringField(
        "Lot values (comma-separated; they replace the estimated value)",
        validators=[Optional(), Regexp(LOTS_PATTERN, message="Numbers separated by commas")],
    )
    cpv = StringField(
        "Main CPV code",
        validators=[Optional(), Regexp(CPV_PATTERN, message="8 digits, e.g. 72000000-5")],
    )
    notice_date = DateField("Planned notice date", validators=[Optional()])
    framework_years = DecimalField(
        "Framework agreement term (years)", validators=[Optional(), NumberRange(min=0.1)]
    )
    electronic = BooleanField("Tenders submitted electronically", default=True)
    pin = BooleanField("Prior information notice")
    urgent = BooleanField("Urgency")
    needs_innovation = BooleanField("Needs a solution not yet on the market")
    needs_negotiation = BooleanField("Needs negotiation")
    direct_award_ground = StringField(
        "Ground for an award without competition (if any)", validators=[Length(max=500)]
    )
    procedure = SelectField("Procedure", choices=[], validate_choice=False)
    submit = SubmitField("Save planned contract")


class DeleteForm(FlaskForm):
    """A CSRF-protected button."""

    submit = SubmitField("Delete")


class TenderUploadForm(FlaskForm):
    """A tender description (YAML/JSON) or OCDS file, plus optional specification text."""

    file = UploadField(
        "Tender file (OCDS release, record or package, or a tender description)", DOCUMENT
    )
    authority = SelectField("Authority type if the file does not say", choices=AUTHORITIES)
    # blank (the default when a client leaves it out): the city's own pack
    pack = SelectField(
        "Rule pack (jurisdiction and thresholds)", choices=[], default="", validate_choice=False
    )
    specification_text = TextAreaField("Specification text (scanned for brand names)")
    submit = SubmitField("Check the file")


class _TenderFormBase(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    category = SelectField("Category", choices=CATEGORIES)
    authority = SelectField("Contracting authority", choices=AUTHORITIES)
    value = DecimalField(
        "Estimated value, net of VAT", places=2, validators=[Optional(), NumberRange(min=0)]
    )
    procedure = SelectField("Procedure", choices=[], validate_choice=False)
    notice_date = DateField("Notice date", validators=[Optional()])
    tender_deadline = DateField("Tender deadline", validators=[Optional()])
    electronic_submission = BooleanField("Electronic submission", default=True)
    lots = StringField(
        "Lot values (comma-separated)",
        validators=[Optional(), Regexp(LOTS_PATTERN, message="Numbers separated by commas")],
    )
    lot_reasons = TextAreaField("Reasons for not dividing into lots")
    weight_quality = IntegerField(
        "Quality weight (%)", validators=[Optional(), NumberRange(0, 100)]
    )
    weight_price = IntegerField("Price weight (%)", validators=[Optional(), NumberRange(0, 100)])
    weight_cost = IntegerField(
        "Life-cycle cost weight (%)", validators=[Optional(), NumberRange(0, 100)]
    )
    duration_months = IntegerField(
        "Contract duration (months)", validators=[Optional(), NumberRange(min=1)]
    )
    framework_years = DecimalField(
        "Framework term (years, if a framework)", validators=[Optional(), NumberRange(min=0.1)]
    )
    min_turnover = DecimalField(
        "Minimum yearly turnover required", validators=[Optional(), NumberRange(min=0)]
    )
    payment_days = IntegerField("Payment term (days)", validators=[Optional(), NumberRange(min=0)])
    specification_text = TextAreaField("Specification text (scanned for brand names)")
    submit = SubmitField("Check the tender")


def _tender_form_class() -> type[FlaskForm]:
    attrs: dict[str, Any] = {}
    for key, label in FEATURES.items():
        attrs[f"feature_{key}"] = SelectField(label, choices=TRI_STATE, default="")
    for key, label in clause_labels().items():
        attrs[f"clause_{key}"] = SelectField(label, choices=TRI_STATE, default="")
    return type("TenderForm", (_TenderFormBase,), attrs)


TenderForm = _tender_form_class()
