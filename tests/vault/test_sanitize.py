"""Uploads: their real type is read from their bytes, and their identifying metadata is removed."""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
from typing import Any

import pikepdf
import pytest
from django.utils import translation
from PIL import ExifTags, Image, PngImagePlugin

from egide.vault import sanitize
from egide.vault.sanitize import CHUNK_SIZE, DOCX, ODT, CleanedUpload, UploadRejected, clean_upload, strip_jpeg_segments

ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The assertions read the English messages (French is the default language)."""
    with translation.override("en"):
        yield


def _clean(data: bytes, name: str, **options: Any) -> CleanedUpload:
    return clean_upload(io.BytesIO(data), declared_name=name, **options)


def _read(cleaned: CleanedUpload) -> bytes:
    with cleaned.file:
        data = cleaned.file.read()
    assert len(data) == cleaned.size
    return data


def _identifying_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Pixel"
    exif[ExifTags.Base.Model] = "7a"
    exif[ExifTags.Base.DateTime] = "2024:03:01 10:00:00"
    exif[ExifTags.Base.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0)}
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    return exif


def _image(image_format: str, size: tuple[int, int] = (20, 10), mode: str = "RGB", **options: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red").save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _pdf(pages: int = 2, author: str = "Jane Reporter", picture: bytes | None = None) -> bytes:
    pdf = pikepdf.new()
    for _page in range(pages):
        pdf.add_blank_page()
    pdf.docinfo["/Author"] = author
    pdf.docinfo["/Producer"] = "Scanner Suite 5"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = [author]
    if picture:
        image = pdf.make_stream(picture, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=20, Height=10)
        image.ColorSpace, image.BitsPerComponent, image.Filter = pikepdf.Name.DeviceRGB, 8, pikepdf.Name.DCTDecode
        pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def _zip(members: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compression in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 3, 1, 10, 0, 0)), data, compress_type=compression)
    return buffer.getvalue()


DOCX_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties'
    b' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Jane Reporter</dc:creator>'
    b"<cp:lastModifiedBy>Jane Reporter</cp:lastModifiedBy><dc:title>What happened</dc:title></cp:coreProperties>"
)
DOCUMENT_XML = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'


def _docx(*extra: tuple[str, bytes, int]) -> bytes:
    deflated = zipfile.ZIP_DEFLATED
    return _zip(
        [
            ("[Content_Types].xml", b"<Types/>", deflated),
            ("_rels/.rels", b"<Relationships/>", deflated),
            ("word/document.xml", DOCUMENT_XML, deflated),
            ("docProps/core.xml", DOCX_CORE, deflated),
            ("docProps/app.xml", b"<Properties><Company>Telecom Paris</Company></Properties>", deflated),
            ("docProps/custom.xml", b"<Properties><property name='Dept'>HR</property></Properties>", deflated),
            *extra,
        ]
    )


def _odt() -> bytes:
    meta = b"<office:document-meta><office:meta><meta:initial-creator>Jane Reporter</meta:initial-creator></office:meta>"
    meta += b"</office:document-meta>"
    return _zip(
        [
            ("mimetype", ODT.encode(), zipfile.ZIP_STORED),
            ("content.xml", b"<office:document-content>Le 3 mars...</office:document-content>", zipfile.ZIP_DEFLATED),
            ("meta.xml", meta, zipfile.ZIP_DEFLATED),
            ("META-INF/manifest.xml", b"<manifest:manifest/>", zipfile.ZIP_DEFLATED),
        ]
    )


# Images


def test_jpeg_loses_its_gps_and_camera_exif() -> None:
    original = _image("JPEG", exif=_identifying_exif(), comment=b"taken by Jane")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    cleaned = _clean(original, "IMG_2024.JPG")
    data = _read(cleaned)
    image = Image.open(io.BytesIO(data))
    assert (cleaned.content_type, cleaned.name, cleaned.metadata_kept) == ("image/jpeg", "IMG_2024.jpg", False)
    assert "exif" not in image.info and "comment" not in image.info
    assert not image.getexif() and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Exif" not in data and b"Pixel" not in data and b"Jane" not in data
    assert "location, date and camera details (EXIF)" in cleaned.removed
    assert "text notes embedded in the image" in cleaned.removed


def test_jpeg_orientation_is_applied_to_the_pixels() -> None:
    cleaned = _clean(_image("JPEG", size=(20, 10), exif=_identifying_exif(orientation=6)), "photo.jpeg")
    image = Image.open(io.BytesIO(_read(cleaned)))
    assert image.size == (10, 20)
    assert ExifTags.Base.Orientation not in image.getexif()
    assert cleaned.name == "photo.jpg"


def test_jpeg_without_metadata_reports_nothing() -> None:
    original = io.BytesIO()
    Image.new("RGB", (8, 8)).save(original, "JPEG")
    cleaned = _clean(original.getvalue(), "plain.jpg")
    cleaned.file.close()
    assert cleaned.removed == []


def test_png_text_chunks_are_removed_and_transparency_kept() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Reporter")
    info.add_itxt("Description", "Bureau 204", zip=True)
    original = _image("PNG", mode="RGBA", pnginfo=info)
    assert Image.open(io.BytesIO(original)).text  # type: ignore[attr-defined]

    cleaned = _clean(original, "capture.png")
    data = _read(cleaned)
    image = Image.open(io.BytesIO(data))
    assert image.text == {}  # type: ignore[attr-defined]
    assert image.mode == "RGBA"
    assert b"tEXt" not in data and b"iTXt" not in data and b"Jane" not in data
    assert cleaned.removed == ["text notes embedded in the image"]


def test_webp_loses_its_exif() -> None:
    cleaned = _clean(_image("WEBP", exif=_identifying_exif()), "image.webp")
    data = _read(cleaned)
    assert cleaned.content_type == "image/webp"
    assert b"EXIF" not in data and b"Pixel" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def test_animated_gif_keeps_its_frames_and_loses_its_comment() -> None:
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0, comment=b"made by Jane")

    cleaned = _clean(buffer.getvalue(), "reaction.gif")
    data = _read(cleaned)
    assert b"Jane" not in data
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 3
    assert cleaned.removed == ["text notes embedded in the image"]


def test_a_decompression_bomb_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sanitize, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(UploadRejected, match="too large"):
        _clean(_image("PNG", size=(20, 20)), "big.png")


def test_a_damaged_image_is_rejected() -> None:
    with pytest.raises(UploadRejected, match="could not be read"):
        _clean(b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(200), "broken.jpg")


# PDF


def test_pdf_loses_its_properties_and_xmp_and_keeps_its_pages() -> None:
    original = _pdf(pages=3)
    assert b"Jane Reporter" in original

    cleaned = _clean(original, "plainte.pdf")
    data = _read(cleaned)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 3
        assert "/Info" not in pdf.trailer or not pdf.docinfo.keys()
        assert "/Metadata" not in pdf.Root
    assert b"Jane Reporter" not in data and b"Scanner Suite" not in data
    assert cleaned.removed == [
        "document properties (author, title, software)",
        "descriptive data (XMP), which can include the author and the location",
    ]


def test_pdf_pictures_lose_their_exif() -> None:
    picture = _image("JPEG", exif=_identifying_exif())
    cleaned = _clean(_pdf(pages=1, picture=picture), "scan.pdf")
    with pikepdf.open(io.BytesIO(_read(cleaned))) as pdf:
        stream = pdf.pages[0].Resources.XObject.Im0
        stripped = stream.read_raw_bytes()
    assert b"Exif" not in stripped and b"Pixel" not in stripped
    assert Image.open(io.BytesIO(stripped)).size == (20, 10)
    assert "location, date and camera details (EXIF) of the pictures inside" in cleaned.removed


def test_jpeg_segments_stripping_keeps_the_icc_profile_and_the_scan() -> None:
    icc = b"\xff\xe2\x00\x10ICC_PROFILE\x00\x01\x01"
    exif = b"\xff\xe1\x00\x08Exif\x00\x00"
    comment = b"\xff\xfe\x00\x06Jane"
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\xff\xfe\x12\x34\xff\xd9"
    assert strip_jpeg_segments(b"\xff\xd8" + exif + icc + comment + scan) == b"\xff\xd8" + icc + scan
    assert strip_jpeg_segments(b"not a jpeg") == b"not a jpeg"


def test_password_protected_pdf_is_rejected() -> None:
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    with pytest.raises(UploadRejected, match="password"):
        _clean(buffer.getvalue(), "locked.pdf")


def test_damaged_pdf_is_rejected() -> None:
    with pytest.raises(UploadRejected, match="could not be read"):
        _clean(b"%PDF-1.7\n" + bytes(range(256)) * 4, "broken.pdf")


# DOCX and ODT


def test_docx_properties_are_emptied_and_the_body_kept() -> None:
    cleaned = _clean(_docx(), "temoignage.docx")
    assert cleaned.content_type == DOCX
    with zipfile.ZipFile(io.BytesIO(_read(cleaned))) as archive:
        core = archive.read("docProps/core.xml")
        assert b"creator" not in core and b"Jane" not in core and b"title" not in core
        assert core.startswith(b"<?xml") and b"coreProperties" in core
        assert b"Telecom Paris" not in archive.read("docProps/app.xml")
        assert b"HR" not in archive.read("docProps/custom.xml")
        assert archive.read("word/document.xml") == DOCUMENT_XML
        assert archive.getinfo("word/document.xml").compress_type == zipfile.ZIP_DEFLATED
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert cleaned.removed == ["document properties (author, title, software)", "custom document properties"]


def test_macro_enabled_word_documents_are_not_accepted() -> None:
    with pytest.raises(UploadRejected, match="not accepted"):
        _clean(_docx(("word/vbaProject.bin", b"macros", zipfile.ZIP_DEFLATED)), "temoignage")


def test_odt_meta_is_emptied_and_mimetype_stays_first_and_stored() -> None:
    cleaned = _clean(_odt(), "temoignage.odt")
    data = _read(cleaned)
    assert data[30:38] == b"mimetype" and data[38 : 38 + len(ODT)] == ODT.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert b"Jane" not in archive.read("meta.xml")
        assert archive.read("content.xml") == b"<office:document-content>Le 3 mars...</office:document-content>"
    assert (cleaned.content_type, cleaned.removed) == (ODT, ["document properties (author, title, software)"])


# Zip bombs: DOCX and ODT members are inflated to be rewritten

MIB = 1024 * 1024


def _zeros_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 3, 1, 10, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as member:
        for _chunk in range(size // MIB):
            member.write(bytes(MIB))


def _bomb(base: bytes, name: str, size: int) -> bytes:
    """`base` (a DOCX or ODT) with one more member, `size` bytes of zeros deflated (about 1000 to 1)."""
    buffer = io.BytesIO(base)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        _zeros_member(archive, name, size)
    return buffer.getvalue()


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """Make the local and central headers of member `name` lie about its uncompressed size."""
    patched = bytearray(data)
    for signature, name_offset, size_offset in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        position = patched.find(signature)
        while position >= 0:
            if patched[position + name_offset :].startswith(name.encode()):
                patched[position + size_offset : position + size_offset + 4] = struct.pack("<I", size)
            position = patched.find(signature, position + 1)
    return bytes(patched)


def _refused_quickly(data: bytes, name: str, **options: Any) -> UploadRejected:
    started = time.perf_counter()
    with pytest.raises(UploadRejected) as refused:
        _clean(data, name, **options).file.close()
    assert time.perf_counter() - started < 1
    return refused.value


def test_a_docx_that_unpacks_beyond_the_limit_is_refused_quickly() -> None:
    bomb = _bomb(_docx(), "word/media/padding.bin", 64 * MIB)
    assert len(bomb) < 100 * 1024
    refused = _refused_quickly(bomb, "cv.docx", max_bytes=8 * MIB)
    assert refused.message == "This document is much larger once unpacked than the upload limit allows."


def test_the_unpacked_limit_defaults_to_the_upload_setting(settings: Any) -> None:
    settings.EGIDE_UPLOAD_MAX_BYTES = 2 * MIB
    document = _docx(("word/media/notes.txt", os.urandom(3 * MIB // 2).hex().encode(), zipfile.ZIP_DEFLATED))
    assert len(document) < 2 * MIB  # compressed about 2 to 1: within the limit, but not once unpacked
    with pytest.raises(UploadRejected, match="larger once unpacked"):
        _clean(document, "cv.docx")
    _read(_clean(document, "cv.docx", max_bytes=4 * MIB))


def test_an_odt_that_unpacks_beyond_the_limit_is_refused_quickly() -> None:
    bomb = _bomb(_odt(), "Pictures/padding.bin", 64 * MIB)
    assert len(bomb) < 100 * 1024
    refused = _refused_quickly(bomb, "cv.odt", max_bytes=8 * MIB)
    assert "larger once unpacked" in refused.message


def test_an_odt_whose_mimetype_is_a_bomb_is_refused_before_it_is_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _zeros_member(archive, "mimetype", 64 * MIB)
        archive.writestr("content.xml", b"<office:document-content/>")
    refused = _refused_quickly(buffer.getvalue(), "cv.odt", max_bytes=8 * MIB)
    assert "larger once unpacked" in refused.message


def test_a_member_compressed_more_than_100_to_1_is_refused_even_within_the_limit() -> None:
    bomb = _bomb(_docx(), "word/media/padding.bin", 4 * MIB)
    assert "larger once unpacked" in _refused_quickly(bomb, "cv.docx", max_bytes=64 * MIB).message


def test_a_member_that_lies_about_its_size_is_refused_quickly() -> None:
    bomb = _declare_size(_bomb(_docx(), "word/media/padding.bin", 64 * MIB), "word/media/padding.bin", 1000)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("word/media/padding.bin").file_size == 1000
    _refused_quickly(bomb, "cv.docx", max_bytes=8 * MIB)


def test_the_inflated_bytes_are_counted_even_if_the_declared_sizes_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sanitize, "_check_unzipped_sizes", lambda members, limit: None)
    bomb = _bomb(_docx(), "word/media/padding.bin", 64 * MIB)
    assert "larger once unpacked" in _refused_quickly(bomb, "cv.docx", max_bytes=8 * MIB).message


def test_a_docx_with_a_picture_and_a_well_compressed_body_still_passes() -> None:
    picture = _image("PNG", size=(600, 400)) + os.urandom(2 * MIB)  # a large, already compressed member
    body = DOCUMENT_XML.replace(b"<w:body/>", b"<w:body>" + b"<w:p><w:r><w:t>Le 3 mars</w:t></w:r></w:p>" * 20_000 + b"</w:body>")
    assert len(body) < sanitize.ZIP_RATIO_EXEMPT_BYTES  # squeezed well over 100 to 1, but small
    original = _docx(("word/media/image1.png", picture, zipfile.ZIP_DEFLATED))
    original = _zip(
        [(name, body if name == "word/document.xml" else data, zipfile.ZIP_DEFLATED) for name, data in _members(original)]
    )
    cleaned = _clean(original, "temoignage.docx", max_bytes=8 * MIB)
    assert cleaned.content_type == DOCX
    with zipfile.ZipFile(io.BytesIO(_read(cleaned))) as archive:
        assert archive.read("word/media/image1.png") == picture
        assert archive.read("word/document.xml") == body
        assert b"Jane" not in archive.read("docProps/core.xml")


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


# Types that cannot be cleaned


def test_text_is_kept_unchanged_with_a_warning() -> None:
    text = "Le 3 mars, en réunion, il a dit…\n".encode()
    cleaned = _clean(text, "témoignage.txt")
    assert _read(cleaned) == text
    assert (cleaned.content_type, cleaned.name, cleaned.metadata_kept, cleaned.removed) == (
        "text/plain",
        "témoignage.txt",
        True,
        [],
    )


@pytest.mark.parametrize(
    ("head", "content_type", "name"),
    [
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg", "vocal.mp3"),
        (b"\xff\xfb\x90\x64", "audio/mpeg", "vocal.mp3"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4", "vocal.m4a"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4", "vocal.mp4"),
        (b"OggS\x00\x02" + bytes(20), "audio/ogg", "vocal.ogg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav", "vocal.wav"),
    ],
)
def test_audio_and_video_are_recognised_and_kept(head: bytes, content_type: str, name: str) -> None:
    data = head + bytes(64)
    cleaned = _clean(data, "vocal")
    assert _read(cleaned) == data
    assert (cleaned.content_type, cleaned.name, cleaned.metadata_kept) == (content_type, name, True)


def test_an_m4a_named_mp4_is_not_a_forgery() -> None:
    cleaned = _clean(b"\x00\x00\x00\x20ftypM4A " + bytes(64), "memo.mp4")
    cleaned.file.close()
    assert (cleaned.content_type, cleaned.name) == ("audio/mp4", "memo.m4a")


# Rejections


def test_a_file_over_the_limit_is_rejected_without_reading_it_all() -> None:
    source = io.BytesIO(bytes(5 * CHUNK_SIZE))
    with pytest.raises(UploadRejected, match="larger than"):
        clean_upload(source, declared_name="notes.txt", max_bytes=10)
    assert source.tell() <= CHUNK_SIZE


def test_the_limit_defaults_to_the_setting(settings: Any) -> None:
    settings.EGIDE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    with pytest.raises(UploadRejected, match="larger than 2 MB"):
        _clean(b"a" * (2 * 1024 * 1024 + 1), "notes.txt")


def test_an_empty_file_is_rejected() -> None:
    with pytest.raises(UploadRejected, match="empty"):
        _clean(b"", "photo.jpg")


@pytest.mark.parametrize(
    ("data", "name", "extension"),
    [(ELF, "photo.jpg", ".jpg"), (EXE, "photo.JPG", ".jpg"), (b"jpeg", "report.pdf", ".pdf"), (b"text", "memo.mp3", ".mp3")],
)
def test_a_name_claiming_another_type_is_rejected(data: bytes, name: str, extension: str) -> None:
    content = _image("JPEG") if data == b"jpeg" else b"Just some words.\n" if data == b"text" else data
    with pytest.raises(UploadRejected) as rejected:
        _clean(content, name)
    assert rejected.value.message.startswith(f"The content of this file does not match its name ({extension}).")


@pytest.mark.parametrize("data", [ELF, EXE, bytes(range(256)), b"\x00\x00\x00\x20ftypheic" + bytes(32)])
def test_unknown_content_is_rejected(data: bytes) -> None:
    with pytest.raises(UploadRejected, match="This type of file is not accepted"):
        _clean(data, "something.bin")


def test_types_outside_the_allowed_ones_are_rejected(settings: Any) -> None:
    with pytest.raises(UploadRejected, match="not accepted"):
        _clean(b"notes\n", "notes.txt", allowed_types=["image/jpeg"])
    settings.EGIDE_UPLOAD_ALLOWED_TYPES = ["application/pdf"]
    with pytest.raises(UploadRejected, match="not accepted"):
        _clean(b"notes\n", "notes.txt")
    _clean(_pdf(), "ok.pdf").file.close()


# Display names


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("../../etc/pass\x00wd.JPEG", "passwd.jpg"),
        ("C:\\Users\\jane\\Photos\\IMG_1.jpeg", "IMG_1.jpg"),
        ("\u202egpj.exe", "gpj.exe.jpg"),
        ("scan", "scan.jpg"),
        ("", "file.jpg"),
        ("...", "file.jpg"),
        ("x" * 300 + ".jpg", "x" * 116 + ".jpg"),
    ],
)
def test_display_name_is_safe(declared: str, expected: str) -> None:
    cleaned = _clean(_image("JPEG"), declared)
    cleaned.file.close()
    assert cleaned.name == expected
    assert len(cleaned.name) <= 120


def test_cleaned_file_is_on_disk_and_at_its_start() -> None:
    cleaned = _clean(_image("PNG"), "capture.png")
    with cleaned.file:
        assert cleaned.file.fileno() >= 0
        assert cleaned.file.tell() == 0
