"""Helpers shared by the domains' forms and form views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wtforms.fields.choices import SelectChoice

from app.errors import DomainError, apply_to_form
from app.extensions import db


def options(pairs) -> list[SelectChoice]:
    """Choices for a SelectField, RadioField or checkbox group from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


@dataclass(frozen=True)
class Saved:
    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def save(form, call: Callable[[], Any], then: Callable[[Any], None] | None = None) -> Saved:
    """Run a service for a submitted form and commit once; or roll back and show its error on the form.

    `then` runs with the service's result before the commit (signing in, for example).
    Nothing is saved half: any DomainError undoes the whole request's changes.
    """
    try:
        value = call()
        if then is not None:
            then(value)
    except DomainError as error:
        db.session.rollback()
        apply_to_form(form, error)
        return Saved(False)
    db.session.commit()
    return Saved(True, value)
