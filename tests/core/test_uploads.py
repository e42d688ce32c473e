"""Attachments are judged by their bytes: real files of each accepted kind are
built here, and then disguised, damaged or swapped for something else."""

import io
import random
import string
import unicodedata
import zipfile
from functools import cache

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image
from weasyprint import HTML

from core.uploads import (
    CONTENT_TYPES,
    EXTENSIONS,
    FileKind,
    detect_kind,
    safe_filename,
    validate_attachment,
)

UNSUPPORTED = (
    "Only PDF, Word (.docx), Excel (.xlsx), PNG and JPEG files can be attached; "
    "this file is none of these."
)

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXCEL_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_PROJECT = "application/vnd.ms-office.vbaProject"

RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

DOCUMENT_XML = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Technician career pathways</w:t></w:r></w:p></w:body>"
    "</w:document>"
)
WORKBOOK_XML = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Survey" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS_XML = (
    f'<Relationships xmlns="{RELATIONSHIPS_NS}">'
    f'<Relationship Id="rId1" Type="{WORKSHEET_REL}" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_XML = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1"><v>42</v></c></row></sheetData></worksheet>'
)


# Building real files ---------------------------------------------------------


@cache
def pdf() -> bytes:
    return HTML(string="<h1>Action plan</h1><p>Visibility, recognition.</p>").write_pdf()


def image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 94, 184)).save(buffer, format=image_format)
    return buffer.getvalue()


def png() -> bytes:
    return image("PNG")


def jpeg() -> bytes:
    return image("JPEG")


def content_types_xml(*, main_part: str, main_type: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
        f"{extra}</Types>"
    )


def package_rels_xml(main_part: str) -> str:
    return (
        f'<Relationships xmlns="{RELATIONSHIPS_NS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT_REL}" Target="{main_part}"/>'
        "</Relationships>"
    )


def zip_of(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(
    *,
    main_type: str = WORD_MAIN,
    extra_types: str = "",
    extra_parts: dict[str, str | bytes] | None = None,
    content_types: str | None = None,
) -> bytes:
    main_part = "word/document.xml"
    if content_types is None:
        content_types = content_types_xml(
            main_part=main_part, main_type=main_type, extra=extra_types
        )
    return zip_of(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": package_rels_xml(main_part),
            main_part: DOCUMENT_XML,
            **(extra_parts or {}),
        }
    )


def xlsx(
    *, main_type: str = EXCEL_MAIN, extra_parts: dict[str, str | bytes] | None = None
) -> bytes:
    main_part = "xl/workbook.xml"
    sheet_override = (
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{WORKSHEET_TYPE}"/>'
    )
    return zip_of(
        {
            "[Content_Types].xml": content_types_xml(
                main_part=main_part, main_type=main_type, extra=sheet_override
            ),
            "_rels/.rels": package_rels_xml(main_part),
            main_part: WORKBOOK_XML,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS_XML,
            "xl/worksheets/sheet1.xml": SHEET_XML,
            **(extra_parts or {}),
        }
    )


def docx_with_entries(total: int) -> bytes:
    # The three parts every document has, padded out with empty media parts.
    filler = {f"word/media/image{n}.png": b"" for n in range(total - 3)}
    return docx(extra_parts=filler)


def docm() -> bytes:
    return docx(
        main_type=WORD_MACRO_MAIN,
        extra_types=f'<Default Extension="bin" ContentType="{VBA_PROJECT}"/>',
        extra_parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macros"},
    )


def docm_without_vba_part() -> bytes:
    return docx(main_type=WORD_MACRO_MAIN)


def xlsm() -> bytes:
    return xlsx(main_type=EXCEL_MACRO_MAIN, extra_parts={"xl/vbaProject.bin": b"macros"})


