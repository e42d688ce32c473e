"""Office files that unpack to far more than they seem ("zip bombs") are refused before
anything is stored, for every Office kind accepted (Word and Excel): by the number of
parts, by what they unpack to in all, by how tightly each part is packed, and by what
each part really unpacks to when its directory lies. The bombs are built here for real,
written in chunks so that building one never holds hundreds of megabytes in memory."""

import random
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import (
    OOXML_MAX_RATIO,
    OOXML_MAX_UNPACKED_BYTES,
    FileKind,
    UnsafeArchive,
    detect_kind,
    validate_attachment,
)
from tests.core.test_uploads import docx, docx_with_entries, xlsx

MB = 1024 * 1024
SAVE_AGAIN = "Save it again from Word or Excel, or attach it as a PDF."
TOO_LARGE = (
    "This Word or Excel file unpacks to more than 200.0\xa0MB, far more than an ordinary "
    f"document. {SAVE_AGAIN}"
)
TOO_TIGHT = (
    f"A part of this Word or Excel file unpacks to more than {OOXML_MAX_RATIO} times its "
    f"packed size, as no ordinary document does. {SAVE_AGAIN}"
)
MISLEADING = (
    "A part of this Word or Excel file unpacks to more than it declares, so the file is "
    f"damaged or made to mislead. {SAVE_AGAIN}"
)
OFFICE = {"docx": (docx, FileKind.DOCX, "word"), "xlsx": (xlsx, FileKind.XLSX, "xl")}


def with_part(path: Path, kind: str, size: int, chunk: bytes = b"\0" * MB) -> Path:
    """A genuine ``kind`` file at ``path`` with one more part of ``size`` bytes of
    ``chunk`` repeated, written a chunk at a time."""
    build, _kind, folder = OFFICE[kind]
    path.write_bytes(build())
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open(f"{folder}/media/padding.bin", "w") as part,
    ):
        for _ in range(size // len(chunk)):
            part.write(chunk)
        part.write(chunk[: size % len(chunk)])
    return path


def upload_of(path: Path, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes())


def refusal(upload) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload, max_bytes=10 * MB)
    return refused.value.messages


@pytest.fixture(scope="module", params=sorted(OFFICE))
def bomb(request, tmp_path_factory):
    """A real Word or Excel file with a 300 MB part of zeros: a few hundred kilobytes."""
    kind = request.param
    path = with_part(tmp_path_factory.mktemp("bomb") / f"bomb.{kind}", kind, 300 * MB)
    return kind, path


def test_a_300_mb_part_is_refused_for_every_office_kind(bomb):
    kind, path = bomb
    assert path.stat().st_size < 1 * MB  # small enough to pass the size limit

    assert refusal(upload_of(path, f"plan.{kind}")) == [TOO_LARGE]


def test_the_detector_raises_rather_than_guessing(bomb):
    kind, path = bomb
    with pytest.raises(UnsafeArchive):
        detect_kind(upload_of(path, f"plan.{kind}"))


@pytest.mark.parametrize("kind", sorted(OFFICE))
def test_a_part_packed_too_tightly_is_refused_whatever_the_total(kind, tmp_path):
    path = with_part(tmp_path / f"tight.{kind}", kind, 20 * MB)
    assert 20 * MB < OOXML_MAX_UNPACKED_BYTES

    assert refusal(upload_of(path, f"plan.{kind}")) == [TOO_TIGHT]


@pytest.mark.parametrize("kind", sorted(OFFICE))
def test_a_part_that_unpacks_to_more_than_it_declares_is_refused(kind, tmp_path):
    path = with_part(tmp_path / f"liar.{kind}", kind, 20 * MB)
    declared_to_be_small(path, "padding.bin", size=1000)
    with zipfile.ZipFile(path) as archive:
        (padding,) = [m for m in archive.infolist() if m.filename.endswith("padding.bin")]
        assert padding.file_size == 1000  # what a reader of the directory believes

    assert refusal(upload_of(path, f"plan.{kind}")) == [MISLEADING]


def declared_to_be_small(path: Path, name_ending: str, *, size: int) -> None:
    """Make the local header and the central directory both declare ``size`` as what the
    part unpacks to, leaving its data alone."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        (member,) = [m for m in archive.infolist() if m.filename.endswith(name_ending)]
    data[member.header_offset + 22 : member.header_offset + 26] = size.to_bytes(4, "little")
    entry = data.find(b"PK\x01\x02" + data[member.header_offset + 4 : member.header_offset + 6])
    while data[entry + 46 : entry + 46 + len(member.filename)] != member.filename.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_more_than_two_thousand_parts_are_refused_saying_so():
    upload = SimpleUploadedFile("big.docx", docx_with_entries(2001))

    assert refusal(upload) == [
        f"This Word or Excel file holds more than 2,000 parts, as no ordinary document does. "
        f"{SAVE_AGAIN}"
    ]


@pytest.mark.parametrize("kind", sorted(OFFICE))
def test_an_ordinary_large_office_file_is_accepted(kind, tmp_path):
    """Photographs do not compress; a sheet of varied figures packs a few times over."""
    build, expected, _folder = OFFICE[kind]
    noise = random.Random(20261206).randbytes(3 * MB)
    figures = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n * 7919 % 104729}</v></c></row>' for n in range(1, 60000)
    ).encode()
    path = tmp_path / f"ordinary.{kind}"
    path.write_bytes(build(extra_parts={"media/photo.jpg": noise, "media/figures.xml": figures}))

    assert validate_attachment(upload_of(path, f"plan.{kind}"), max_bytes=10 * MB) == expected


def test_a_compression_method_office_does_not_use_is_not_a_document(tmp_path):
    path = tmp_path / "odd.docx"
    path.write_bytes(docx())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("word/media/odd.bin", b"x" * 100)

    assert detect_kind(upload_of(path, "odd.docx")) is None
