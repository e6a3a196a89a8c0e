"""Photos and PDFs on an issue: checked by what they contain, photos made anew, stored, removed.

What a person sends is never stored or served as sent:

- The kind is read from the content, not from the file's name or the Content-Type the browser
  claims: a photo is what Pillow decodes as JPEG, PNG or WebP (only those decoders are allowed, so
  no other file format's decoder ever sees an upload), a PDF is a file that looks like one.
- A photo is decoded fully (`verify`, then a fresh `load`), bounded in pixels against decompression
  bombs, turned upright (its EXIF orientation), resized and encoded again as a JPEG without any
  metadata: no EXIF (camera, time, GPS position), no XMP, no comments, no colour profile (colours
  are converted to sRGB first, which browsers assume). A 400 px thumbnail is made beside it.
- A PDF is stored as sent after a check for scripts, actions and attached files (`check_pdf`).

Nothing is saved half: every file of a submission is checked and converted in memory first; one bad
file and none is stored, with the reason next to its field. Files are then written to the store
(app/issues/storage.py) and follow the transaction: a rollback deletes them again.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps

from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db
from app.issues import pdf_check, storage
from app.issues.attachment_models import LARGE, THUMB, AttachmentKind, IssueAttachment
from app.issues.models import Issue, lock_issue
from app.templating import file_size

TEXT_MAX = 200
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
PDF_MIME = "application/pdf"
JPEG_MIME = "image/jpeg"
NOT_ACCEPTED = _l("This file is not a photo (JPEG, PNG or WebP) or a PDF.")
UNREADABLE = _l("This photo could not be read. It may be damaged: try another one.")

# A decompression bomb (a small file that decodes into a huge image) is refused, never decoded. Our own
# limit (`ISSUE_PHOTO_MAX_PIXELS`, 40 million by default) is checked on the header before decoding; it is
# per app and configurable, so Pillow's process-wide `Image.MAX_IMAGE_PIXELS` stays as it is for the rest
# of the process (WeasyPrint, charts). Above that global Pillow itself warns while opening (and raises above
# twice it): the warning is turned into an error while we open a photo (`_no_bombs`).

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")


@dataclass
class Upload:
    """One file as a person sent it, with the description they gave, and the form fields they are in."""

    data: bytes | None  # None: no file chosen in this row
    text: str
    file_field: str = ""
    text_field: str = ""
    too_large: bool = False  # larger than allowed: not even read


@dataclass
class Prepared:
    """A checked file, converted and ready to store."""

    kind: str
    mime: str
    large: bytes
    thumb: bytes | None
    width: int | None
    height: int | None
    text: str
    digest: str


class UploadRefused(Exception):
    """One or more files of a submission were refused; `errors` are (form field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(message for _field, message in errors))
        self.errors = errors


# --- reading what a file is ---------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The kind of file by its first bytes: "photo", "pdf", or None for anything else."""
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentKind.PHOTO.value
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return AttachmentKind.PHOTO.value
    if data.startswith(b"%PDF-"):
        return AttachmentKind.PDF.value
    return None


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise DomainError(str(UNREADABLE))
    if width * height > max_pixels:
        raise DomainError(_too_many_pixels(max_pixels))


def _too_many_pixels(max_pixels: int) -> str:
    return _(
        "This photo has too many pixels (at most %(megapixels)s million). Make it smaller and try again.",
        megapixels=max(1, max_pixels // 1_000_000),
    )


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=PHOTO_FORMATS)