def docx_with_vba_project() -> bytes:
    return docx(extra_parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macros"})


def docx_declaring_vba_project_type() -> bytes:
    return docx(extra_types=f'<Default Extension="bin" ContentType="{VBA_PROJECT}"/>')


def docx_with_huge_content_types() -> bytes:
    # Inflates past the 1 MB limit; varied letters, so no tighter packed than text.
    letters = random.Random(1024).choices(string.ascii_letters, k=1024 * 1024)
    padding = "<!--" + "".join(letters) + "-->"
    xml = content_types_xml(main_part="word/document.xml", main_type=WORD_MAIN, extra=padding)
    return docx(content_types=xml)


def docx_with_doctype() -> bytes:
    # The classic entity expansion ("billion laughs"), cut down.
    xml = content_types_xml(main_part="word/document.xml", main_type=WORD_MAIN)
    doctype = '<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    return docx(content_types=xml.replace("?>", "?>" + doctype, 1))


def docx_missing_main_part() -> bytes:
    xml = content_types_xml(main_part="word/document.xml", main_type=WORD_MAIN)
    return zip_of({"[Content_Types].xml": xml, "_rels/.rels": package_rels_xml("x")})


def docx_and_xlsx_at_once() -> bytes:
    workbook_override = f'<Override PartName="/xl/workbook.xml" ContentType="{EXCEL_MAIN}"/>'
    return docx(extra_types=workbook_override, extra_parts={"xl/workbook.xml": WORKBOOK_XML})


def docx_with_damaged_content_types() -> bytes:
    data = bytearray(docx())
    # The first member's compressed bytes start after its 30-byte local header
    # and its name; zipfile wrote [Content_Types].xml first.
    start = 30 + len("[Content_Types].xml")
    data[start + 5 : start + 25] = b"\xff" * 20
    return bytes(data)


def plain_zip() -> bytes:
    return zip_of({"notes.txt": "Minutes of the steering group", "todo.txt": "Send the plan"})


def zip_without_content_types() -> bytes:
    return zip_of({"_rels/.rels": package_rels_xml("word/document.xml"), "x": DOCUMENT_XML})


def windows_executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run"


def windows_executable_hiding_a_pdf() -> bytes:
    return windows_executable() + pdf()


def elf_binary() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def truncated_pdf() -> bytes:
    whole = pdf()
    return whole[: whole.index(b"%%EOF")]


def pdf_with_junk_before_header() -> bytes:
    return b"\x00" * 500 + pdf()


def pdf_with_padding_after_eof() -> bytes:
    return pdf() + b"\n" * 1000


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# detect_kind -----------------------------------------------------------------

ACCEPTED = [
    pytest.param(pdf, "evidence.pdf", FileKind.PDF, id="pdf"),
    pytest.param(png, "photo.png", FileKind.PNG, id="png"),
    pytest.param(jpeg, "photo.jpg", FileKind.JPEG, id="jpeg"),
    pytest.param(docx, "plan.docx", FileKind.DOCX, id="docx"),
    pytest.param(xlsx, "survey.xlsx", FileKind.XLSX, id="xlsx"),
    pytest.param(png, "photo.pdf", FileKind.PNG, id="png-named-pdf"),
    pytest.param(jpeg, "scan.docx", FileKind.JPEG, id="jpeg-named-docx"),
    pytest.param(pdf, "evidence", FileKind.PDF, id="pdf-without-extension"),
    pytest.param(docx, "plan.xlsx", FileKind.DOCX, id="docx-named-xlsx"),
    pytest.param(xlsx, "survey.exe", FileKind.XLSX, id="xlsx-named-exe"),
    pytest.param(pdf_with_junk_before_header, "a.pdf", FileKind.PDF, id="pdf-junk-before-header"),
    pytest.param(pdf_with_padding_after_eof, "a.pdf", FileKind.PDF, id="pdf-padding-after-eof"),
    pytest.param(
        lambda: docx_with_entries(2000), "big.docx", FileKind.DOCX, id="docx-2000-entries"
    ),
]

REFUSED = [
    pytest.param(windows_executable, "plan.pdf", id="windows-exe-named-pdf"),
    pytest.param(windows_executable_hiding_a_pdf, "plan.pdf", id="windows-exe-with-pdf-inside"),
    pytest.param(elf_binary, "plan.docx", id="elf-binary-named-docx"),
    pytest.param(html_page, ".pdf", id="html-named-pdf"),
    pytest.param(truncated_pdf, "report.pdf", id="pdf-without-eof"),
    pytest.param(plain_zip, "plan.docx", id="plain-zip-named-docx"),
    pytest.param(zip_without_content_types, "plan.docx", id="zip-without-content-types"),
    pytest.param(docm, "plan.docx", id="docm-named-docx"),
    pytest.param(docm_without_vba_part, "plan.docx", id="docm-main-type-alone"),
    pytest.param(xlsm, "survey.xlsx", id="xlsm-named-xlsx"),
    pytest.param(docx_with_vba_project, "plan.docx", id="docx-with-vbaproject-bin"),
    pytest.param(docx_declaring_vba_project_type, "plan.docx", id="docx-declaring-vba-type"),
    pytest.param(docx_with_huge_content_types, "plan.docx", id="content-types-over-1mb"),
    pytest.param(docx_with_doctype, "plan.docx", id="content-types-with-doctype"),
    pytest.param(docx_missing_main_part, "plan.docx", id="main-part-declared-but-missing"),
    pytest.param(docx_and_xlsx_at_once, "plan.docx", id="both-docx-and-xlsx"),
    pytest.param(lambda: b"PK\x03\x04" + b"\x8f\x13garbage" * 40, "plan.docx", id="corrupt-zip"),
    pytest.param(lambda: docx()[:-40], "plan.docx", id="truncated-docx"),
    pytest.param(docx_with_damaged_content_types, "plan.docx", id="damaged-content-types"),
    pytest.param(svg, "logo.png", id="svg-named-png"),
    pytest.param(lambda: b"Just some notes.\n", "notes.pdf", id="text-named-pdf"),
    pytest.param(lambda: b"", "empty.pdf", id="empty"),
]


@pytest.mark.parametrize(("build", "name", "expected"), ACCEPTED)
def test_detects_each_kind_from_content_whatever_the_name(build, name, expected):
    # The browser's content type is as untrustworthy as the name.
    assert detect_kind(upload(name, build(), content_type="text/plain")) == expected


@pytest.mark.parametrize(("build", "name"), REFUSED)
def test_refuses_anything_else(build, name):
    assert detect_kind(upload(name, build())) is None


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda whole: whole[:4], id="signature-only"),
        pytest.param(lambda whole: whole[:60], id="inside-content-types"),
        pytest.param(
            lambda whole: whole[: whole.index(b"PK\x01\x02") + 20], id="central-directory"
        ),
        pytest.param(lambda whole: whole[: whole.index(b"PK\x05\x06")], id="end-record-missing"),
        pytest.param(lambda whole: whole[:-1], id="last-byte-missing"),
    ],
)
def test_a_docx_cut_short_is_refused_without_an_error(cut):
    assert detect_kind(upload("plan.docx", cut(docx()))) is None


