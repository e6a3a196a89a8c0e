"""The front-end assets: installed from npm at set-up, and complete for what the templates use."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "app" / "static" / "vendor" / "utrecht"


def test_vendor_css_is_installed_not_committed():
    assert (VENDOR / "components.css").stat().st_size > 10_000
    assert (VENDOR / "theme.css").stat().st_size > 10_000
    assert "app/static/vendor/" in (ROOT / ".gitignore").read_text()


def test_every_utrecht_class_in_the_templates_is_in_the_bundle():
    used = set()
    for template in (ROOT / "app" / "templates").rglob("*.html"):
        used |= set(
            re.findall(r"utrecht-[a-z0-9]+(?:-[a-z0-9]+)*(?:__[a-z0-9-]+)?(?:--[a-z0-9-]+)?", template.read_text())
        )
    css = (VENDOR / "components.css").read_text() + (VENDOR / "theme.css").read_text()
    defined = set(re.findall(r"\.(utrecht-[a-zA-Z0-9_-]+)", css))
    # modifiers such as --html-input or --primary-action are optional; the block class must exist
    blocks = {re.split(r"--|__", cls)[0] for cls in used if not cls.endswith("-")}
    missing = sorted(b for b in blocks if b not in defined)
    assert missing == [], f"add these components to UTRECHT_COMPONENTS in the Makefile: {missing}"


def test_site_css_and_js_have_no_inline_handlers():
    js = (ROOT / "app" / "static" / "js" / "site.js").read_text()
    assert "eval(" not in js and "innerHTML" not in js
