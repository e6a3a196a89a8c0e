"""Who is told of an event (app/notifications/audience.py): the rules per kind, never the actor, only open
and confirmed accounts, nothing hidden or unpublished, nothing rolled back, and each person's mail choice."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Event, Notification
from tests.conftest import make_issue, make_process, make_user


def _told(app, kind=None) -> dict[int, set[str]]:
    """user id -> the kinds they were told of."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Notification.user_id, Event.kind).join(Event, Event.id == Notification.event_id)
        ).all()
    told: dict[int, set[str]] = {}
    for user_id, event_kind in rows:
        if kind is None or event_kind == kind:
            told.setdefault(user_id, set()).add(event_kind)
    return told


def _mails(app) -> list:
    from app.mail.models import OutboxMail

    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxMail).where(OutboxMail.kind == "notification")))


def _follow_and_support(app, issue_id: int, follower_id: int | None = None, supporter_id: int | None = None):
    from app.issues.models import Follow, Support

    with app.app_context():
        if follower_id:
            db.session.add(Follow(issue_id=issue_id, user_id=follower_id))
        if supporter_id:
            db.session.add(Support(issue_id=issue_id, user_id=supporter_id))
        db.session.commit()


def _record(app, kind: str, actor_id: int | None = None, issue_id=None, comment_id=None, commit=True, **data):
    from app.accounts.models import User
    from app.issues.models import Comment, Issue
    from app.notifications.events import record

    with app.app_context():
        actor = db.session.get(User, actor_id) if actor_id else None
        issue = db.session.get(Issue, issue_id) if issue_id else None
        comment = db.session.get(Comment, comment_id) if comment_id else None
        event = record(kind, actor=actor, issue=issue, comment=comment, **data)
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        return event.id if commit else None


def _comment(app, issue_id: int, author_id: int, parent_id=None, visibility="visible") -> int:
    from app.issues.models import Comment

    with app.app_context():
        comment = Comment(
            issue_id=issue_id,
            author_id=author_id,
            parent_id=parent_id,
            body="Goed idee, ik doe mee.",
            visibility=visibility,
        )
        db.session.add(comment)
        db.session.commit()
        return comment.id


def test_a_decision_through_the_real_service_tells_author_followers_and_supporters_not_the_actor(app, client, auth):
    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    follower = make_user(app, role="resident")
    supporter = make_user(app, role="partner", org="Stichting Piëzo")
    bystander = make_user(app, role="resident")
    issue = make_issue(app, process.id, author.id, title="Speeltuin aan de Bloemenlaan")
    director = auth.login_as("wijkregisseur")
    _follow_and_support(app, issue.id, follower_id=follower.id, supporter_id=supporter.id)
    _follow_and_support(app, issue.id, follower_id=director.id)  # the actor follows too: still not told

    response = client.post(
        f"/issues/{issue.id}/decide",
        data={"decide-decision": "shortlist", "decide-reason": "Veel steun en het raakt veiligheid en spelen."},
    )
    assert response.status_code == 302

    told = _told(app, "issue_shortlisted")
    assert set(told) == {author.id, follower.id, supporter.id}
    assert director.id not in told and bystander.id not in told
    # issue_status is "at once" by default: one mail each, composed when sent
    assert sorted(m.user_id for m in _mails(app)) == sorted([author.id, follower.id, supporter.id])


def test_a_rolled_back_change_announces_nothing(app, outbox):
    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    director = make_user(app, role="wijkregisseur")
    issue = make_issue(app, process.id, author.id)

    _record(app, "issue_shortlisted", director.id, issue.id, rationale="Goed plan voor de wijk.", commit=False)

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    assert _mails(app) == [] and outbox == []


def test_a_reaction_tells_the_issue_author_and_a_reply_the_author_of_the_reaction(app):
    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    reacting = make_user(app, role="resident")
    replying = make_user(app, role="resident")
    issue = make_issue(app, process.id, author.id)

    first = _comment(app, issue.id, reacting.id)
    _record(app, "issue_reaction", reacting.id, issue.id, first)
    assert set(_told(app, "issue_reaction")) == {author.id}

    reply = _comment(app, issue.id, replying.id, parent_id=first)
    _record(app, "comment_reply", replying.id, issue.id, reply)
    assert set(_told(app, "comment_reply")) == {reacting.id, author.id}  # the issue's author hears of replies too

    # the author reacting on their own issue tells nobody (the actor is never told)
    own = _comment(app, issue.id, author.id)
    _record(app, "issue_reaction", author.id, issue.id, own)
    assert len(_told(app, "issue_reaction")[author.id]) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 3