@pytest.mark.parametrize(
    "build",
    [pdf, png, jpeg, docx, xlsx, windows_executable, plain_zip, truncated_pdf, docm],
    ids=lambda build: build.__name__,
)
def test_detect_kind_leaves_the_file_at_the_start(build):
    # Zip entries carry the time they were written, so build once.
    content = build()
    attachment = upload("file", content)
    # Already part-read, as a form field's earlier check might leave it.
    attachment.read(10)
    before = detect_kind(attachment)
    assert attachment.tell() == 0
    assert attachment.read() == content
    assert detect_kind(attachment) == before


@pytest.mark.parametrize(
    ("build", "expected"),
    [pytest.param(docx, FileKind.DOCX, id="docx"), pytest.param(pdf, FileKind.PDF, id="pdf")],
)
def test_detects_uploads_spooled_to_disk(build, expected):
    # Large uploads arrive as temporary files rather than in memory.
    content = build()
    attachment = TemporaryUploadedFile("plan", "text/plain", len(content), None)
    try:
        attachment.write(content)
        attachment.seek(0)
        assert detect_kind(attachment) == expected
        assert attachment.tell() == 0
    finally:
        attachment.close()


def test_every_kind_has_an_extension_and_a_content_type():
    assert set(EXTENSIONS) == set(FileKind.values)
    assert set(CONTENT_TYPES) == set(FileKind.values)
    assert EXTENSIONS == {
        "pdf": ".pdf",
        "docx": ".docx",
        "xlsx": ".xlsx",
        "png": ".png",
        "jpeg": ".jpg",
    }


# validate_attachment ---------------------------------------------------------


@pytest.mark.parametrize(("build", "name", "expected"), ACCEPTED)
def test_validate_returns_the_kind(build, name, expected):
    assert validate_attachment(upload(name, build()), max_bytes=10 * 1024 * 1024) == expected


@pytest.mark.parametrize(("build", "name"), [p for p in REFUSED if p.id != "empty"])
def test_validate_refuses_other_files_naming_what_is_accepted(build, name):
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload(name, build()), max_bytes=10 * 1024 * 1024)
    assert refused.value.messages == [UNSUPPORTED]


