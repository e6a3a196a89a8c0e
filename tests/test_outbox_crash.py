"""A worker killed between the SMTP server's acceptance and recording it: the mail is sent again after the
lease, with the same Message-ID (mail clients show one message for one Message-ID), and recorded once.

A real SMTP server (aiosmtpd) receives the mails; a real process queues a mail, delivers it right after its
commit and dies (os._exit) the moment the server accepted it: MAIL_TEST_CRASH_AFTER_SEND, read only when
TESTING (app/mail/sender.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail import deliver_due
from app.mail.models import OutboxMail
from app.models_common import utcnow
from tests.conftest import make_app
from tests.smtp_server import mail_settings, smtp  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import json, sys
from app import create_app
from app.extensions import db
from app.mail import deliver_due, queue_mail
from config import TestingConfig

app = create_app(TestingConfig, json.loads(sys.argv[1]))
with app.app_context():
    queue_mail(kind="system", to="bewoner@example.org", subject="Uw link", body="Een link: https://x/1")
    db.session.commit()  # delivery starts right after the commit, and dies once the server accepted the mail
    deliver_due()  # (in case delivery did not run at the commit)
"""


@pytest.fixture
def settings(database_url, smtp):  # noqa: F811
    return {"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": None, **mail_settings(smtp)}


def run_worker(settings: dict, tmp_path, crash: bool) -> int:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT)}
    env.pop("MAIL_TEST_CRASH_AFTER_SEND", None)
    if crash:
        env["MAIL_TEST_CRASH_AFTER_SEND"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(settings)], cwd=ROOT, env=env, timeout=120, capture_output=True
    )
    assert done.returncode == (9 if crash else 0), done.stderr.decode()[-2000:]
    return done.returncode


def the_row(app) -> OutboxMail:
    with app.app_context():
        row = db.session.scalars(sa.select(OutboxMail)).one()
        db.session.expunge(row)
        return row


def test_a_worker_killed_after_sending_resends_with_the_same_message_id(settings, smtp, tmp_path):  # noqa: F811
    run_worker(settings, tmp_path, crash=True)
    app = make_app(settings["SQLALCHEMY_DATABASE_URI"], **mail_settings(smtp))

    [first] = smtp.received  # the server has it ...
    row = the_row(app)
    assert row.status == "sending" and row.sent_at is None  # ... but the worker died before recording it

    with app.app_context():
        assert deliver_due() == 0  # the claim still holds: another worker leaves the row alone
        assert len(smtp.received) == 1
        # ten minutes later (the lease): the row is taken over and sent again
        db.session.execute(sa.update(OutboxMail).values(claimed_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
        assert deliver_due() == 1
        assert deliver_due() == 0

    first_again, second = smtp.received
    assert first_again is first
    assert first["Message-ID"] == second["Message-ID"] == row.message_id  # one message to the mail client
    assert first["Subject"] == second["Subject"] and first.get_content() == second.get_content()
    row = the_row(app)
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 2 and row.body == ""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_worker_that_lives_sends_exactly_once(settings, smtp, tmp_path):  # noqa: F811
    run_worker(settings, tmp_path, crash=False)
    app = make_app(settings["SQLALCHEMY_DATABASE_URI"], **mail_settings(smtp))
    assert len(smtp.received) == 1
    row = the_row(app)
    assert row.status == "sent" and row.attempts == 1
    with app.app_context():
        db.session.execute(sa.update(OutboxMail).values(claimed_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        assert deliver_due() == 0  # a sent row is never taken over, however old its claim
        db.session.remove()
        db.engine.dispose()
    assert len(smtp.received) == 1


def test_the_crash_hook_works_only_in_tests(settings, smtp, monkeypatch):  # noqa: F811
    """Outside TESTING the variable is ignored: a production worker never kills itself."""
    from app.mail import queue_mail

    monkeypatch.setenv("MAIL_TEST_CRASH_AFTER_SEND", "1")
    app = make_app(settings["SQLALCHEMY_DATABASE_URI"], TESTING=False, **mail_settings(smtp))
    with app.app_context():
        queue_mail(kind="system", to="a@example.org", subject="Onderwerp", body="Tekst")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert len(smtp.received) == 1  # we are still here, and it was sent
