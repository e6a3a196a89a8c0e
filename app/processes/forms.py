"""Forms for processes. The date fields are made per phase, from the one list of phases."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.forms_common import Form, length_between, max_length, options
from app.processes.models import PHASES, phase_label
from app.processes.phase_guard import MAX_REASON, MIN_REASON
from app.submissions import OnceForm


class ProcessForm(OnceForm, Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), max_length(120)])
    neighbourhood = StringField(
        _l("Neighbourhood"), validators=[DataRequired(_l("Enter the neighbourhood.")), max_length(80)]
    )
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), max_length(60)],
        description=_l("The last part of the address, like 'buytenwegh'. Leave empty to make it from the name."),
    )
    description = TextAreaField(
        _l("What is this process about?"),
        validators=[Optional(), max_length(10000)],
        description=_l("You can use Markdown: *italic*, **bold**, lists and links."),
    )
    plan = TextAreaField(
        _l("Plan of approach"),
        validators=[Optional(), max_length(50000)],
        description=_l("You can use Markdown: *italic*, **bold**, lists and links."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for info in PHASES:  # the label names the phase, so an error in the summary says which one
            label = phase_label(info.key)
            self[f"starts_{info.key.value}"].label.text = _("%(phase)s: starts", phase=label)
            self[f"ends_{info.key.value}"].label.text = _("%(phase)s: ends", phase=label)

    def date_fields(self):
        """(phase info, starts field, ends field) for each phase, in order."""
        return [(info, self[f"starts_{info.key.value}"], self[f"ends_{info.key.value}"]) for info in PHASES]

    def dates(self) -> dict:
        return {info.key.value: (start.data, end.data) for info, start, end in self.date_fields()}


for _info in PHASES:
    setattr(
        ProcessForm,
        f"starts_{_info.key.value}",
        DateField(_l("Starts"), validators=[Optional()], render_kw={"autocomplete": "off"}),
    )
    setattr(
        ProcessForm,
        f"ends_{_info.key.value}",
        DateField(_l("Ends"), validators=[Optional()], render_kw={"autocomplete": "off"}),
    )
del _info


class PhaseChoiceForm(Form):
    """Step 1 of a change of phase: which phase. Sent with GET, so it changes nothing yet."""

    class Meta:
        csrf = False

    phase = SelectField(_l("New phase"), validators=[DataRequired(_l("Choose a phase from the list."))])

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.phase.choices = options(
            (info.key.value, phase_label(info.key)) for info in PHASES if info.key.value != current
        )


class PhaseConfirmForm(Form):
    """Step 2: the reason, and for going back or skipping a phase an explicit confirmation."""

    phase = HiddenField()
    from_phase = HiddenField()  # the phase the person saw: if it changed meanwhile, nothing happens
    reason = TextAreaField(
        _l("Why does the phase change now?"),
        validators=[DataRequired(_l("Write why the phase changes.")), length_between(MIN_REASON, MAX_REASON)],
        description=_l("Everyone can read this in the phase history on the process page."),
    )
    confirm = BooleanField(_l("I understand what this change means for the people taking part, and I want it."))


class PublishForm(Form):
    """Publishing has no fields: the form carries the CSRF token."""