def test_validate_refuses_an_empty_file():
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload("evidence.pdf", b""), max_bytes=1024)
    assert refused.value.messages == ["The file is empty."]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(pdf, FileKind.PDF, id="pdf"),
        pytest.param(png, FileKind.PNG, id="png"),
        pytest.param(jpeg, FileKind.JPEG, id="jpeg"),
        pytest.param(docx, FileKind.DOCX, id="docx"),
        pytest.param(xlsx, FileKind.XLSX, id="xlsx"),
    ],
)
def test_a_file_of_exactly_the_limit_passes(build, expected):
    content = build()
    assert validate_attachment(upload("f", content), max_bytes=len(content)) == expected


# filesizeformat keeps the number and its unit together with a no-break space.
@pytest.mark.parametrize(
    ("size", "limit", "message"),
    [
        pytest.param(
            12 * 1024 * 1024,
            10 * 1024 * 1024,
            "The file is 12.0\xa0MB; the limit is 10.0\xa0MB.",
            id="megabytes",
        ),
        # filesizeformat rounds to one decimal, so a near miss reads oddly.
        pytest.param(
            1025, 1024, "The file is 1.0\xa0KB; the limit is 1.0\xa0KB.", id="rounded-alike"
        ),
        pytest.param(301, 300, "The file is 301\xa0bytes; the limit is 300\xa0bytes.", id="bytes"),
    ],
)
def test_a_file_over_the_limit_is_refused_with_both_sizes(size, limit, message):
    # Not a file of any accepted kind, so only the size check can produce this.
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload("big.pdf", b"\x00" * size), max_bytes=limit)
    assert refused.value.messages == [message]


def test_one_byte_over_the_limit_is_refused_even_for_a_good_file():
    content = pdf()
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload("evidence.pdf", content), max_bytes=len(content) - 1)
    size, limit = filesizeformat(len(content)), filesizeformat(len(content) - 1)
    assert refused.value.messages == [f"The file is {size}; the limit is {limit}."]


def test_the_size_is_checked_before_any_content_is_read():
    attachment = upload("plan.pdf", b"MZ" + b"\x00" * 98)
    # A closed file raises on any read, so reaching the size message proves
    # nothing was read.
    attachment.close()
    with pytest.raises(ValidationError) as refused:
        validate_attachment(attachment, max_bytes=10)
    assert refused.value.messages == ["The file is 100\xa0bytes; the limit is 10\xa0bytes."]


