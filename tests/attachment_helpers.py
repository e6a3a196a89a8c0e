"""Files for the attachment tests, made with Pillow on the spot, and a helper to send them."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import ExifTags, Image, ImageCms

from tests.conftest import make_issue, make_process, make_user


def jpeg(size=(2400, 1200), color=(200, 40, 40), gps=True, orientation=None, quality=90, noise=False) -> bytes:
    """A JPEG like a phone makes: camera data, a GPS position, an XMP packet, a comment, a colour profile."""
    image = Image.effect_noise(size, 80).convert("RGB") if noise else Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefoonmerk"
    exif[ExifTags.Base.Model] = "Model 12"
    exif[ExifTags.Base.DateTime] = "2026:05:01 14:33:07"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        position = exif.get_ifd(ExifTags.IFD.GPSInfo)
        position[ExifTags.GPS.GPSLatitudeRef] = "N"
        position[ExifTags.GPS.GPSLatitude] = (52.0, 3.0, 30.5)
        position[ExifTags.GPS.GPSLongitudeRef] = "E"
        position[ExifTags.GPS.GPSLongitude] = (4.0, 29.0, 12.25)
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif,
        quality=quality,
        comment=b"Gemaakt bij Cesar Franckrode 12",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Cesar Franckrode</x:xmpmeta>',
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )
    return out.getvalue()


def png(size=(300, 200), mode="RGBA") -> bytes:
    image = Image.new(mode, size, (10, 120, 10, 0) if mode == "RGBA" else (10, 120, 10))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 20, 160)).save(out, "WEBP")
    return out.getvalue()


def pdf(size: int | None = None, body: bytes = b"") -> bytes:
    """A small, valid-looking PDF; padded with a comment to exactly `size` bytes."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + body
    tail = b"\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    data = head + tail
    if size is not None:
        padding = size - len(data) - 2
        data = head + b"\n%" + b"x" * padding + tail
        assert len(data) == size
    return data


def read_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def setup_issue(app, auth, **issue_kwargs):
    """A process in the issues phase, a resident signed in, and an issue of theirs."""
    process = make_process(app)
    author = auth.login_as("resident")
    issue = make_issue(app, process.id, author.id, **issue_kwargs)
    return process, author, issue


def upload(client, issue_id, *rows, data=None, **kwargs):
    """POST the add form: rows are (bytes or None, file name, description)."""
    form = dict(data or {})
    for n, (content, name, text) in enumerate(rows, start=1):
        if content is not None:
            form[f"file_{n}"] = (io.BytesIO(content), name)
        form[f"text_{n}"] = text
    return client.post(f"/issues/{issue_id}/files", data=form, content_type="multipart/form-data", **kwargs)


__all__ = ["files_in", "jpeg", "make_user", "pdf", "png", "read_image", "setup_issue", "upload", "webp"]
