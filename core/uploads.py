"""Attachments institutions add to their self-assessment submissions.

What a file *is* is decided from its bytes alone: the name and the content type
the browser sends are both chosen by the uploader, so neither can be trusted to
decide how the file is stored, named or served.
"""

import re
import struct
import unicodedata
import zipfile
import zlib
from typing import Protocol
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF document"
    DOCX = "docx", "Word document"
    XLSX = "xlsx", "Excel workbook"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"


EXTENSIONS: dict[str, str] = {
    FileKind.PDF: ".pdf",
    FileKind.DOCX: ".docx",
    FileKind.XLSX: ".xlsx",
    FileKind.PNG: ".png",
    FileKind.JPEG: ".jpg",
}

CONTENT_TYPES: dict[str, str] = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
}


class UnsafeArchive(ValidationError):
    """An Office file that would unpack to far more than it seems: refused, with why."""


_SAVE_AGAIN = "Save it again from Word or Excel, or attach it as a PDF."


class _Upload(Protocol):
    """What detection needs: Django's UploadedFile, or any sized, seekable file."""

    size: int

    def read(self, size: int = ..., /) -> bytes: ...

    def seek(self, offset: int, whence: int = ..., /) -> int: ...


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_ZIP_SIGNATURE = b"PK\x03\x04"
_PDF_HEADER = b"%PDF-"
_PDF_TRAILER = b"%%EOF"
# Acrobat and most other readers accept junk before the header, so a genuine
# PDF may carry it anywhere in the first kilobyte; the trailer likewise may be
# followed by a little padding.
_PDF_HEADER_WINDOW = 1024
_PDF_TRAILER_WINDOW = 2048

# Programs in the formats a Windows, Linux or Mac machine would run. Refused
# outright, even if a PDF header hides further in (a polyglot), because a file
# that starts like this is a program whatever else it claims to be.
_EXECUTABLE_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
)

# What an Office file may unpack to. A genuine document of up to the attachment limit
# stays far inside these; a "zip bomb" (a small file that unpacks to hundreds of
# megabytes or more, for whoever opens it next) does not.
OOXML_MAX_ENTRIES = 2000
OOXML_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Deflate packs repetitive XML well, but no ordinary part tightly beyond this; small
# parts are let be, whatever their ratio.
OOXML_MAX_RATIO = 200
_RATIO_APPLIES_FROM_BYTES = 1024 * 1024
_INFLATE_CHUNK_BYTES = 64 * 1024
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024
_CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        FileKind.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileKind.XLSX,
}

# Anything that can make an archive unreadable. zipfile reports a damaged
# archive through many exception types, and a corrupt upload must come back as
# "not an accepted kind", never as a server error.
_UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # a compression method zipfile lacks
    expat.ExpatError,
)


def detect_kind(upload: _Upload) -> str | None:
    """The FileKind the content shows the file to be, or None for any other file.

    The name and the browser's content type are ignored. The file is left at
    position 0 whatever happens, so it can be saved straight afterwards. An Office
    file that would unpack to too much raises ``UnsafeArchive``, saying why.
    """
    try:
        upload.seek(0)
        head = upload.read(_PDF_HEADER_WINDOW)
        if not head or head.startswith(_EXECUTABLE_SIGNATURES):
            return None
        if head.startswith(_PNG_SIGNATURE):
            return FileKind.PNG
        if head.startswith(_JPEG_SIGNATURE):
            return FileKind.JPEG
        if head.startswith(_ZIP_SIGNATURE):
            return _ooxml_kind(upload)
        if _PDF_HEADER in head:
            upload.seek(max(upload.size - _PDF_TRAILER_WINDOW, 0))
            if _PDF_TRAILER in upload.read():
                return FileKind.PDF
        return None
    finally:
        upload.seek(0)


def _ooxml_kind(upload: _Upload) -> str | None:
    try:
        upload.seek(0)
        # zipfile leaves a file object it was given open when it is closed.
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            _check_declared_sizes(members)
            kind = _ooxml_kind_of_archive(archive, members)
            if kind is not None:
                _check_unpacked_sizes(upload, members)
            return kind
    except _UNREADABLE_ZIP:
        return None


def _check_declared_sizes(members: list[zipfile.ZipInfo]) -> None:
    """The number of parts, what they say they unpack to, in all and each against its
    packed size. Costs nothing: it reads the archive's directory only."""
    if len(members) > OOXML_MAX_ENTRIES:
        raise UnsafeArchive(
            f"This Word or Excel file holds more than {OOXML_MAX_ENTRIES:,} parts, as no "
            f"ordinary document does. {_SAVE_AGAIN}",
            code="archive_too_many_parts",
        )
    if sum(m.file_size for m in members) > OOXML_MAX_UNPACKED_BYTES:
        raise _too_large()
    for member in members:
        _check_ratio(member.file_size, member.compress_size)