# safe_filename ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        pytest.param("Survey results 2025.xlsx", "xlsx", "Survey results 2025.xlsx", id="ordinary"),
        pytest.param("Evidence.DOCX", "docx", "Evidence.docx", id="upper-case-extension"),
        pytest.param("photo.jpeg", "jpeg", "photo.jpg", id="jpeg-to-jpg"),
        pytest.param("photo.JPG", "jpeg", "photo.jpg", id="jpg-upper-case"),
        pytest.param("photo.pdf", "png", "photo.png", id="extension-follows-content"),
        pytest.param("plan", "pdf", "plan.pdf", id="no-extension"),
        pytest.param("report.pdf.exe", "pdf", "report.pdf", id="double-extension-not-doubled"),
        pytest.param("photo.jpeg.exe", "jpeg", "photo.jpg", id="double-extension-alias"),
        pytest.param("report.exe.pdf", "pdf", "report.exe.pdf", id="inner-extension-kept"),
        pytest.param("Minutes 03.04.2025", "pdf", "Minutes 03.04.2025.pdf", id="numeric-suffix"),
        pytest.param("v1.2 final", "docx", "v1.2 final.docx", id="dot-in-name"),
        pytest.param("../../etc/passwd", "pdf", "passwd.pdf", id="unix-traversal"),
        pytest.param(
            "..\\..\\windows\\system32\\cmd.exe", "pdf", "cmd.pdf", id="windows-traversal"
        ),
        pytest.param("/abs/path/x.pdf", "pdf", "x.pdf", id="absolute-path"),
        pytest.param("C:\\Users\\me\\Evidence.docx", "docx", "Evidence.docx", id="windows-path"),
        pytest.param("   .hidden.png", "png", "hidden.png", id="leading-space-and-dot"),
        pytest.param("a\x00b.pdf", "pdf", "ab.pdf", id="nul"),
        pytest.param("line\nbreak\ttab.pdf", "pdf", "line break tab.pdf", id="newline-and-tab"),
        pytest.param("bell\x07\x1b[31m.pdf", "pdf", "bell31m.pdf", id="terminal-escape"),
        pytest.param("x" * 300 + ".pdf", "pdf", "x" * 100 + ".pdf", id="300-characters"),
        pytest.param("Résumé – équipe.pdf", "pdf", "Résumé - équipe.pdf", id="accents-and-dash"),
        pytest.param(
            unicodedata.normalize("NFD", "Résumé.pdf"), "pdf", "Résumé.pdf", id="decomposed"
        ),
        pytest.param("Отчёт 2025.docx", "docx", "Отчёт 2025.docx", id="cyrillic"),
        pytest.param("प्रतिवेदन.pdf", "pdf", "प्रतिवेदन.pdf", id="devanagari-marks"),
        pytest.param("invoice\u202egpj.exe", "png", "invoicegpj.png", id="right-to-left-override"),
        pytest.param("R&D <plan>: v2?.xlsx", "xlsx", "RD plan v2.xlsx", id="punctuation"),
        pytest.param(
            "Budget (draft)_v2-final.xlsx",
            "xlsx",
            "Budget (draft)_v2-final.xlsx",
            id="kept-punctuation",
        ),
        pytest.param("a..b...c.pdf", "pdf", "a.b.c.pdf", id="runs-of-dots"),
        pytest.param("report. .pdf", "pdf", "report.pdf", id="trailing-dot-and-space"),
        pytest.param("CON.pdf", "pdf", "_CON.pdf", id="windows-reserved-name"),
        pytest.param("lpt1 .notes.docx", "docx", "_lpt1 .notes.docx", id="windows-reserved-stem"),
        pytest.param("Conference.pdf", "pdf", "Conference.pdf", id="not-reserved"),
        pytest.param(".pdf", "pdf", "attachment.pdf", id="extension-only"),
        pytest.param("", "pdf", "attachment.pdf", id="empty"),
        pytest.param("...", "png", "attachment.png", id="dots-only"),
        pytest.param("uploads/", "pdf", "attachment.pdf", id="directory-only"),
        pytest.param("\x00\x01\x02", "jpeg", "attachment.jpg", id="control-characters-only"),
    ],
)
def test_safe_filename(name, kind, expected):
    assert safe_filename(name, kind) == expected


ODD_NAMES = [
    pytest.param("../../etc/passwd", id="unix-traversal"),
    pytest.param("..\\..\\windows\\system32\\cmd.exe", id="windows-traversal"),
    pytest.param("/abs/path/x.pdf", id="absolute-path"),
    pytest.param("C:\\Users\\me\\Evidence.docx", id="windows-path"),
    pytest.param("   .hidden.png", id="hidden-file"),
    pytest.param("a\x00b.pdf", id="nul"),
    pytest.param("x" * 300, id="300-characters"),
    pytest.param("é" * 99 + ". " + "y" * 300 + ".pdf", id="cut-at-a-dot"),
    pytest.param("Résumé – équipe.pdf", id="accents-and-dash"),
    pytest.param("..", id="parent"),
    pytest.param(". . .pdf", id="dots-and-spaces"),
    pytest.param("a/../..\\..", id="mixed-traversal"),
    pytest.param("....//....//etc/passwd", id="doubled-traversal"),
    pytest.param("%2e%2e%2fetc%2fpasswd", id="url-encoded-traversal"),
    pytest.param("file\r\n.pdf", id="crlf"),
    pytest.param("\u202e\u200bname\ufeff.pdf", id="invisible-format-characters"),
]


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "C"


@pytest.mark.parametrize("kind", FileKind.values)
@pytest.mark.parametrize("name", ODD_NAMES)
def test_safe_filename_is_always_safe(name, kind):
    safe = safe_filename(name, kind)
    stem, extension = safe[: -len(EXTENSIONS[kind])], safe[-len(EXTENSIONS[kind]) :]
    assert extension == EXTENSIONS[kind]
    assert (
        "/" in safe,
        "\\" in safe,
        ".." in safe,
        safe.startswith((".", " ")),
        stem.endswith((".", " ")),
        any(_is_control(ch) for ch in safe),
    ) == (False, False, False, False, False, False)
    assert 1 <= len(stem) <= 100


def test_safe_filename_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        safe_filename("plan.exe", "exe")
