"""Forms for processes. The date fields are made per phase, from the one list of phases."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms_common import options
from app.processes.models import PHASES, phase_label


class ProcessForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    neighbourhood = StringField(
        _l("Neighbourhood"), validators=[DataRequired(_l("Enter the neighbourhood.")), Length(max=80)]
    )
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=60)],
        description=_l("The last part of the address, like 'buytenwegh'. Leave empty to make it from the name."),
    )
    description = TextAreaField(
        _l("What is this process about?"),
        validators=[Optional(), Length(max=10000)],
        description=_l("You can use Markdown: *italic*, **bold**, lists and links."),
    )
    plan = TextAreaField(
        _l("Plan of approach"),
        validators=[Optional(), Length(max=50000)],
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


class PhaseForm(FlaskForm):
    phase = SelectField(_l("New phase"))
    note = TextAreaField(_l("Why now? (shown in the process history)"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.phase.choices = options((info.key.value, phase_label(info.key)) for info in PHASES)
