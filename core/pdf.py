"""PDFs from Django templates, rendered by WeasyPrint.

A document is a template under ``templates/pdf/`` extending ``pdf/base.html`` (print CSS
in ``static/css/pdf.css``). Output is PDF/UA-1: tagged, with the document's language and
title, so screen readers can follow it.

WeasyPrint fetches whatever a document points at. The fetcher given here resolves only the
portal's own static files and the public media under ``MEDIA_ROOT``, from the local disk:
no network, no other file, no way out of those folders."""

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/ua-1"


class URLRefused(ValueError):
    """The document pointed at something outside the portal's own static and media files."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def site_base_url() -> str:
    """Where a document's relative addresses point: the portal itself, so links in the PDF
    lead back to it and ``{% static %}`` addresses reach the fetcher below."""
    return settings.SITE_URL.rstrip("/") + "/"


def render_pdf(
    *, template: str, context: Mapping[str, Any], base_url: str | None = None
) -> RenderedPdf:
    """Render ``template`` with ``context`` to a tagged PDF (PDF/UA-1)."""
    base_url = base_url or site_base_url()
    html = render_to_string(template, dict(context))
    document = HTML(
        string=html, base_url=base_url, url_fetcher=PortalFilesFetcher(base_url=base_url)
    ).render(pdf_variant=PDF_VARIANT)
    return RenderedPdf(
        content=document.write_pdf(pdf_variant=PDF_VARIANT), pages=len(document.pages)
    )


class PortalFilesFetcher(URLFetcher):
    """Serve a document's static and media addresses from disk; refuse everything else.

    Accepted: ``<base>/<STATIC_URL>/…`` found in ``STATIC_ROOT`` or by the staticfiles
    finders, ``<base>/<MEDIA_URL>/…`` inside ``MEDIA_ROOT``, and ``file:`` addresses inside
    those same folders. Refusals raise ``URLRefused``; WeasyPrint logs a warning and
    leaves the resource out."""

    def __init__(self, *, base_url: str):
        super().__init__(allowed_protocols=())
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)
        self.media_prefix = urljoin(base_url, settings.MEDIA_URL)

    def fetch(self, url, headers=None):
        path = self.local_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def local_path(self, url: str) -> Path:
        """The file on disk that ``url`` names, if it is one of ours."""
        parts = urlsplit(url)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise URLRefused(f"Not a local file: {url}")
            return _inside(
                Path(url2pathname(unquote(parts.path))), _static_roots() + [_media_root()]
            )
        address = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if parts.scheme in ("http", "https"):
            if address.startswith(self.static_prefix):
                return _static_file(_relative(address.removeprefix(self.static_prefix)))
            if address.startswith(self.media_prefix):
                relative = _relative(address.removeprefix(self.media_prefix))
                return _inside(_media_root() / relative, [_media_root()])
        raise URLRefused(f"Only the portal's own static and media files are fetched: {url}")


def _relative(quoted: str) -> str:
    """A path below a root, with every step down checked (no ``..``, no absolute path)."""
    path = unquote(quoted)
    steps = path.split("/")
    if not path or "\\" in path or "\0" in path or any(s in ("", ".", "..") for s in steps):
        raise URLRefused(f"Not a plain relative path: {quoted}")
    return path


def _static_file(relative: str) -> Path:
    # STATIC_ROOT first: in production it holds the hashed names {% static %} gives.
    root = Path(settings.STATIC_ROOT) if settings.STATIC_ROOT else None
    candidate = root / relative if root else None
    if candidate is None or not candidate.is_file():
        found = finders.find(relative)
        if not found:
            raise URLRefused(f"No such static file: {relative}")
        candidate = Path(found)
    return _inside(candidate, _static_roots())


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _static_roots() -> list[Path]:
    """Every folder static files come from: STATIC_ROOT and each finder's locations."""
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    for finder in finders.get_finders():
        for _prefix, location in getattr(finder, "locations", ()):
            roots.append(Path(location))
        for storage in getattr(finder, "storages", {}).values():
            if getattr(storage, "location", None):
                roots.append(Path(storage.location))
    return roots


def _inside(path: Path, roots: list[Path]) -> Path:
    """``path`` with links resolved, if it is a file inside one of ``roots``."""
    resolved = path.resolve()
    if not any(resolved.is_relative_to(root.resolve()) for root in roots):
        raise URLRefused(f"Outside the portal's static and media folders: {path}")
    if not resolved.is_file():
        raise URLRefused(f"No such file: {path}")
    return resolved
