"""Photos and PDFs on an issue: adding them, removing one, and serving them (app/issues/attachments.py).

Files are served only to whoever may see their issue: `issue_or_404` applies the one visibility rule
(a hidden or pending issue is 404 for everyone but its author and the moderators, and so is an issue
of a process that is not published), so hiding an issue hides its files at once.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.extensions import db, limiter
from app.forms_common import save
from app.issues import attachments, storage
from app.issues.attachment_forms import AttachmentForm, RemoveAttachmentForm, attachment_form
from app.issues.attachment_models import AttachmentKind, IssueAttachment
from app.issues.models import Issue
from app.issues.views import issue_or_404
from app.policy import require
from app.request_size import larger_body
from app.submissions import made, remember

bp = Blueprint("attachments", __name__, cli_group="uploads")
bp.record_once(lambda _state: storage.track())  # stored files follow the database transaction

# Served files are never pages: nothing in them runs, nothing is guessed about their type.
FILE_CSP = "default-src 'none'; sandbox"
PUBLIC_MAX_AGE = 300  # seconds a shared cache may keep a public issue's file (a hidden issue's file goes soon)


def upload_body_limit(config) -> int:
    """The largest request the add form may send: every free place filled with a file at the limit.

    Only for someone signed in: anyone else gets the site's ordinary limit, so a stranger cannot make the
    server read tens of megabytes (the CSRF check reads the form before the view refuses them).
    """
    if not current_user.is_authenticated:
        return config["MAX_CONTENT_LENGTH"]
    files = config["ISSUE_PHOTOS_MAX"] + config["ISSUE_FILES_MAX"]
    return files * config["ISSUE_UPLOAD_MAX_BYTES"] + config["MAX_CONTENT_LENGTH"]  # and room for the rest


def _per_person():
    return limiter.limit(
        lambda: current_app.config["RATELIMIT_UPLOAD"],
        methods=["POST"],
        key_func=lambda: f"user:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}",
    )


@bp.app_template_global("issue_attachments")
def issue_attachments(issue: Issue) -> list[IssueAttachment]:
    """For the templates: the issue's photos, then its PDFs (one query)."""
    return attachments.attachments_of(issue.id)


def _attachment_or_404(issue: Issue, token: str) -> IssueAttachment:
    if not storage.is_token(token):
        abort(404)
    found = db.session.scalar(
        sa.select(IssueAttachment).where(IssueAttachment.issue_id == issue.id, IssueAttachment.token == token)
    )
    if found is None:
        abort(404)
    return found


# --- adding -----------------------------------------------------------------------------------------


def _upload(form: AttachmentForm, file_field: str, text_field: str) -> attachments.Upload | None:
    """What one row sends, or None for an empty row. A file above the limit is not read at all."""
    sent = form[file_field].data
    text = form[text_field].data or ""
    if not sent and not text.strip():
        return None
    row = {"text": text, "file_field": file_field, "text_field": text_field}
    if not sent:
        return attachments.Upload(data=None, **row)
    stream = sent.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size > current_app.config["ISSUE_UPLOAD_MAX_BYTES"]:
        return attachments.Upload(data=None, too_large=True, **row)
    return attachments.Upload(data=stream.read(), **row)


def _add(form: AttachmentForm, issue: Issue):
    """Check and store the submitted files; None when something is refused (the form then says why)."""
    uploads = [u for file_field, text_field in form.rows if (u := _upload(form, file_field, text_field))]
    if not uploads:
        form.form_errors.append(_("Choose a file first."))
        return None
    try:
        saved = save(
            form,
            lambda: attachments.add(current_user, issue, uploads),
            then=made("attachments", lambda _rows: url_for("issues.show", issue_id=issue.id, _anchor="attachments")),
        )
    except attachments.UploadRefused as refused:
        db.session.rollback()
        for field_name, message in refused.errors:
            form[field_name].errors = [*form[field_name].errors, message]
        saved = None
    return saved.value if saved else None


