"""Forms for accounts and administration. Cross-object rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import KIND_LABELS, ROLE_LABELS, SECTOR_LABELS, SELF_SERVICE_ROLES, Role
from app.forms_common import Form, max_length, options
from app.submissions import OnceForm


def _kind_choices(blank: bool = False):
    pairs = [(k.value, label) for k, label in KIND_LABELS.items()]
    return options([("", _l("Choose a kind")), *pairs] if blank else pairs)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegisterForm(Form):
    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter the name you want to use here.")), max_length(80)],
        description=_l("Others only see this name if you choose so later. Otherwise they see 'resident' or 'partner'."),
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), max_length(254)],
        description=_l("We only use it to let you log in and to send you a new password if you forget it."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password."))],
        description=_l(
            "At least 12 characters. Tip: three or four random words are easy to remember and hard to guess."
        ),
    )
    password_confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("Type your password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    role = RadioField(
        _l("I take part as"),
        choices=options((r.value, ROLE_LABELS[r]) for r in SELF_SERVICE_ROLES),
        default=Role.RESIDENT.value,
        validators=[InputRequired(_l("Choose resident or partner."))],
    )
    organisation_id = SelectField(
        _l("Organisation you represent"),
        coerce=str,
        validate_choice=False,
        description=_l(
            "Only for partners. The neighbourhood director checks this before you can take part as a partner."
        ),
    )
    new_organisation = StringField(
        _l("Or: name of your organisation, if it is not in the list"),
        validators=[Optional(), max_length(120)],
    )
    new_organisation_kind = SelectField(
        _l("Kind of organisation"), choices=_kind_choices(blank=True), validators=[Optional()]
    )
    accept_privacy = BooleanField(_l("I have read the privacy statement and agree with it."))
    next = HiddenField()  # where to go after confirming the address


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    next = HiddenField()


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter your e-mail address."))])


class EmailLinkForm(Form):
    """Ask for a link by mail: the confirmation again, or a link to log in."""

    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(_l("Enter your e-mail address.")), max_length(254)]
    )
    next = HiddenField()


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password."))],
        description=_l("At least 12 characters."),
    )
    password_confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Type your password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password."))],
        description=_l("At least 12 characters. You will stay logged in here; other devices are logged out."),
    )
    new_password_confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Type your password again.")),
            EqualTo("new_password", _l("The two passwords are not the same.")),
        ],
    )


class ProfileForm(Form):
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Enter the name you want to use here.")), max_length(80)]
    )
    show_name_publicly = BooleanField(
        _l("Show my name with what I write"),
        description=_l("If you leave this off, others see 'resident' or the name of your organisation instead."),
    )


class MembershipRequestForm(OnceForm, Form):
    organisation_id = SelectField(_l("Organisation"), coerce=str, validate_choice=False)
    new_organisation = StringField(
        _l("Or: name of your organisation, if it is not in the list"), validators=[Optional(), max_length(120)]
    )
    new_organisation_kind = SelectField(
        _l("Kind of organisation"), choices=_kind_choices(blank=True), validators=[Optional()]
    )


class UserAdminForm(Form):
    role = SelectField(_l("Role"), choices=options((r.value, label) for r, label in ROLE_LABELS.items()))
    active = BooleanField(
        _l("Account is active"), description=_l("A suspended account cannot log in; its sessions end at once.")
    )


class OrganisationForm(OnceForm, Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the name of the organisation.")), max_length(120)]
    )
    kind = SelectField(_l("Kind"), choices=_kind_choices(), validators=[DataRequired(_l("Choose a kind."))])
    sectors = MultiCheckboxField(_l("Sectors"), choices=options((s.value, label) for s, label in SECTOR_LABELS.items()))
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(2000)])
    verified = BooleanField(
        _l("Checked: this organisation exists and the name is right"),
        default=True,
        description=_l("Organisations that are not checked are not shown in the lists people choose from."),
    )


class DecisionForm(Form):
    """An empty form: only the CSRF token, for buttons that change something."""