def test_hidden_pending_or_unpublished_content_is_never_announced(app, outbox):
    published = make_process(app, phase="issues")
    hidden_process = make_process(app, phase="issues", published=False)
    author = make_user(app, role="resident")
    other = make_user(app, role="resident")
    director = make_user(app, role="wijkregisseur")
    hidden = make_issue(app, published.id, author.id, title="Verborgen onderwerp")
    pending = make_issue(app, published.id, author.id, title="Wacht op controle")
    unpublished = make_issue(app, hidden_process.id, author.id, title="Nog niet gepubliceerd")
    shown = make_issue(app, published.id, author.id, title="Zichtbaar onderwerp")
    with app.app_context():
        from app.issues.models import Issue

        db.session.get(Issue, hidden.id).visibility = "hidden"
        db.session.get(Issue, pending.id).visibility = "pending"
        db.session.commit()

    for issue in (hidden, pending, unpublished):
        _record(app, "issue_declined", director.id, issue.id, reason="Past niet in dit proces.")
    waiting = _comment(app, shown.id, other.id, visibility="pending")
    _record(app, "issue_reaction", other.id, shown.id, waiting)

    assert _told(app) == {}
    assert _mails(app) == [] and outbox == []


def test_closed_and_unconfirmed_accounts_are_not_told(app):
    process = make_process(app, phase="issues")
    author = make_user(app, role="resident", active=False)
    unconfirmed = make_user(app, role="resident")
    director = make_user(app, role="wijkregisseur")
    issue = make_issue(app, process.id, author.id)
    with app.app_context():
        from app.accounts.models import User

        db.session.get(User, unconfirmed.id).email_verified_at = None
        db.session.commit()
    _follow_and_support(app, issue.id, follower_id=unconfirmed.id)

    _record(app, "issue_declined", director.id, issue.id, reason="Past niet in dit proces.")
    assert _told(app) == {}


def test_no_mail_wanted_still_lists_the_notification_and_queues_no_mail(app):
    from app.notifications.models import Delivery
    from app.notifications.preferences import set_delivery

    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    weekly = make_user(app, role="resident")
    director = make_user(app, role="wijkregisseur")
    issue = make_issue(app, process.id, author.id)
    _follow_and_support(app, issue.id, follower_id=weekly.id)
    with app.app_context():
        from app.accounts.models import User

        set_delivery(db.session.get(User, author.id), "issue_status", Delivery.NONE)
        set_delivery(db.session.get(User, weekly.id), "issue_status", Delivery.WEEKLY)
        db.session.commit()

    _record(app, "issue_declined", director.id, issue.id, reason="Past niet in dit proces.")

    assert set(_told(app)) == {author.id, weekly.id}  # both see it in the site
    assert _mails(app) == []  # neither gets a mail at once
    with app.app_context():
        mailed = dict(db.session.execute(sa.select(Notification.user_id, Notification.mailed_at)).tuples().all())
    assert mailed[author.id] is not None  # decided: no digest will pick it up
    assert mailed[weekly.id] is None  # waits for the weekly digest


def test_a_working_group_hears_of_consent_rounds_and_the_objector_of_the_answer(app):
    from app.agendas.models import Agenda, ConsentAnswer, ConsentRound, WorkingGroupMember
    from app.issues.models import Issue

    process = make_process(app, phase="agendas")
    author = make_user(app, role="resident")
    admitted = make_user(app, role="resident")
    waiting = make_user(app, role="resident")
    partner = make_user(app, role="partner", org="De Goede Woning")
    pending_partner = make_user(app, role="partner", org="Halte 2717", status="pending")
    director = make_user(app, role="wijkregisseur")
    wethouder = make_user(app, role="wethouder")
    council = make_user(app, role="council")
    issue = make_issue(app, process.id, author.id, status="shortlisted")
    with app.app_context():
        db.session.add(WorkingGroupMember(issue_id=issue.id, user_id=admitted.id, status="admitted"))
        db.session.add(WorkingGroupMember(issue_id=issue.id, user_id=waiting.id, status="pending"))
        agenda = Agenda(issue_id=issue.id, horizon=5)
        db.session.add(agenda)
        db.session.flush()
        round_ = ConsentRound(agenda_id=agenda.id, revision_number=1)
        db.session.add(round_)
        db.session.flush()
        objection = ConsentAnswer(
            round_id=round_.id, user_id=partner.id, answer="object", reason="Te duur.", revision_number=1
        )
        db.session.add(objection)
        db.session.commit()
        agenda_id, answer_id = agenda.id, objection.id

    from app.accounts.models import User
    from app.notifications.events import record

    with app.app_context():
        issue_row, agenda_row = db.session.get(Issue, issue.id), db.session.get(Agenda, agenda_id)
        record("consent_opened", actor=db.session.get(User, director.id), issue=issue_row, agenda=agenda_row)
        record(
            "objection_answered",
            actor=db.session.get(User, admitted.id),
            issue=issue_row,
            agenda=agenda_row,
            answer_id=answer_id,
        )
        db.session.commit()

    opened = set(_told(app, "consent_opened"))
    assert opened == {admitted.id, partner.id, wethouder.id}  # the director opened it
    assert not opened & {waiting.id, pending_partner.id, council.id, author.id}
    answered = set(_told(app, "objection_answered"))
    assert partner.id in answered and admitted.id not in answered  # the objector hears; the actor not


