"""Helpers shared by the domains' forms and form views.

Three rules every form here follows, so a Dutch resident never meets English or library words:

- Choice labels stay lazy strings until a page renders them (`options`, `enum_options`), so each
  request shows them in its own language. A plain `str` label made at import time would be frozen
  in the language of that moment; `options` refuses one.
- Forms derive from `Form`, which says WTForms' own messages ("Not a valid choice", "Dit veld is
  vereist") in the site's words through the site's catalog.
- Lengths are checked with `max_length` / `length_between`: the message names the limit and the
  current length, and no `maxlength` attribute lets the browser cut a pasted text without a word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, has_request_context
from flask_babel import format_number, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as library_translations
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from app.errors import DomainError, apply_to_form
from app.extensions import db
from app.submissions import AlreadyMade


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Choices for a SelectField, RadioField or checkbox group from (value, label) pairs.

    Outside a request (a form class being built at import), every label must be a lazy string:
    a `str` there is already translated, in whatever language was active at import time.
    """
    choices = [SelectChoice(str(value), label) for value, label in pairs]
    if not has_request_context():
        frozen = [choice.label for choice in choices if isinstance(choice.label, str)]
        if frozen:
            raise TypeError(f"choice labels frozen at import time (use lazy_gettext labels): {frozen[:3]}")
    return choices


def enum_options(members: Iterable, labels: Mapping) -> list[SelectChoice]:
    """Choices for the members of an enum, labelled from a dict of lazy labels."""
    return options((member.value, labels[member]) for member in members)


# --- WTForms' own messages, in the site's words --------------------------------------------------

# The library's English message -> ours. Each of ours keeps the placeholders the library fills in
# (or has none: `"text" % {...}` leaves a text without placeholders alone).
LIBRARY_MESSAGES = {
    "This field is required.": _l("Fill this in."),
    "Not a valid choice.": _l("Choose one of the options."),
    "Invalid Choice: could not coerce.": _l("Choose one of the options."),
    "Choices cannot be None.": _l("Choose one of the options."),
    "'%(value)s' is not a valid choice for this field.": _l("Choose from the options in the list."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Choose from the options in the list."),
    "Not a valid integer value.": _l("Fill in a whole number, for example 3."),
    "Not a valid decimal value.": _l("Fill in a number, for example 0.5."),
    "Not a valid float value.": _l("Fill in a number, for example 0.5."),
    "Not a valid date value.": _l("Write the date as year-month-day, for example 2026-03-12."),
    "Not a valid datetime value.": _l("Write the date and time, for example 2026-03-12 19:30."),
    "Not a valid time value.": _l("Write the time, for example 19:30."),
    "Number must be at least %(min)s.": _l("Fill in a number of %(min)s or more."),
    "Number must be at most %(max)s.": _l("Fill in a number of %(max)s or less."),
    "Number must be between %(min)s and %(max)s.": _l("Fill in a number from %(min)s to %(max)s."),
    "Field must be equal to %(other_name)s.": _l("The two are not the same."),
    "Invalid email address.": _l("Fill in a valid e-mail address, for example name@example.org."),
    "Invalid input.": _l("This is not filled in correctly."),
    "Field must be at least %(min)d character long.": _l("This must be at least %(min)d characters."),
    "Field cannot be longer than %(max)d character.": _l("This can be at most %(max)d characters."),
    "Field must be exactly %(max)d character long.": _l("This must be exactly %(max)d characters."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "This must be between %(min)d and %(max)d characters."
    ),
}


class _SiteWords:
    """The `translations` object WTForms asks for its messages: ours where we have one, else the library's."""

    def gettext(self, string: str) -> str:
        ours = LIBRARY_MESSAGES.get(string)
        return str(ours) if ours is not None else library_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = LIBRARY_MESSAGES.get(singular)
        return str(ours) if ours is not None else library_translations.ngettext(singular, plural, n)


SITE_WORDS = _SiteWords()


class Form(FlaskForm):
    """The base of every form of the site: Flask-WTF's, with WTForms' messages in the site's words."""

    class Meta:
        def get_translations(self, form):
            return SITE_WORDS


# --- lengths ---------------------------------------------------------------------------------------


class TextLength(Length):
    """A length check that says the limit and the current length, with numbers in the reader's locale.

    It sets no `maxlength`/`minlength` attribute: with one, a browser silently cuts a pasted text at the
    limit, and the person never learns that the end is gone.
    """

    def __init__(self, min: int = -1, max: int = -1):
        super().__init__(min=min, max=max)
        self.field_flags = {}

    def __call__(self, form, field) -> None:
        length = len(field.data or "")
        numbers = {"min": format_number(self.min), "max": format_number(self.max), "length": format_number(length)}
        if self.max != -1 and length > self.max:
            raise ValidationError(
                gettext("This can be at most %(max)s characters. You now have %(length)s.", **numbers)
            )
        if length < self.min:
            raise ValidationError(
                gettext("This must be at least %(min)s characters. You now have %(length)s.", **numbers)
            )


def max_length(maximum: int) -> TextLength:
    return TextLength(max=maximum)


def length_between(minimum: int, maximum: int) -> TextLength:
    return TextLength(min=minimum, max=maximum)


@dataclass(frozen=True)
class Saved:
    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def save(form, call: Callable[[], Any], then: Callable[[Any], None] | None = None) -> Saved:
    """Run a service for a submitted form and commit once; or roll back and show its error on the form.

    `then` runs with the service's result before the commit (signing in, or `submissions.made`).
    Nothing is saved half: any DomainError undoes the whole request's changes. A service that finds
    the same thing made a moment ago (`AlreadyMade`) answers with a redirect to it.
    """
    try:
        value = call()
        if then is not None:
            then(value)
    except DomainError as error:
        db.session.rollback()
        apply_to_form(form, error)
        return Saved(False)
    except AlreadyMade as done:  # the same person sent exactly this a moment ago: show that one
        db.session.rollback()
        abort(done.answer(then))
    db.session.commit()
    return Saved(True, value)
