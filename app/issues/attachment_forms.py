"""Forms for adding photos and PDFs to an issue, and for removing one.

The add form has one row per free place (a file and its description), so every photo gets its own
text alternative without JavaScript. Its class is made per number of rows (the limits are settings).
"""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Optional

from app.forms_common import Form, max_length
from app.issues.attachments import TEXT_MAX
from app.submissions import OnceForm

# What the file picker offers; the server reads the content whatever the picker let through.
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"
TEXT_HINT = _l("For a photo: what can be seen on it. For a PDF: its title.")


class AttachmentForm(OnceForm, Form):
    """The rows are added by `attachment_form`; `rows` names them: [(file field, text field), ...]."""

    rows: tuple[tuple[str, str], ...] = ()


@cache
def attachment_form(rows: int) -> type[AttachmentForm]:
    """The form class with `rows` rows of a file and its description."""
    fields: dict = {"rows": tuple((f"file_{n}", f"text_{n}") for n in range(1, rows + 1))}
    for n in range(1, rows + 1):
        fields[f"file_{n}"] = FileField(_l("File %(number)d", number=n), render_kw={"accept": ACCEPT})
        fields[f"text_{n}"] = StringField(
            _l("Description of file %(number)d", number=n),
            validators=[Optional(), max_length(TEXT_MAX)],
            description=TEXT_HINT,
        )
    return type(f"AttachmentForm{rows}", (AttachmentForm,), fields)


class RemoveAttachmentForm(OnceForm, Form):
    """A button; the token makes a second press (a double click) land calmly on the issue."""
