"""Forms for drafting covenants: a new covenant, its text, its parties and the opening.

Cross-object rules (agreed agendas of this process, verified organisations, the length of a
reason, the council's approval) are the services' business; their errors land on these fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.accounts.forms import MultiCheckboxField
from app.forms_common import Form, max_length
from app.request_args import id_choice
from app.submissions import OnceForm

COMMITS_LABEL = _l("This covenant commits municipal money or staff")
COMMITS_HINT = _l(
    "Then the council must approve it before it can be opened for signature. The platform ticks this "
    "itself when an agenda gives the municipality money, hours or people to spend."
)
REASON_HINT = _l("At least 10 characters. Everyone can read the reason.")


class NewCovenantForm(OnceForm, Form):
    title = StringField(
        _l("Title of the covenant"),
        validators=[DataRequired(_l("Give the covenant a title.")), max_length(200)],
        description=_l("For example: Safe and light cycle path."),
    )
    agendas = MultiCheckboxField(
        _l("Agreed agendas it is drawn from"),
        coerce=id_choice,
        validate_choice=False,
        description=_l("The platform proposes a first text from these agendas: parties, commitments and more."),
    )
    commits = BooleanField(COMMITS_LABEL, description=COMMITS_HINT)


class TextForm(Form):
    base = HiddenField()  # the revision the page showed
    title = StringField(
        _l("Title of the covenant"), validators=[DataRequired(_l("Give the covenant a title.")), max_length(200)]
    )
    text = TextAreaField(
        _l("Text of the covenant"),
        validators=[DataRequired(_l("Write the text of the covenant.")), max_length(60_000)],
        description=_l(
            "You can use Markdown: a line starting with - is an item of a list, and **words** between two "
            "stars are bold."
        ),
    )
    message = StringField(
        _l("What did you change? (short)"),
        validators=[Optional(), max_length(300)],
        description=_l("For example: 'added the evaluation in June'. Others see this in the history."),
    )


class AddPartyForm(OnceForm, Form):
    party = SelectField(
        _l("Party to add"), validate_choice=False, validators=[DataRequired(_l("Choose an organisation."))]
    )
    reason = TextAreaField(_l("Why is this party added?"), validators=[max_length(2000)], description=REASON_HINT)


class RemovePartyForm(Form):
    reason = TextAreaField(_l("Why is this party removed?"), validators=[max_length(2000)], description=REASON_HINT)


class SettingsForm(Form):
    commits = BooleanField(COMMITS_LABEL, description=COMMITS_HINT)