def _check_unpacked_sizes(upload: _Upload, members: list[zipfile.ZipInfo]) -> None:
    """Unpack every part, never further than it says it goes, and refuse the file if a
    part goes further: a reader that trusts the stream rather than the directory would
    unpack all of it. Stored and deflated parts only, as Office writes them."""
    total = 0
    for member in members:
        if member.compress_type == zipfile.ZIP_STORED:
            unpacked = member.compress_size
        elif member.compress_type == zipfile.ZIP_DEFLATED:
            unpacked = _inflated_size(upload, member, limit=member.file_size)
        else:
            raise zipfile.BadZipFile("a compression method Office does not use")
        if unpacked != member.file_size:
            raise UnsafeArchive(
                "A part of this Word or Excel file unpacks to more than it declares, so "
                f"the file is damaged or made to mislead. {_SAVE_AGAIN}",
                code="archive_size_mismatch",
            )
        total += unpacked
        if total > OOXML_MAX_UNPACKED_BYTES:
            raise _too_large()


def _inflated_size(upload: _Upload, member: zipfile.ZipInfo, *, limit: int) -> int:
    """What ``member``'s deflate stream unpacks to, counted no further than ``limit`` + 1
    bytes, chunk by chunk, so a bomb costs no more memory than a chunk."""
    upload.seek(member.header_offset)
    header = upload.read(30)
    if len(header) != 30 or not header.startswith(_ZIP_SIGNATURE):
        raise zipfile.BadZipFile("no local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    upload.seek(member.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    packed_left, unpacked = member.compress_size, 0
    while packed_left > 0 and unpacked <= limit and not inflater.eof:
        data = upload.read(min(packed_left, _INFLATE_CHUNK_BYTES))
        if not data:
            raise EOFError("the part is cut short")
        packed_left -= len(data)
        while data and unpacked <= limit:
            # A bound of 0 would mean none: ``unpacked <= limit`` keeps it at 1 or more.
            unpacked += len(inflater.decompress(data, limit + 1 - unpacked))
            data = inflater.unconsumed_tail
    return unpacked


def _check_ratio(unpacked: int, packed: int) -> None:
    if unpacked >= _RATIO_APPLIES_FROM_BYTES and unpacked > OOXML_MAX_RATIO * max(packed, 1):
        raise UnsafeArchive(
            f"A part of this Word or Excel file unpacks to more than {OOXML_MAX_RATIO} times "
            f"its packed size, as no ordinary document does. {_SAVE_AGAIN}",
            code="archive_ratio",
        )


def _too_large() -> UnsafeArchive:
    return UnsafeArchive(
        f"This Word or Excel file unpacks to more than "
        f"{filesizeformat(OOXML_MAX_UNPACKED_BYTES)}, far more than an ordinary document. "
        f"{_SAVE_AGAIN}",
        code="archive_too_large",
    )


def _ooxml_kind_of_archive(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> str | None:
    # A VBA project makes the document able to run code on opening, whatever
    # the content types claim.
    if any(_basename(m.filename).lower() == "vbaproject.bin" for m in members):
        return None
    try:
        content_types = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return None
    if content_types.file_size > _CONTENT_TYPES_MAX_BYTES:
        return None
    # The declared size can lie, so cap what is actually inflated as well.
    with archive.open(content_types) as member:
        xml = member.read(_CONTENT_TYPES_MAX_BYTES + 1)
    if len(xml) > _CONTENT_TYPES_MAX_BYTES:
        return None
    declared = _declared_content_types(xml)
    if declared is None:
        return None
    if any("macroenabled" in t or "vbaproject" in t for _, _, t in declared):
        return None

    names = {m.filename.lower() for m in members}
    kinds = {
        _OOXML_MAIN_TYPES[content_type]
        for element, part_name, content_type in declared
        if element == "Override"
        and content_type in _OOXML_MAIN_TYPES
        # A declaration for a part that is not there is not a document.
        and part_name.lstrip("/").lower() in names
    }
    # A package claiming to be both a document and a workbook is neither.
    return kinds.pop() if len(kinds) == 1 else None


class _DoctypeFound(Exception):
    pass


def _declared_content_types(xml: bytes) -> list[tuple[str, str, str]] | None:
    """(element, part name, content type) for each Default and Override in
    [Content_Types].xml, content types lower-cased as MIME types compare; None
    if the file carries a DTD.

    expat is driven directly so a DTD can be refused the moment it starts,
    whatever encoding the XML uses: the packaging standard forbids one here,
    and refusing it rules out entity-expansion tricks.
    """
    declared: list[tuple[str, str, str]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace == _CONTENT_TYPES_NS and local in ("Default", "Override"):
            content_type = attributes.get("ContentType", "").strip().lower()
            declared.append((local, attributes.get("PartName", ""), content_type))

    def doctype(*args: object) -> None:
        raise _DoctypeFound

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(xml, True)
    except _DoctypeFound:
        return None
    return declared


def _basename(path: str) -> str:
    return re.split(r"[/\\]", path)[-1]


_STEM_MAX_CHARS = 100
_FALLBACK_STEM = "attachment"
# An extension is a short run of ASCII letters and digits with at least one
# letter, so "Minutes 03.04.2025" and "v1.2 final" keep their dotted endings.
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,10}$")
# Other spellings of a kind's extension, so "photo.jpeg.exe" does not end up
# as "photo.jpeg.jpg".
_ALIASES: dict[str, frozenset[str]] = {
    FileKind.PDF: frozenset({".pdf"}),
    FileKind.DOCX: frozenset({".docx"}),
    FileKind.XLSX: frozenset({".xlsx"}),
    FileKind.PNG: frozenset({".png"}),
    FileKind.JPEG: frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
}
# Windows refuses to create files with these names, with any extension.
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)


def safe_filename(name: str, kind: str) -> str:
    """A name for the attachment that is safe to show and to offer on download.

    Only the last path component is kept (either separator counts, whatever
    system the uploader used). Letters (any script, with their accents),
    digits, spaces and ``- _ . ( )`` survive; any kind of dash becomes "-",
    any whitespace a single space, and everything else, control and
    bidirectional-override characters included, is dropped.

    The extension always becomes the canonical one for ``kind``, since the
    content decided what the file is: the old extension is dropped and, if
    that reveals an extension of the same kind (``report.pdf.exe``), that one
    too, so the result is ``report.pdf`` rather than ``report.pdf.pdf``.
    The stem has no leading or trailing dots or spaces, no run of dots, and at
    most 100 characters; an empty stem becomes "attachment".
    """
    extension = EXTENSIONS[FileKind(kind)]
    # Composed form first, so an accent typed on a Mac (a separate combining
    # character) stays attached to its letter.
    text = _basename(unicodedata.normalize("NFC", name))
    text = "".join(_clean_char(ch) for ch in text)
    text = " ".join(text.split())

    stem = _EXTENSION.sub("", text)
    match = _EXTENSION.search(stem)
    if match and match.group().lower() in _ALIASES[kind]:
        stem = stem[: match.start()]

    stem = _tidy_stem(stem)
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    stem = _tidy_stem(stem[:_STEM_MAX_CHARS]) or _FALLBACK_STEM
    return f"{stem}{extension}"


def _clean_char(ch: str) -> str:
    if ch.isspace():
        return " "
    category = unicodedata.category(ch)
    # Letters, the marks some scripts need to be readable, and decimal digits.
    if category[0] == "L" or category in ("Mn", "Mc", "Nd"):
        return ch
    if category == "Pd":
        return "-"
    if ch in "-_.()":
        return ch
    return ""


def _tidy_stem(stem: str) -> str:
    # A hidden file on Unix, a name Windows silently trims, and ".." all come
    # from dots and spaces at the ends or dots in a row.
    return re.sub(r"\.{2,}", ".", stem).strip(" .")


def attachment_limits_text() -> str:
    """What the attachment forms state beside the file field, from the settings."""
    each = filesizeformat(settings.ATTACHMENT_MAX_BYTES)
    stage = filesizeformat(settings.SUBMISSION_ATTACHMENTS_MAX_BYTES)
    return (
        f"PDF, Word (.docx), Excel (.xlsx), PNG or JPEG; up to {each} a file, and {stage} "
        "for all the files of this stage together."
    )


def validate_attachment(upload: _Upload, *, max_bytes: int) -> str:
    """The FileKind of an acceptable attachment, or a ValidationError saying why not.

    The size is checked before any content is read, so an oversized upload
    costs nothing to refuse.
    """
    if upload.size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(max_bytes)}.",
            code="too_large",
        )
    kind = detect_kind(upload)
    if kind is None:
        raise ValidationError(
            "Only PDF, Word (.docx), Excel (.xlsx), PNG and JPEG files can be attached; "
            "this file is none of these.",
            code="unsupported_kind",
        )
    return kind
