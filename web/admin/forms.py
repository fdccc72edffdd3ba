from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
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


class MemberForm(FlaskForm):
    email = EmailField("User's e-mail", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice(r.value, r.label) for r in Role])
    submit = SubmitField("Add or change member")


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
    submit = SubmitField("Save profile")