@bp.route("/issues/<int:issue_id>/files", methods=["GET", "POST"])
@larger_body(max_content_length=upload_body_limit)
@login_required
@_per_person()
def manage(issue_id: int):
    issue = issue_or_404(issue_id)
    require("issue.attach", issue)
    free = attachments.free_places(issue.id)
    free_rows = sum(free.values())
    # A POST reads every row the form can have: places may have filled up since the page was shown,
    # and a file sent in a row we did not read would be lost without a word.
    most = sum(attachments.limits().values())
    form = attachment_form(most if request.method == "POST" else free_rows)()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            added = _add(form, issue)
            if added:
                flash(ngettext("%(num)d file is added.", "%(num)d files are added.", len(added)), "success")
                return redirect(url_for("issues.show", issue_id=issue.id, _anchor="attachments"))
        if any(form[file_field].data for file_field, _text in form.rows):
            form.form_errors.append(_("Nothing is saved yet. Choose your files again: the browser does not keep them."))
        status = 400
    rows = [
        (form[file_field], form[text_field])
        for n, (file_field, text_field) in enumerate(form.rows)
        if n < free_rows or form[file_field].errors or form[text_field].errors
    ]
    return render_template(
        "issues/attachments.html",
        issue=issue,
        form=form,
        rows=rows,
        free=free,
        limits=attachments.limits(),
        max_bytes=current_app.config["ISSUE_UPLOAD_MAX_BYTES"],
    ), status


# --- removing ---------------------------------------------------------------------------------------


@bp.route("/issues/<int:issue_id>/files/<token>/remove", methods=["GET", "POST"])
@login_required
def remove(issue_id: int, token: str):
    issue = issue_or_404(issue_id)
    attachment = _attachment_or_404(issue, token)
    require("attachment.remove", attachment)
    form = RemoveAttachmentForm()
    if form.validate_on_submit():
        back = url_for("issues.show", issue_id=issue.id, _anchor="attachments")
        done = _("The photo is removed.") if attachment.is_photo else _("The PDF is removed.")
        attachments.remove(attachment)
        remember("attachment_removal", None, back)
        db.session.commit()
        flash(done, "success")
        return redirect(back)
    return render_template("issues/attachment_remove.html", issue=issue, attachment=attachment, form=form)


# --- serving ----------------------------------------------------------------------------------------


def _ascii_name(text: str, fallback: str) -> str:
    """A file name that any browser and system takes: ASCII letters, digits and dashes."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:60].strip("-")
    return stem or fallback


def _serve(issue_id: int, token: str, thumbnail: bool):
    issue = issue_or_404(issue_id)
    attachment = _attachment_or_404(issue, token)
    if attachment.kind == AttachmentKind.PDF.value:
        if thumbnail:
            abort(404)
        variant, mime, inline = "pdf", attachment.mime, False
        name = _ascii_name(attachment.alt_text, f"issue-{issue.id}") + ".pdf"
    else:
        variant, mime, inline = ("thumb" if thumbnail else "large"), "image/jpeg", True
        name = f"issue-{issue.id}-photo-{attachment.id}{'-small' if thumbnail else ''}.jpg"
    path = storage.path_of(attachment.token, variant)
    if not path.is_file():
        current_app.logger.warning("stored file missing: %s", path)
        abort(404)
    response = send_file(
        path,
        mimetype=mime,
        as_attachment=not inline,
        download_name=name,
        conditional=True,
        etag=f"{attachment.token}-{variant}",
        last_modified=attachment.created_at,
        max_age=None,
    )
    public = issue.is_visible and issue.process.published_at is not None
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}" if public else "private, no-store"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.route("/issues/<int:issue_id>/files/<token>")
def file(issue_id: int, token: str):
    return _serve(issue_id, token, thumbnail=False)


@bp.route("/issues/<int:issue_id>/files/<token>/thumbnail")
def thumbnail(issue_id: int, token: str):
    return _serve(issue_id, token, thumbnail=True)


# --- the command line -------------------------------------------------------------------------------


@bp.cli.command("tidy")
@click.option("--days", default=1, show_default=True, help="Only files older than this many days.")
def tidy(days: int) -> None:
    """Remove stored files that no photo or PDF refers to (left by a server that stopped while saving)."""
    known = set(db.session.scalars(sa.select(IssueAttachment.token)))
    found = storage.orphans(known, timedelta(days=max(0, days)))
    for path in found:
        path.unlink(missing_ok=True)
    click.echo(f"{len(found)} file(s) removed from {storage.root()}.")
