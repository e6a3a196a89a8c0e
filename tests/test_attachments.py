"""Photos and PDFs added to an issue: checked by content, photos made anew without metadata, limits, all or nothing."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image

from app.extensions import db
from app.issues.attachment_models import IssueAttachment
from tests.attachment_helpers import files_in, jpeg, pdf, png, read_image, setup_issue, upload, webp
from tests.conftest import make_app

NOT_A_PHOTO = "Dit bestand is geen foto (JPEG, PNG of WebP) of PDF."


def rows(app):
    with app.app_context():
        return db.session.scalars(sa.select(IssueAttachment).order_by(IssueAttachment.id)).all()


def store(app) -> Path:
    return Path(app.instance_path) / "uploads"


def served(client, issue_id, row, thumbnail=False):
    response = client.get(f"/issues/{issue_id}/files/{row.token}" + ("/thumbnail" if thumbnail else ""))
    assert response.status_code == 200
    return response


def field_error(page: str, field: str) -> str:
    """The error text shown next to a field (its `<field>-error` element)."""
    start = page.index(f'id="{field}-error"')
    return page[start : page.index("</div>", start)]


# --- photos lose their metadata ---------------------------------------------------------------------


def test_a_photo_with_a_gps_position_is_served_without_any_metadata(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    original = jpeg(gps=True)
    assert read_image(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo does carry a position
    response = upload(client, issue.id, (original, "IMG_2041.jpg", "De kapotte schommel in de speeltuin"))
    assert response.status_code == 302

    (row,) = rows(app)
    for thumbnail in (False, True):
        data = served(client, issue.id, row, thumbnail).data
        image = read_image(data)
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"):
            assert key not in image.info, key
        for trace in (b"Exif", b"GPS", b"Telefoonmerk", b"Cesar Franckrode", b"xmpmeta", b"ICC_PROFILE"):
            assert trace not in data, trace
        assert data != original


def test_photos_are_turned_upright_and_made_smaller_with_a_thumbnail(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    # 2400 x 1200 as stored, with "turn 90 degrees" in its EXIF: upright it is 1200 wide and 2400 high.
    response = upload(client, issue.id, (jpeg(orientation=6), "foto.jpg", "Het hek staat scheef"))
    assert response.status_code == 302
    (row,) = rows(app)
    large = read_image(served(client, issue.id, row).data)
    thumb = read_image(served(client, issue.id, row, thumbnail=True).data)
    assert large.size == (800, 1600) == (row.width, row.height)
    assert thumb.size == (200, 400)
    assert row.mime == "image/jpeg" and row.kind == "photo" and row.size == len(served(client, issue.id, row).data)


@pytest.mark.parametrize(("make", "name"), [(png, "schets.png"), (webp, "foto.webp")])
def test_png_and_webp_photos_are_accepted_and_stored_as_jpeg(app, client, auth, make, name):
    _process, _author, issue = setup_issue(app, auth)
    assert upload(client, issue.id, (make(), name, "Een tekening van het plein")).status_code == 302
    (row,) = rows(app)
    image = read_image(served(client, issue.id, row).data)
    assert image.format == "JPEG" and image.mode == "RGB"


def test_a_transparent_png_gets_a_white_background(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    assert (
        upload(client, issue.id, (png(mode="RGBA"), "logo.png", "Het logo van de buurtvereniging")).status_code == 302
    )
    (row,) = rows(app)
    red, green, blue = read_image(served(client, issue.id, row).data).getpixel((10, 10))
    assert min(red, green, blue) > 240


# --- checked by content, not by name ----------------------------------------------------------------


def test_a_file_named_jpg_that_is_not_an_image_is_refused_next_to_its_field(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    fake = b"MZ\x90\x00 this is a program, not a photo" * 20
    response = upload(client, issue.id, (fake, "vakantie.jpg", "Mijn foto"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert NOT_A_PHOTO in field_error(page, "file_1")
    assert rows(app) == [] and files_in(store(app)) == []


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\x00" * 100,  # a real image format, but not one we take
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    ],
)
def test_other_kinds_of_file_are_refused_whatever_they_are_called(app, client, auth, content):
    _process, _author, issue = setup_issue(app, auth)
    response = upload(client, issue.id, (content, "foto.jpg", "Foto"), data={})
    assert response.status_code == 400 and NOT_A_PHOTO in response.get_data(as_text=True)
    assert rows(app) == []


def test_a_damaged_photo_is_refused(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    broken = jpeg()[:600]  # the header of a JPEG, then nothing
    response = upload(client, issue.id, (broken, "foto.jpg", "Foto van de stoep"))
    assert response.status_code == 400
    assert "kon niet worden gelezen" in field_error(response.get_data(as_text=True), "file_1")
    assert rows(app) == []


def test_a_decompression_bomb_is_refused_before_it_is_decoded(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    bomb = io.BytesIO()
    Image.new("1", (10_000, 9_500)).save(bomb, "PNG")  # 95 million pixels in a few kilobytes
    assert len(bomb.getvalue()) < 100_000
    response = upload(client, issue.id, (bomb.getvalue(), "foto.png", "Een heel grote foto"))
    assert response.status_code == 400
    assert "te veel pixels" in field_error(response.get_data(as_text=True), "file_1")
    assert rows(app) == []


def test_the_pixel_limit_is_a_setting(schema_template, tmp_path, monkeypatch):
    from tests.conftest import AuthActions, empty_database

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(empty_database(schema_template, tmp_path), ISSUE_PHOTO_MAX_PIXELS=100_000)
    client = app.test_client()
    _process, _author, issue = setup_issue(app, AuthActions(app, client))
    response = upload(client, issue.id, (jpeg(size=(400, 300)), "a.jpg", "Foto"))
    assert response.status_code == 400 and "te veel pixels" in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


# --- PDFs ---------------------------------------------------------------------------------------------


def test_a_pdf_is_kept_as_sent_and_shown_with_its_title_and_size(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    document = pdf(size=162_200)
    response = upload(client, issue.id, (document, "scan 3.pdf", "Tekening van de speeltuin"))
    assert response.status_code == 302
    (row,) = rows(app)
    assert (row.kind, row.mime, row.alt_text, row.size) == (
        "pdf",
        "application/pdf",
        "Tekening van de speeltuin",
        162_200,
    )
    assert served(client, issue.id, row).data == document
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Tekening van de speeltuin</a>" in page and "(PDF, 162,2 kB)" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (pdf()[:-8], "kon niet worden gelezen"),  # no end-of-file marker: cut off
        (b"%PDF-" + b"garbage", "kon niet worden gelezen"),
        (pdf(body=b"2 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"), "script"),
        (pdf(body=b"3 0 obj << /S /Launch /F (cmd.exe) >> endobj"), "script"),
        (pdf(body=b"4 0 obj << /EmbeddedFiles 5 0 R >> endobj"), "bijgevoegde bestanden"),
    ],
)
def test_pdfs_that_are_damaged_or_run_something_are_refused(app, client, auth, content, message):
    _process, _author, issue = setup_issue(app, auth)
    response = upload(client, issue.id, (content, "plan.pdf", "Plan"))
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), "file_1")
    assert rows(app) == []


# --- descriptions -------------------------------------------------------------------------------------


def test_every_photo_needs_a_text_alternative_and_a_pdf_a_title(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    response = upload(client, issue.id, (jpeg(), "a.jpg", "  "), (pdf(), "b.pdf", ""))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Beschrijf wat er op de foto staat" in field_error(page, "text_1")
    assert "Geef de PDF een titel" in field_error(page, "text_2")
    assert rows(app) == []


def test_a_description_has_at_most_200_characters_and_becomes_one_line(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    response = upload(client, issue.id, (jpeg(), "a.jpg", "x" * 201))
    assert response.status_code == 400 and "201" in field_error(response.get_data(as_text=True), "text_1")
    response = upload(client, issue.id, (jpeg(), "a.jpg", "De   schommel\t hangt scheef"))
    assert response.status_code == 302
    assert rows(app)[0].alt_text == "De schommel hangt scheef"


def test_a_description_without_a_file_is_pointed_out(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    response = upload(client, issue.id, (None, "", "Een foto die ik vergat te kiezen"))
    assert response.status_code == 400
    assert "Kies een bestand" in field_error(response.get_data(as_text=True), "file_1")


def test_an_empty_form_asks_for_a_file(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    response = upload(client, issue.id, (None, "", ""))
    assert response.status_code == 400 and "Kies eerst een bestand" in response.get_data(as_text=True)


# --- nothing saved half, limits ----------------------------------------------------------------------


def test_when_the_third_of_three_files_is_bad_none_is_saved(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    response = upload(
        client,
        issue.id,
        (jpeg(), "een.jpg", "De speeltuin"),
        (png(), "twee.png", "Het plein"),
        (b"not an image at all", "drie.jpg", "De stoep"),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert NOT_A_PHOTO in field_error(page, "file_3")
    assert "Er is nog niets opgeslagen" in page
    assert rows(app) == [] and files_in(store(app)) == []


def test_an_issue_takes_at_most_four_photos_and_one_pdf(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    photos = [(jpeg(color=(i * 40, 10, 10)), f"{i}.jpg", f"Foto {i}") for i in range(1, 5)]
    assert upload(client, issue.id, *photos, (pdf(), "plan.pdf", "Plan")).status_code == 302
    assert len(rows(app)) == 5
    form = client.get(f"/issues/{issue.id}/files").get_data(as_text=True)
    assert 'type="file"' not in form and "zoveel foto" in form  # no places left, and it says so

    response = upload(client, issue.id, (jpeg(color=(1, 200, 1)), "5.jpg", "Foto 5"))
    assert response.status_code == 400 and "hoogstens 4 foto" in field_error(response.get_data(as_text=True), "file_1")
    response = upload(client, issue.id, (pdf(size=500), "plan2.pdf", "Plan 2"))
    assert response.status_code == 400 and "hoogstens 1 PDF" in field_error(response.get_data(as_text=True), "file_1")
    assert len(rows(app)) == 5


def test_the_form_offers_as_many_rows_as_there_are_free_places(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    page = client.get(f"/issues/{issue.id}/files").get_data(as_text=True)
    assert page.count('type="file"') == 5
    upload(client, issue.id, (jpeg(), "a.jpg", "Een"), (jpeg(color=(1, 2, 3)), "b.jpg", "Twee"))
    assert client.get(f"/issues/{issue.id}/files").get_data(as_text=True).count('type="file"') == 3


def test_the_same_file_twice_is_pointed_out(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    photo = jpeg()
    response = upload(client, issue.id, (photo, "a.jpg", "Een"), (photo, "b.jpg", "Twee"))
    assert response.status_code == 400 and "al toegevoegd" in field_error(response.get_data(as_text=True), "file_2")
    assert rows(app) == []


def test_two_different_photos_with_the_same_description_are_two(app, client, auth):
    """A form sent again is recognised by its content: the files count, not only the text fields."""
    _process, _author, issue = setup_issue(app, auth)
    for color in ((250, 0, 0), (0, 0, 250)):
        form = {"submission_id": f"token-for-color-{color[0]:03d}-{color[2]:03d}"}
        assert upload(client, issue.id, (jpeg(color=color), "a.jpg", "De speeltuin"), data=form).status_code == 302
    assert len(rows(app)) == 2


def test_a_file_above_the_limit_is_refused_next_to_its_field(schema_template, tmp_path, monkeypatch):
    from tests.conftest import AuthActions, empty_database

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(empty_database(schema_template, tmp_path), ISSUE_UPLOAD_MAX_BYTES=20_000)
    client = app.test_client()
    _process, _author, issue = setup_issue(app, AuthActions(app, client))
    big = jpeg(size=(800, 800), noise=True)
    assert len(big) > 20_000
    response = upload(client, issue.id, (big, "groot.jpg", "Groot"))
    assert response.status_code == 400
    assert "groter dan 20,0 kB" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssueAttachment)) == 0
        db.engine.dispose()


def test_the_upload_route_alone_takes_more_than_the_site_wide_request_limit(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    big = jpeg(size=(2000, 1500), noise=True, quality=100)
    assert app.config["MAX_CONTENT_LENGTH"] < len(big) < app.config["ISSUE_UPLOAD_MAX_BYTES"]
    assert upload(client, issue.id, (big, "groot.jpg", "Een grote foto")).status_code == 302
    # Everywhere else the site-wide limit holds.
    response = client.post(f"/issues/{issue.id}/comments", data={"body": "x", "file": (io.BytesIO(big), "a.jpg")})
    assert response.status_code == 413


def test_a_request_above_the_upload_routes_own_limit_is_refused(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    app.config["ISSUE_UPLOAD_MAX_BYTES"] = 200_000  # the route's limit follows the setting: 5 files and 1 MB
    too_much = b"\x00" * (5 * 200_000 + app.config["MAX_CONTENT_LENGTH"] + 10)
    response = upload(client, issue.id, (too_much, "a.jpg", "Foto"))
    assert response.status_code == 413
    assert rows(app) == []


# --- the file store -----------------------------------------------------------------------------------


def test_files_are_named_by_a_random_token_with_private_permissions(app, client, auth):
    _process, _author, issue = setup_issue(app, auth)
    upload(client, issue.id, (jpeg(), "Jansen-Cesar-Franckrode-12.jpg", "Foto"), (pdf(), "mijn-brief.pdf", "Brief"))
    stored = files_in(store(app))
    assert len(stored) == 3  # large, thumbnail, PDF
    names = " ".join(str(p) for p in stored)
    assert "Jansen" not in names and "brief" not in names and ".part" not in names
    tokens = {row.token for row in rows(app)}
    assert {p.name.split(".")[0] for p in stored} == tokens
    for path in stored:
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        assert stat.S_IMODE(path.parent.stat().st_mode) & 0o007 == 0  # nothing for others


def test_the_storage_place_is_a_setting(schema_template, tmp_path, monkeypatch):
    from tests.conftest import AuthActions, empty_database

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    shared = tmp_path / "shared-volume"
    app = make_app(empty_database(schema_template, tmp_path), UPLOAD_FOLDER=str(shared))
    client = app.test_client()
    _process, _author, issue = setup_issue(app, AuthActions(app, client))
    assert upload(client, issue.id, (jpeg(), "a.jpg", "Foto")).status_code == 302
    assert len(files_in(shared)) == 2 and files_in(tmp_path / "instance" / "uploads") == []
    with app.app_context():
        db.engine.dispose()


def test_files_written_in_a_transaction_that_is_rolled_back_are_removed(app, auth):
    from app.accounts.models import User
    from app.issues import attachments
    from app.issues.models import Issue

    _process, author, issue = setup_issue(app, auth)
    with app.test_request_context(method="POST"):
        added = attachments.add(
            db.session.get(User, author.id),
            db.session.get(Issue, issue.id),
            [attachments.Upload(data=jpeg(), text="Foto", file_field="file_1", text_field="text_1")],
        )
        assert len(added) == 1 and len(files_in(store(app))) == 2
        db.session.rollback()
        assert files_in(store(app)) == []


def test_tidy_removes_files_without_a_row(app, client, auth, runner):
    _process, _author, issue = setup_issue(app, auth)
    upload(client, issue.id, (jpeg(), "a.jpg", "Foto"))
    kept = files_in(store(app))
    stray = store(app) / "issues" / "zz" / ("z" * 32 + ".large")
    stray.parent.mkdir()
    stray.write_bytes(b"left by a crash")
    old = 1_000_000_000
    for path in [stray, *kept]:
        os.utime(path, (old, old))
    result = runner.invoke(args=["uploads", "tidy"])
    assert result.exit_code == 0 and "1 file(s) removed" in result.output
    assert files_in(store(app)) == kept
