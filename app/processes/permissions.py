"""Who may see and steer a process (gathered by app/policy.py; predicates from app/predicates.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.predicates import Predicate, is_moderator, predicate, signed_in


@predicate(reason=_l("This process is not published yet."), kind="unpublished")
def process_is_visible(user, process) -> bool:
    """Published processes are open to everyone; unpublished ones only to the people preparing them."""
    from app.processes.visibility import is_visible

    return process is None or is_visible(process, user)


rules: dict[str, Predicate] = {}

rules["process.view"] = process_is_visible
rules["process.create"] = signed_in & is_moderator.because(_l("Only the neighbourhood director can start a process."))
rules["process.edit"] = signed_in & is_moderator.because(_l("Only the neighbourhood director can change the process."))
rules["process.set_phase"] = signed_in & is_moderator.because(
    _l("Only the neighbourhood director can change the phase.")
)
rules["process.publish"] = signed_in & is_moderator.because(
    _l("Only the neighbourhood director can publish a process.")
)
