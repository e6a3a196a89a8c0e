"""PDFs that would act by themselves are refused, also when their names are escaped or their objects
compressed; ordinary PDFs (as WeasyPrint or LibreOffice write them, photos inside) are kept."""

from __future__ import annotations

import os
import zlib

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.issues import pdf_check
from app.issues.attachment_models import IssueAttachment
from tests.attachment_helpers import pdf, setup_issue, upload

SCRIPT = "script"
UNCHECKABLE = "niet kunnen controleren"


def object_stream(inner: bytes, dictionary: bytes = b"/Filter /FlateDecode", data: bytes | None = None) -> bytes:
    """A PDF whose catalog (`inner`, object 1) sits inside a compressed object stream (object 4)."""
    header = b"1 0 "
    content = data if data is not None else zlib.compress(header + inner)
    stream = (
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First %d %s /Length %d >>\nstream\n" % (len(header), dictionary, len(content))
        + content
        + b"\nendstream\nendobj\n"
    )
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        + stream
        + b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + b"trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )


def stored(app) -> list[IssueAttachment]:
    with app.app_context():
        return db.session.scalars(sa.select(IssueAttachment)).all()


def refused_with(app, client, auth, content: bytes) -> str:
    _process, _author, issue = setup_issue(app, auth)
    response = upload(client, issue.id, (content, "plan.pdf", "Plan"))
    assert response.status_code == 400
    assert stored(app) == []
    page = response.get_data(as_text=True)
    start = page.index('id="file_1-error"')
    return page[start : page.index("</div>", start)]


def kept(app, client, auth, content: bytes) -> None:
    _process, _author, issue = setup_issue(app, auth)
    response = upload(client, issue.id, (content, "plan.pdf", "Plan"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(stored(app)) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"5 0 obj << /S /J#61vaScript /JS (app.alert(1)) >> endobj",  # /JavaScript, escaped
        b"5 0 obj << /S /#4a#61#76#61#53#63#72#69#70#74 /J#53 (app.alert(1)) >> endobj",  # all escaped
        b"5 0 obj << /Type /Catalog /Op#65nAction << /S /URI /URI (https://example.org/t) >> >> endobj",
        b"5 0 obj << /Type /Page /AA << /O 6 0 R >> >> endobj",  # an action when the page opens
        b"5 0 obj << /AcroForm << /XFA 7 0 R >> >> endobj",
        b"5 0 obj << /S /SubmitForm /F (https://example.org/collect) >> endobj",
        b"5 0 obj << /S /ImportData /F (data.fdf) >> endobj",
        b"5 0 obj << /S /GoToE /T << /R /C /N (a.pdf) >> >> endobj",
        b"5 0 obj << /S /GoToR /F (\\\\\\\\server\\\\share\\\\a.pdf) >> endobj",
        b"5 0 obj << /Subtype /RichMedia >> endobj",
        b"5 0 obj << /Subtype /FileAttachment /FS << /EF << /F 8 0 R >> >> >> endobj",
        b"5 0 obj << /S /JavaScript\n/JS %a comment first\n<6170702e616c657274283129> >> endobj",
    ],
)
def test_actions_and_attached_files_are_refused_however_their_names_are_written(app, client, auth, body):
    assert SCRIPT in refused_with(app, client, auth, pdf(body=body))


def test_a_script_on_opening_inside_a_compressed_object_stream_is_refused(app, client, auth):
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    document = object_stream(catalog)
    assert b"JavaScript" not in document  # hidden from a look at the bytes as sent
    assert SCRIPT in refused_with(app, client, auth, document)


def test_escaped_names_inside_an_object_stream_are_found_too(app, client, auth):
    catalog = b"<< /Type /Catalog /Pages 2 0 R /Names << /J#61vaScript 9 0 R >> >>"
    assert SCRIPT in refused_with(app, client, auth, object_stream(catalog))


@pytest.mark.parametrize(
    ("dictionary", "data"),
    [
        # objects behind another encoding, or behind a predictor: what zlib gives is not what a reader reads
        (b"/Filter [/ASCIIHexDecode /FlateDecode]", zlib.compress(b"1 0 << >>").hex().encode() + b">"),
        (b"/Filter /LZWDecode", b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01"),
        (b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>", zlib.compress(b"\x00" + b"1 0 ")),
        # a zip bomb: a few kilobytes that inflate past the bound
        (b"/Filter /FlateDecode", zlib.compress(b"1 0 " + b" " * (pdf_check.STREAM_BUDGET + 10), 9)),
        # broken after the start
        (b"/Filter /FlateDecode", zlib.compress(b"1 0 << /Type /Catalog >>")[:-6] + b"\xff" * 40),
    ],
)
def test_object_streams_we_cannot_read_to_the_end_are_refused(app, client, auth, dictionary, data):
    assert UNCHECKABLE in refused_with(app, client, auth, object_stream(b"", dictionary, data))


def test_an_ordinary_pdf_with_compressed_objects_and_a_link_is_kept(app, client, auth):
    weasyprint = pytest.importorskip("weasyprint")
    document = weasyprint.HTML(
        string="<h1>Speeltuin Cesar Franckrode</h1><p>Plan met <a href='https://example.org'>een link</a>.</p>"
    ).write_pdf()
    assert b"/ObjStm" in document and b"/FlateDecode" in document  # compressed objects, as most PDFs have
    kept(app, client, auth, document)


def test_a_pdf_that_opens_at_a_page_is_kept(app, client, auth):
    # LibreOffice writes where to open as a destination: no action
    kept(app, client, auth, pdf(body=b"9 0 obj << /Type /Catalog /OpenAction [3 0 R /XYZ null null 0] >> endobj"))


def test_photos_inside_a_pdf_do_not_look_like_scripts(app, client, auth):
    # compressed picture data is random bytes: by chance it holds "/JS" or "/AA" now and then
    noise = os.urandom(3000)
    picture = noise[:1000] + b"/JS\n" + noise[1000:2000] + b"/AA " + noise[2000:] + b"/EF)"
    image = b"6 0 obj << /Subtype /Image /Filter /DCTDecode /Length %d >>\nstream\n" % len(picture)
    pixels = zlib.compress(noise + b"/JS\n" + noise)
    flate = b"7 0 obj << /Subtype /Image /Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels)
    body = image + picture + b"\nendstream endobj\n" + flate + pixels + b"\nendstream endobj\n"
    big = zlib.compress(b"\x00" * (pdf_check.STREAM_BUDGET + 10), 9)  # a large, plain picture: read partly, kept
    body += b"8 0 obj << /Subtype /Image /Filter /FlateDecode /Length %d >>\nstream\n" % len(big) + big
    body += b"\nendstream endobj\n"
    assert pdf_check.inspect(pdf(body=body)) is None


def test_page_text_with_a_name_in_it_is_not_a_script():
    # a resource called /JS1 or an /AAA is not /JS or /AA
    body = b"5 0 obj << /Font << /JS1 6 0 R /AAA 7 0 R /EFX 8 0 R >> >> endobj"
    assert pdf_check.inspect(pdf(body=body)) is None
