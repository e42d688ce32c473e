"""The PDF helper: tagged output, and a fetcher that reads only the portal's own files."""

import logging
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from pypdf import PdfReader
from weasyprint import HTML

from core.pdf import PortalFilesFetcher, URLRefused, render_pdf, site_base_url

BASE = "https://portal.example.org/"


@pytest.fixture
def fetcher():
    return PortalFilesFetcher(base_url=BASE)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "logos").mkdir()
    (settings.MEDIA_ROOT / "logos" / "crest.svg").write_text("<svg/>")
    return settings.MEDIA_ROOT


def test_a_static_file_is_read_from_disk(fetcher):
    response = fetcher.fetch(f"{BASE}static/css/pdf.css")

    assert response.read() == Path(finders.find("css/pdf.css")).read_bytes()
    assert response.content_type == "text/css"


def test_a_public_media_file_is_read_from_disk(fetcher, media_root):
    response = fetcher.fetch(f"{BASE}media/logos/crest.svg")

    assert response.read() == b"<svg/>"
    assert response.content_type == "image/svg+xml"


def test_a_file_address_inside_the_static_folders_is_read(fetcher):
    path = Path(finders.find("css/pdf.css"))

    assert fetcher.fetch(path.as_uri()).read() == path.read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/style.css",
        "https://portal.example.org.evil.test/static/css/pdf.css",
        "http://portal.example.org/static/css/pdf.css",  # the site is https
        "https://169.254.169.254/latest/meta-data/",
        "ftp://portal.example.org/static/css/pdf.css",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        "file://otherhost/etc/passwd",
        f"{BASE}etc/passwd",
        f"{BASE}static/../../../../etc/passwd",
        f"{BASE}static/css/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"{BASE}static/%2Fetc%2Fpasswd",
        f"{BASE}static/css%5C..%5C..%5Csettings.py",
        f"{BASE}static//etc/passwd",
        f"{BASE}static/css/no-such-file.css",
        f"{BASE}media/../../../etc/passwd",
        f"{BASE}media/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_anything_else_is_refused(fetcher, media_root, url):
    with pytest.raises(URLRefused):
        fetcher.fetch(url)


def test_a_file_address_outside_the_folders_is_refused_even_through_a_link(fetcher, media_root):
    # A link inside MEDIA_ROOT pointing out of it is followed to where it leads.
    (media_root / "passwd").symlink_to("/etc/passwd")

    with pytest.raises(URLRefused):
        fetcher.fetch((media_root / "passwd").as_uri())
    with pytest.raises(URLRefused):
        fetcher.fetch(f"{BASE}media/passwd")
    with pytest.raises(URLRefused):
        fetcher.fetch(Path(settings.BASE_DIR / "tc_portal" / "settings" / "base.py").as_uri())


def test_weasyprint_leaves_out_what_the_fetcher_refuses(fetcher, caplog):
    html = HTML(
        string=(
            '<link rel="stylesheet" href="file:///etc/passwd">'
            '<img src="http://example.org/tracker.png" alt="">'
            '<link rel="stylesheet" href="/static/css/pdf.css"><p>Hello</p>'
        ),
        base_url=BASE,
        url_fetcher=fetcher,
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        html.write_pdf()

    refused = [r.getMessage() for r in caplog.records if "URLRefused" in r.getMessage()]
    assert len(refused) == 2
    assert not any("pdf.css" in message for message in refused)


def test_render_pdf_makes_a_tagged_pdf_with_its_language_and_title():
    rendered = render_pdf(template="pdf/base.html", context={})

    reader = PdfReader(BytesIO(rendered.content))
    root = reader.trailer["/Root"]
    assert rendered.pages == len(reader.pages) == 1
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Technician Commitment"
    # pdf.css came through the fetcher: its running footer is on the page.
    assert "Page 1 of 1" in reader.pages[0].extract_text()


def test_the_default_base_is_the_portal(settings):
    settings.SITE_URL = "https://tc.example.org"

    assert site_base_url() == "https://tc.example.org/"
