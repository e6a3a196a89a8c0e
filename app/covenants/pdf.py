"""A covenant version as a PDF (WeasyPrint): its text, parties, fingerprint and signatures.

Rendered from templates/covenants/pdf.html with its own inline A4 print stylesheet and the system
fonts; nothing is fetched from the network or the disk while rendering.
"""

from __future__ import annotations

from flask import current_app, render_template

from app.covenants.fingerprint import FORMAT, grouped
from app.covenants.models import Covenant, CovenantVersion
from app.security import external_url


def version_pdf(covenant: Covenant, version: CovenantVersion) -> bytes:
    from weasyprint import HTML, URLFetcher  # heavy: loaded when the first PDF is asked for

    html = render_template(
        "covenants/pdf.html",
        covenant=covenant,
        version=version,
        grouped=grouped(version.content_hash),
        canonical_format=FORMAT,
        verify_url=external_url("covenants.verify"),  # from BASE_URL, not the request's Host header
        canonical_url=external_url("covenants.canonical", covenant_id=covenant.id, number=version.number),
    )
    # No scheme is allowed: the document has no images, fonts or stylesheets to fetch.
    fetcher = URLFetcher(allowed_protocols=())
    return HTML(string=html, base_url=current_app.static_folder, url_fetcher=fetcher).write_pdf()


def filename(covenant: Covenant, version: CovenantVersion) -> str:
    return f"convenant-{covenant.id}-versie-{version.number}.pdf"