@contextmanager
def _no_bombs() -> Iterator[None]:
    """Pillow's decompression bomb warning is an error here.

    `catch_warnings` is not thread-safe: with threads the error filter may outlive the block, which
    only makes the same warning an error elsewhere too; it never lets one through here (the pixel
    check below `_open` refuses such images anyway).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _upright_srgb(image: Image.Image) -> Image.Image:
    """The decoded photo turned as the camera meant it, its colours in sRGB, on white where transparent."""
    icc = image.info.get("icc_profile")
    factor = max(image.size) // LARGE
    if factor >= 2:  # shrink first, cheaply, so the copies below stay small (keeps `info`, so the EXIF)
        with suppress(ValueError):  # a mode `reduce` does not take: go on at full size
            image = image.reduce(factor)
    picture = ImageOps.exif_transpose(image)
    if icc and picture.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if picture.mode == "RGBA" else "RGB"
            picture = ImageCms.profileToProfile(picture, source, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the colours as they are
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    rgba = picture.convert("RGBA" if has_alpha else "RGB")
    # A new image carries nothing of the original: no EXIF, XMP, comment or profile in `info`.
    clean = Image.new("RGB", rgba.size, "white")
    clean.paste(rgba, mask=rgba.getchannel("A") if has_alpha else None)
    return clean


def _jpeg(picture: Image.Image, longest: int, quality: int) -> tuple[bytes, int, int]:
    copy = picture.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height


def prepare_photo(data: bytes, text: str, max_pixels: int) -> Prepared:
    """Decode, check and re-encode a photo; DomainError when it is not a readable, reasonable image."""
    max_pixels = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)  # never above Pillow's own bound
    try:
        with _no_bombs(), _open(data) as probe:  # reads the header only
            _check_pixels(probe.size, max_pixels)
            probe.verify()  # walks the file's structure without decoding it all
        with _no_bombs(), _open(data) as image:  # `verify` leaves an image unusable: open it again to decode
            _check_pixels(image.size, max_pixels)
            if image.format == "JPEG":
                image.draft("RGB", (LARGE, LARGE))  # decode at a reduced scale where JPEG allows it
            image.load()
            picture = _upright_srgb(image)
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError(_too_many_pixels(max_pixels)) from None
    except Exception:  # a crafted file can make a decoder raise anything: it is refused, not a 500
        current_app.logger.info("photo refused: could not be decoded", exc_info=True)
        raise DomainError(str(UNREADABLE)) from None
    large, width, height = _jpeg(picture, LARGE, 85)
    thumb, _w, _h = _jpeg(picture, THUMB, 80)
    return Prepared(
        kind=AttachmentKind.PHOTO.value,
        mime=JPEG_MIME,
        large=large,
        thumb=thumb,
        width=width,
        height=height,
        text=text,
        digest=hashlib.sha256(data).hexdigest(),
    )


def check_pdf(data: bytes, text: str) -> Prepared:
    """A light check that the file is a PDF with nothing in it that acts by itself.

    We never open, parse or render a PDF on the server (so no PDF parser's bugs are in reach of an
    upload), and we serve it only as a download: `Content-Disposition: attachment`, the type
    `application/pdf`, `X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy,
    so no browser shows it as a page of this site or runs anything in it here. What the check must
    keep out is a file that is not a PDF at all (a renamed program, an HTML page): it must begin with
    the PDF header and end with the end-of-file marker, as every PDF writer makes it. Scripts, actions
    and attached files that a PDF reader would run or open are refused, also when their names are
    escaped or their objects compressed (app/issues/pdf_check.py says how, and where that stops).
    """
    if not _PDF_HEADER.match(data[:8]) or b"%%EOF" not in data[-1024:]:
        raise DomainError(_("This PDF could not be read. It may be damaged: save it again and try once more."))
    finding = pdf_check.inspect(data)
    if finding is pdf_check.Finding.ACTIVE:
        raise DomainError(
            _(
                "This PDF contains a script or attached files. Save it again without them (for example with"
                " 'Print to PDF') and try once more."
            )
        )
    if finding is pdf_check.Finding.UNCHECKABLE:
        raise DomainError(
            _(
                "This PDF is packed in a way we cannot check. Save it again (for example with 'Print to PDF')"
                " and try once more."
            )
        )
    return Prepared(
        kind=AttachmentKind.PDF.value,
        mime=PDF_MIME,
        large=data,
        thumb=None,
        width=None,
        height=None,
        text=text,
        digest=hashlib.sha256(data).hexdigest(),
    )


# --- the service ----------------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    return " ".join((text or "").split())  # one line: no line breaks or runs of spaces in an alt text


def limits() -> dict[str, int]:
    config = current_app.config
    return {AttachmentKind.PHOTO.value: config["ISSUE_PHOTOS_MAX"], AttachmentKind.PDF.value: config["ISSUE_FILES_MAX"]}


def _too_many(kind: str, most: int) -> str:
    if kind == AttachmentKind.PHOTO.value:
        return ngettext("An issue can have at most %(num)d photo.", "An issue can have at most %(num)d photos.", most)
    return ngettext("An issue can have at most %(num)d PDF.", "An issue can have at most %(num)d PDFs.", most)


def _check_one(upload: Upload, max_bytes: int, max_pixels: int) -> Prepared:
    """The checked, converted file of one row; DomainError (with the field) when it is refused."""
    text = _clean_text(upload.text)
    if upload.too_large:
        raise DomainError(
            _("This file is larger than %(size)s. Choose a smaller file.", size=file_size(max_bytes)), upload.file_field
        )
    if upload.data is None:
        raise DomainError(_("Choose a file for this description, or empty the description."), upload.file_field)
    if not upload.data:
        raise DomainError(_("This file is empty."), upload.file_field)
    if len(text) > TEXT_MAX:
        numbers = {"max": format_number(TEXT_MAX), "length": format_number(len(text))}
        raise DomainError(
            _("This can be at most %(max)s characters. You now have %(length)s.", **numbers), upload.text_field
        )
    kind = sniff(upload.data)
    if kind is None:
        raise DomainError(str(NOT_ACCEPTED), upload.file_field)
    if not text:
        message = (
            _("Describe what is on the photo, for people who cannot see it.")
            if kind == AttachmentKind.PHOTO.value
            else _("Give the PDF a title.")
        )
        raise DomainError(message, upload.text_field)
    try:
        if kind == AttachmentKind.PHOTO.value:
            return prepare_photo(upload.data, text, max_pixels)
        return check_pdf(upload.data, text)
    except DomainError as error:
        raise DomainError(error.message, upload.file_field) from None


def attachments_of(issue_id: int) -> list[IssueAttachment]:
    """The issue's photos (in the order they were added), then its PDFs."""
    photos_first = sa.case((IssueAttachment.kind == AttachmentKind.PHOTO.value, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(IssueAttachment)
            .where(IssueAttachment.issue_id == issue_id)
            .order_by(photos_first, IssueAttachment.id)
        )
    )


def free_places(issue_id: int) -> dict[str, int]:
    """How many more photos and PDFs the issue can take."""
    counts = dict(
        db.session.execute(
            sa.select(IssueAttachment.kind, sa.func.count())
            .where(IssueAttachment.issue_id == issue_id)
            .group_by(IssueAttachment.kind)
        ).all()
    )
    return {kind: max(0, most - counts.get(kind, 0)) for kind, most in limits().items()}


def add(uploader: User, issue: Issue, uploads: list[Upload]) -> list[IssueAttachment]:
    """Check every file, then store them all, or none: `UploadRefused` names each refused one.

    The issue's row is locked first, so two submissions at once cannot pass the limits together.
    """
    lock_issue(issue.id)
    config = current_app.config
    free = free_places(issue.id)
    seen = set(db.session.scalars(sa.select(IssueAttachment.digest).where(IssueAttachment.issue_id == issue.id)))
    prepared: list[Prepared] = []
    errors: list[tuple[str, str]] = []
    for upload in uploads:
        try:
            item = _check_one(upload, config["ISSUE_UPLOAD_MAX_BYTES"], config["ISSUE_PHOTO_MAX_PIXELS"])
        except DomainError as error:
            errors.append((error.field or upload.file_field, error.message))
            continue
        if item.digest in seen:
            errors.append((upload.file_field, _("This file is already added to this issue.")))
            continue
        if free[item.kind] <= 0:
            errors.append((upload.file_field, _too_many(item.kind, limits()[item.kind])))
            continue
        seen.add(item.digest)
        free[item.kind] -= 1
        prepared.append(item)
    if errors:
        raise UploadRefused(errors)
    rows = [
        IssueAttachment(
            issue_id=issue.id,
            uploader_id=uploader.id,
            token=storage.new_token(),
            kind=item.kind,
            mime=item.mime,
            size=len(item.large),
            width=item.width,
            height=item.height,
            alt_text=item.text,
            digest=item.digest,
        )
        for item in prepared
    ]
    db.session.add_all(rows)
    db.session.flush()
    for row, item in zip(rows, prepared, strict=True):
        if item.kind == AttachmentKind.PHOTO.value:
            storage.write(row.token, "large", item.large, db.session)
            storage.write(row.token, "thumb", item.thumb, db.session)
        else:
            storage.write(row.token, "pdf", item.large, db.session)
    return rows


def variants(attachment: IssueAttachment) -> tuple[str, ...]:
    return ("large", "thumb") if attachment.is_photo else ("pdf",)


def remove(attachment: IssueAttachment) -> None:
    """Delete the row; its files go once that is committed."""
    db.session.delete(attachment)
    db.session.flush()
    storage.remove_after_commit(db.session, attachment.token, variants(attachment))
