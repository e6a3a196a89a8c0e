"""Forms for signing and ending a covenant, and for looking up a fingerprint.

The rules that involve the covenant (which party, the password, the version read) are the services'
(app/covenants/signing.py); these forms only check that something was filled in.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from app.covenants.services import REASON_MIN
from app.forms_common import Form, length_between, max_length


class SignForm(Form):
    fingerprint = HiddenField()  # the fingerprint of the version the page showed
    party = SelectField(_l("You sign for"), validate_choice=False)
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Type the password you log in with."))],
        description=_l("We ask for it again so that nobody else can sign in your name from your computer."),
        render_kw={"autocomplete": "current-password"},
    )
    full_name = StringField(
        _l("Your full name"),
        validators=[DataRequired(_l("Type your full name, as you would sign on paper.")), max_length(200)],
        description=_l("As you would sign on paper, for example: Anna de Vries."),
        render_kw={"autocomplete": "name"},
    )
    confirm = BooleanField(
        _l("I have read the text and I confirm the statement above."),
        validators=[DataRequired(_l("Confirm the statement to sign."))],
    )


class EndForm(Form):
    party = SelectField(_l("You end it for"), validate_choice=False)
    reason = TextAreaField(
        _l("Why does the covenant end?"),
        validators=[
            DataRequired(_l("Write why the covenant ends.")),
            length_between(REASON_MIN, 2000),
        ],
        description=_l("Everyone can read this reason on the page of the covenant."),
    )


class VerifyForm(Form):
    """A GET form (a lookup changes nothing), so without a CSRF token."""

    class Meta:
        csrf = False

    fingerprint = StringField(
        _l("Fingerprint"),
        validators=[max_length(200)],
        description=_l(
            "The 64 characters (0-9 and a-f) on the covenant or its PDF. Spaces, capitals and 'sha256:' "
            "in front are fine."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"},
    )