def test_a_covenant_tells_its_parties_members_and_the_wethouder(app):
    from app.covenants.models import Covenant, CovenantParty

    process = make_process(app, phase="covenants")
    member = make_user(app, role="partner", org="De Goede Woning")
    signatory = make_user(app, role="partner", org="De Goede Woning", signatory=True)
    outsider = make_user(app, role="partner", org="Stichting Piëzo", signatory=True)
    wethouder = make_user(app, role="wethouder")
    council = make_user(app, role="council")
    with app.app_context():
        from app.accounts.services import find_organisation

        woning = find_organisation("De Goede Woning")
        covenant = Covenant(process_id=process.id, title="Veilig winkelgebied", status="open", current_version=2)
        db.session.add(covenant)
        db.session.flush()
        db.session.add(CovenantParty(covenant_id=covenant.id, party=str(woning.id), organisation_id=woning.id))
        db.session.add(CovenantParty(covenant_id=covenant.id, party="municipality"))
        db.session.flush()
        from app.accounts.models import User
        from app.notifications.events import record

        record("covenant_paused", actor=db.session.get(User, council.id), covenant=covenant, version=2)
        db.session.commit()

    assert set(_told(app, "covenant_paused")) == {member.id, signatory.id, wethouder.id}
    assert outsider.id not in _told(app)


def test_a_membership_decision_tells_the_member(app):
    from app.accounts.models import Membership, User
    from app.notifications.events import record

    partner = make_user(app, role="partner", org="Halte 2717", status="pending")
    director = make_user(app, role="wijkregisseur")
    with app.app_context():
        membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == partner.id))
        record("membership_approved", actor=db.session.get(User, director.id), membership=membership)
        db.session.commit()
    assert _told(app) == {partner.id: {"membership_approved"}}


def test_telling_many_people_costs_a_fixed_number_of_queries(app):
    """One query finds everyone with their choice, one statement inserts the notifications, whatever their number."""
    from app.accounts.models import User
    from app.issues.models import Follow, Issue
    from app.notifications.events import record

    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    director = make_user(app, role="wijkregisseur")
    issue = make_issue(app, process.id, author.id)

    def count_queries(followers: int) -> int:
        with app.app_context():
            for n in range(followers):
                user = User(
                    email=f"volger{followers}-{n}@example.org",
                    display_name="Volger",
                    password_hash="x",
                    role="resident",
                )
                db.session.add(user)
                db.session.flush()
                db.session.add(Follow(issue_id=issue.id, user_id=user.id))
            db.session.commit()
            actor, row = db.session.get(User, director.id), db.session.get(Issue, issue.id)
            statements = []
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            sa.event.listen(db.engine, "before_cursor_execute", listener)
            try:
                record("issue_feedback", actor=actor, issue=row, feedback="Dank voor het meedenken.")
                db.session.flush()
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", listener)
            db.session.rollback()
            if db.engine.dialect.name == "sqlite":
                # the unit of work inserts the instant mails (queue_mail) one by one on SQLite, where RETURNING
                # keeps no order; on PostgreSQL they go in one statement, and are counted
                statements = [s for s in statements if not s.startswith("INSERT INTO outbox_mails")]
            return len(statements)

    few, many = count_queries(2), count_queries(40)
    assert few == many, (few, many)


def test_reactions_placed_on_the_site_tell_the_right_people(app, client, auth):
    """Through the real pages and services: a partner's answer, then a resident's reply to it."""
    from app.issues.models import Comment

    process = make_process(app, phase="issues")
    author = make_user(app, role="resident")
    follower = make_user(app, role="resident")
    partner = make_user(app, role="partner", org="Stichting Piëzo")
    neighbour = make_user(app, role="resident")
    issue = make_issue(app, process.id, author.id, title="Speeltuin")
    _follow_and_support(app, issue.id, follower_id=follower.id)

    auth.login(partner.email)
    answer = {"body": "Wij kunnen helpen met de speeltoestellen.", "stance": "for", "kind": "experience"}
    assert client.post(f"/issues/{issue.id}/comments", data=answer).status_code == 302
    assert _told(app) == {author.id: {"issue_answered"}, follower.id: {"issue_answered"}}

    auth.logout()
    auth.login(neighbour.email)
    with app.app_context():
        answer_id = db.session.scalar(sa.select(Comment.id).where(Comment.author_id == partner.id))
    reply = {"body": "Goed plan, ik help mee.", "stance": "for", "kind": "experience", "parent_id": answer_id}
    assert client.post(f"/issues/{issue.id}/comments", data=reply).status_code == 302
    assert _told(app, "comment_reply") == {partner.id: {"comment_reply"}, author.id: {"comment_reply"}}
    assert neighbour.id not in _told(app)
