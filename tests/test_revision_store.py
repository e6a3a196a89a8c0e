"""The shared revision store (app/revisions/store.py), driven through the agenda models: saves on the
current and on an older base, drafts kept on conflict, resolving them, restoring, history, and the hooks
each kind of document plugs in."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.accounts.models import User
from app.agendas import services
from app.agendas.models import Agenda, AgendaDraft, AgendaRevision, AgendaStatus, ConsentRound
from app.errors import DomainError
from app.extensions import db
from app.issues.models import Issue
from app.revisions.documents import MINE, THEIRS, normalise
from app.revisions.store import RevisionStore, Saved
from tests.conftest import make_issue, make_process, make_user
from tests.test_query_counts import counting

STORE = services.AGENDAS


@pytest.fixture
def ctx(app):
    """An empty 1-year agenda and two editors, inside an application context."""
    process = make_process(app, phase="agendas")
    issue = make_issue(app, process.id, make_user(app).id, title="Veilig winkelgebied", status="shortlisted")
    anouk = make_user(app, role="partner", org="Stichting Piëzo")
    mehmet = make_user(app, role="wijkregisseur")
    with app.app_context(), force_locale("en"):  # messages as written in the code
        agenda = services.agenda_for(db.session.get(Issue, issue.id), 1, create=True)
        db.session.commit()
        yield SimpleNamespace(agenda=agenda, a=db.session.get(User, anouk.id), b=db.session.get(User, mehmet.id))


def texts(**fields) -> dict:
    return {"fields": {"summary": "", "review_moment": "", "reviewers": "", "success": "", **fields}, "items": []}


def activity(item_id="x1", **values) -> dict:
    return {"id": item_id, "title": "Buurtschouw", "status": "proposed", **values}


def revisions_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AgendaRevision))


def conflict_from_base_1(ctx, mine: dict, theirs: dict) -> Saved:
    """Revision 1 is the start; A saves `theirs` on it, then B saves `mine` on it too."""
    STORE.save(ctx.a, ctx.agenda, 0, texts(summary="Begin", review_moment="Jaarlijks"), "start")
    STORE.save(ctx.a, ctx.agenda, 1, theirs, "A")
    return STORE.save(ctx.b, ctx.agenda, 1, mine, "B")


# --- saving ---------------------------------------------------------------------------------------


def test_saving_on_the_current_revision_adds_the_next_one(ctx):
    saved = STORE.save(ctx.a, ctx.agenda, 0, texts(summary="  Begin  "), "  eerste  ", event="x", event_args={"n": 1})
    assert saved.ok and saved.conflicts is None and not saved.unchanged
    row = saved.revision
    assert (row.agenda_id, row.number, row.author_id, row.message, row.merged) == (
        ctx.agenda.id,
        1,
        ctx.a.id,
        "eerste",
        False,
    )
    assert (row.event, row.event_args) == ("x", {"n": 1})
    assert row.document["fields"]["summary"] == "Begin"  # validate ran first
    assert ctx.agenda.current_revision == 1
    again = STORE.save(ctx.a, ctx.agenda, 1, texts(summary="Verder"), "x" * 400)
    assert again.revision.number == 2 and len(again.revision.message) == 300
    assert STORE.document(ctx.agenda)["fields"]["summary"] == "Verder"
    assert STORE.document(ctx.agenda, 1)["fields"]["summary"] == "Begin"  # old revisions stay as they were
    assert STORE.revision(ctx.agenda, 7) is None and STORE.revision(None) is None
    assert STORE.document(None) == {"fields": {}, "items": []}


def test_saving_the_same_document_makes_no_revision(ctx):
    STORE.save(ctx.a, ctx.agenda, 0, texts(summary="Begin"), "")
    saved = STORE.save(ctx.b, ctx.agenda, 1, texts(summary="Begin "), "")
    assert saved.ok and saved.unchanged and saved.revision is None
    assert ctx.agenda.current_revision == 1 and revisions_count() == 1


@pytest.mark.parametrize("base", [-1, 2])
def test_a_base_that_does_not_exist_is_refused_in_general_words(ctx, base):
    STORE.save(ctx.a, ctx.agenda, 0, texts(summary="Begin"), "")
    with pytest.raises(DomainError) as error:
        STORE.save(ctx.a, ctx.agenda, base, texts(summary="Later"), "")
    assert "does not exist" in error.value.message and "agenda" not in error.value.message


def test_saving_on_an_older_revision_merges_with_what_was_saved_meanwhile(ctx):
    STORE.save(ctx.a, ctx.agenda, 0, texts(summary="Begin", review_moment="Jaarlijks"), "")
    STORE.save(ctx.a, ctx.agenda, 1, texts(summary="Begin, met de winkeliers", review_moment="Jaarlijks"), "")
    saved = STORE.save(ctx.b, ctx.agenda, 1, texts(summary="Begin", review_moment="Elk kwartaal"), "kwartaal")
    assert saved.revision.number == 3 and saved.revision.merged is True
    fields = STORE.document(ctx.agenda)["fields"]
    assert (fields["summary"], fields["review_moment"]) == ("Begin, met de winkeliers", "Elk kwartaal")


def test_a_merge_that_adds_nothing_new_makes_no_revision(ctx):
    STORE.save(ctx.a, ctx.agenda, 0, texts(summary="Begin"), "")
    STORE.save(ctx.a, ctx.agenda, 1, texts(summary="Verder"), "")
    saved = STORE.save(ctx.b, ctx.agenda, 1, texts(summary="Verder"), "")  # the same change, made twice
    assert saved.unchanged and ctx.agenda.current_revision == 2


def test_a_conflict_keeps_the_editors_version_as_a_draft(ctx):
    saved = conflict_from_base_1(ctx, texts(summary="Versie van B"), texts(summary="Versie van A"))
    assert not saved.ok and saved.revision is None
    assert [c.key for c in saved.conflicts.conflicts] == ["field:summary"]
    assert ctx.agenda.current_revision == 2  # nothing saved over A's text
    draft = STORE.draft_of(ctx.b, ctx.agenda)
    assert (draft.base_revision, draft.message, draft.document["fields"]["summary"]) == (1, "B", "Versie van B")
    assert STORE.draft_of(ctx.a, ctx.agenda) is None
    assert STORE.draft_of(SimpleNamespace(is_authenticated=False, id=ctx.b.id), ctx.agenda) is None
    (conflict,) = STORE.draft_conflicts(ctx.agenda, draft).conflicts
    assert (conflict.base, conflict.mine, conflict.theirs) == ("Begin", "Versie van B", "Versie van A")


def test_a_second_conflict_replaces_the_kept_draft_only_through_the_same_row(ctx):
    conflict_from_base_1(ctx, texts(summary="Versie van B"), texts(summary="Versie van A"))
    STORE.discard_draft(ctx.b, ctx.agenda)
    assert STORE.draft_of(ctx.b, ctx.agenda) is None
    again = STORE.save(ctx.b, ctx.agenda, 1, texts(summary="Nog een versie van B"), "opnieuw")
    assert again.conflicts is not None
    (draft,) = db.session.scalars(sa.select(AgendaDraft))
    assert draft.document["fields"]["summary"] == "Nog een versie van B" and draft.message == "opnieuw"


def test_a_kept_draft_blocks_the_next_save_of_the_same_person(ctx):
    conflict_from_base_1(ctx, texts(summary="Versie van B"), texts(summary="Versie van A"))
    with pytest.raises(DomainError) as error:
        STORE.save(ctx.b, ctx.agenda, 2, texts(summary="Versie van A", success="Iets anders"), "")
    assert "Choose what to keep first" in error.value.message
    assert STORE.draft_of(ctx.b, ctx.agenda).document["fields"]["summary"] == "Versie van B"  # still kept
    assert STORE.save(ctx.a, ctx.agenda, 2, texts(summary="Versie van A", success="Ander"), "").ok  # others go on
    STORE.discard_draft(ctx.b, ctx.agenda)
    assert STORE.save(ctx.b, ctx.agenda, 3, texts(summary="Versie van A", success="Nu wel"), "").ok


# --- resolving ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "expected"),
    [(MINE, "Versie van B"), (THEIRS, "Versie van A"), ("Versie van A en B", "Versie van A en B")],
)
def test_resolving_with_mine_theirs_or_own_text(ctx, choice, expected):
    conflict_from_base_1(ctx, texts(summary="Versie van B", success="Van B"), texts(summary="Versie van A"))
    saved = STORE.resolve_draft(ctx.b, ctx.agenda, 2, {"field:summary": choice})
    assert saved.ok and saved.revision.number == 3 and saved.revision.event == "resolved"
    assert saved.revision.message == "B"  # the draft's message
    fields = STORE.document(ctx.agenda)["fields"]
    assert (fields["summary"], fields["success"]) == (expected, "Van B")  # B's other change survives
    assert STORE.draft_of(ctx.b, ctx.agenda) is None


def test_choosing_their_version_everywhere_ends_the_draft_without_a_revision(ctx):
    conflict_from_base_1(ctx, texts(summary="Versie van B"), texts(summary="Versie van A"))
    saved = STORE.resolve_draft(ctx.b, ctx.agenda, 2, {"field:summary": THEIRS})
    assert saved.ok and saved.unchanged and ctx.agenda.current_revision == 2
    assert STORE.draft_of(ctx.b, ctx.agenda) is None  # resolved: B may save again
    assert STORE.save(ctx.b, ctx.agenda, 2, texts(summary="Versie van A", success="Nu wel"), "").ok


def test_resolving_against_a_stale_revision_shows_the_choices_again(ctx):
    conflict_from_base_1(ctx, texts(summary="Versie van B"), texts(summary="Versie van A"))
    STORE.save(ctx.a, ctx.agenda, 2, texts(summary="Versie van A", reviewers="Nieuw van A"), "")
    saved = STORE.resolve_draft(ctx.b, ctx.agenda, 2, {"field:summary": MINE})
    assert not saved.ok and [c.key for c in saved.conflicts.conflicts] == ["field:summary"]
    assert ctx.agenda.current_revision == 3 and STORE.draft_of(ctx.b, ctx.agenda) is not None
    STORE.resolve_draft(ctx.b, ctx.agenda, 3, {"field:summary": MINE})
    fields = STORE.document(ctx.agenda)["fields"]
    assert (fields["summary"], fields["reviewers"]) == ("Versie van B", "Nieuw van A")


def test_resolving_checks_the_choices(ctx):
    with pytest.raises(DomainError, match="nothing to resolve"):
        STORE.resolve_draft(ctx.b, ctx.agenda, 0, {})
    STORE.save(ctx.a, ctx.agenda, 0, {"fields": {}, "items": [activity()]}, "")
    STORE.save(ctx.a, ctx.agenda, 1, {"fields": {}, "items": [activity(status="agreed")]}, "")
    STORE.save(ctx.b, ctx.agenda, 1, {"fields": {}, "items": [activity(status="dropped")]}, "")
    with pytest.raises(DomainError, match="every point"):
        STORE.resolve_draft(ctx.b, ctx.agenda, 2, {})
    with pytest.raises(DomainError, match="their version or yours"):
        STORE.resolve_draft(ctx.b, ctx.agenda, 2, {"item:x1:status": "agreed, sort of"})  # not a text
    assert STORE.resolve_draft(ctx.b, ctx.agenda, 2, {"item:x1:status": MINE}).ok
    assert STORE.document(ctx.agenda)["items"][0]["status"] == "dropped"


def test_a_resolved_combination_is_checked_again(ctx):
    STORE.save(ctx.a, ctx.agenda, 0, {"fields": {}, "items": [activity()]}, "")
    STORE.save(ctx.a, ctx.agenda, 1, {"fields": {}, "items": [activity(title="Schouw van A")]}, "")
    STORE.save(ctx.b, ctx.agenda, 1, {"fields": {}, "items": [activity(title="Schouw van B")]}, "")
    with pytest.raises(DomainError, match="at least 3 characters"):
        STORE.resolve_draft(ctx.b, ctx.agenda, 2, {"item:x1:title": "AB"})  # revalidate: validate_activities
    assert STORE.resolve_draft(ctx.b, ctx.agenda, 2, {"item:x1:title": "Schouw van A en B"}).ok


# --- restoring and history ------------------------------------------------------------------------


def test_restore_brings_an_old_revision_back_as_a_new_one(ctx):
    for number, summary in enumerate(("Een", "Twee", "Drie")):
        STORE.save(ctx.a, ctx.agenda, number, texts(summary=summary), "")
    restored = STORE.restore(ctx.b, ctx.agenda, 1)
    assert (restored.number, restored.event, restored.event_args, restored.author_id) == (
        4,
        "restored",
        {"n": 1},
        ctx.b.id,
    )
    assert STORE.document(ctx.agenda)["fields"]["summary"] == "Een"
    assert revisions_count() == 4  # nothing rewritten
    for number in (4, 9, 0):  # the current one, one that does not exist, the empty start
        with pytest.raises(DomainError, match="earlier revision"):
            STORE.restore(ctx.b, ctx.agenda, number)
    with pytest.raises(DomainError, match="says the same"):
        STORE.restore(ctx.b, ctx.agenda, 1)  # revision 1 is what revision 4 says
    assert ctx.agenda.current_revision == 4


def test_history_is_newest_first_with_authors_in_one_extra_query(app, ctx):
    for number, (user, summary) in enumerate(((ctx.a, "Een"), (ctx.b, "Twee"), (ctx.a, "Drie"))):
        STORE.save(user, ctx.agenda, number, texts(summary=summary), "")
    a, b, agenda_id = ctx.a.display_name, ctx.b.display_name, ctx.agenda.id
    db.session.commit()
    db.session.expunge_all()  # nothing already loaded: count what history itself needs
    agenda = db.session.get(Agenda, agenda_id)
    with counting(app) as statements:
        history = STORE.history(agenda)
        authors = [row.author.display_name for row in history]
    assert [row.number for row in history] == [3, 2, 1]
    assert authors == [a, b, a]
    assert len(statements) <= 2
    assert STORE.history(None) == []


# --- hooks ----------------------------------------------------------------------------------------


def test_a_new_revision_reopens_an_agreed_agenda_and_moves_an_open_round_along(ctx):
    STORE.save(ctx.a, ctx.agenda, 0, texts(summary="Begin"), "")
    ctx.agenda.status, ctx.agenda.agreed_revision = AgendaStatus.AGREED.value, 1
    STORE.save(ctx.a, ctx.agenda, 1, texts(summary="Verder"), "")
    assert ctx.agenda.status == AgendaStatus.DRAFT.value
    round_ = ConsentRound(agenda_id=ctx.agenda.id, revision_number=2, opened_by_id=ctx.a.id)
    db.session.add(round_)
    STORE.save(ctx.a, ctx.agenda, 2, texts(summary="Nog verder"), "")
    assert round_.revision_number == 3


def test_a_store_with_its_own_hooks_and_the_defaults(ctx):
    """The store knows nothing of agendas: validation, hooks and free-text rules come from its user."""
    seen = []

    def follow(owner):
        seen.append((owner.current_revision, store.document(owner)["fields"]["title"]))  # the new revision is readable

    store = RevisionStore(
        owner=Agenda,
        revision=AgendaRevision,
        draft=AgendaDraft,
        key="agenda_id",
        validate=normalise,
        on_revision=follow,
    )
    item = {"id": "x1", "status": "proposed"}
    store.save(ctx.a, ctx.agenda, 0, {"fields": {"title": "Begin"}, "items": [item]}, "")
    store.save(ctx.a, ctx.agenda, 1, {"fields": {"title": "A"}, "items": [{**item, "status": "agreed"}]}, "")
    store.save(ctx.b, ctx.agenda, 1, {"fields": {"title": "B"}, "items": [{**item, "status": "dropped"}]}, "")
    assert seen == [(1, "Begin"), (2, "A")]
    with pytest.raises(DomainError, match="their version or yours"):  # by default only fields take own text
        store.resolve_draft(ctx.b, ctx.agenda, 2, {"field:title": "A en B", "item:x1:status": "half"})
    saved = store.resolve_draft(ctx.b, ctx.agenda, 2, {"field:title": "A en B", "item:x1:status": MINE})
    assert saved.ok and seen[-1] == (3, "A en B")
    assert store.document(ctx.agenda)["items"] == [{"id": "x1", "status": "dropped"}]  # no revalidate by default


def test_lock_reads_the_owner_afresh(ctx):
    STORE.save(ctx.a, ctx.agenda, 0, texts(summary="Begin"), "")
    db.session.execute(  # as if another request saved meanwhile: the object in this session does not know
        sa.update(Agenda).where(Agenda.id == ctx.agenda.id).values(current_revision=5),
        execution_options={"synchronize_session": False},
    )
    assert ctx.agenda.current_revision == 1
    assert STORE.lock(ctx.agenda) is ctx.agenda and ctx.agenda.current_revision == 5
