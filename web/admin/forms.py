from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from models.users import Role

MONTHS = [
    SelectChoice(str(i), name)
    for i, name in enumerate(
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        start=1,
    )
]


def _upper(value: object) -> object:
    """Codes are compared in capitals; people type them either way."""
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]


class MemberForm(FlaskForm):
    email = EmailField("User's e-mail", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    # set by the confirmation step before an existing member's role changes
    confirm = HiddenField(default="")
    submit = SubmitField("Add or change member")


class InviteForm(FlaskForm):
    """A new user: an account with a temporary password, and a role in this city."""

    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Invite")


class MemberActionForm(FlaskForm):
    """Reset a member's password or remove them (the buttons carry the member's id)."""

    member = IntegerField(validators=[DataRequired()])
    reset = SubmitField("Reset password")
    remove = SubmitField("Remove")


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (a GET form)."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[], default="", validate_choice=False)
    entity = SelectField("What", choices=[], default="", validate_choice=False)
    user = StringField("User's e-mail contains", validators=[Optional(), Length(max=254)])
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])
    submit = SubmitField("Filter")


class CityProfileForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    country = StringField("Country", validators=[DataRequired(), Length(max=100)])
    population = IntegerField("Population", validators=[InputRequired(), NumberRange(min=1)])
    households = IntegerField("Households", validators=[Optional(), NumberRange(min=1)])
    currency = StringField(
        "Currency (ISO 4217)",
        validators=[
            DataRequired(),
            Regexp(r"^[A-Z]{3}$", message="Three capital letters, e.g. EUR"),
        ],
    )
    rule_pack = StringField("Procurement rule pack", validators=[DataRequired(), Length(max=40)])
    fiscal_year_start_month = SelectField("Fiscal year starts in", choices=MONTHS, coerce=int)
    # The buyer record of the city's notices (codes checked by models.services.cities)
    language = StringField(
        "Language of the city's records (BCP 47, e.g. en, es, uk)",
        default="en",
        filters=[_lower],
        validators=[DataRequired(), Length(max=35)],
    )
    country_code = StringField(
        "Country code (ISO 3166-1 alpha-2, e.g. ES)",
        filters=[_upper],
        validators=[Optional(), Length(max=2)],
    )
    region_code = StringField(
        "Region (ISO 3166-2 code without the country, e.g. CT; public holidays)",
        filters=[_upper],
        validators=[Optional(), Length(max=3)],
    )
    buyer_id_scheme = StringField(
        "Organisation identifier register (org-id.guide code, e.g. ES-DIR3, GB-COH)",
        filters=[_upper],
        validators=[Optional(), Length(max=40)],
    )
    buyer_id = StringField(
        "Organisation identifier in that register",
        filters=[_stripped],
        validators=[Optional(), Length(max=100)],
    )
    submit = SubmitField("Save profile")
