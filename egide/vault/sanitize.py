"""Clean the files attached to a report before they are encrypted and stored.

A photo taken with a phone carries where and when it was taken and with which device; a PDF or a
Word document names its author and the software that made it. A reporter who wants to stay discreet
rarely knows that, so every upload goes through `clean_upload`: its real type is read from its first
bytes (never from the declared name or content type, which the sender controls), a name that claims
another known type is refused, and the identifying metadata of the types we can rewrite is removed.
The reporter is told what was removed, and warned when a type (audio, video, text) cannot be cleaned.

The upload is spooled to a temporary file on disk in chunks and never held whole in memory, except
for image pixels, which Pillow needs (bounded by `MAX_IMAGE_PIXELS`). A DOCX or ODT is a zip archive
whose members are inflated to be rewritten: one that would unpack beyond the upload limit, or with a
large member compressed more than `MAX_ZIP_RATIO` to 1, is refused before any member is inflated, and
the bytes actually inflated are counted against the same limits (the declared sizes can lie).

Limits, on purpose: the body of a document is what its author wrote and is not rewritten, so comment
and tracked-change author names in a DOCX or ODT stay; the colour profile (ICC) of a photo is dropped
rather than converted, as it can name the device.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

import pikepdf
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence

CHUNK_SIZE = 1024 * 1024
HEAD_SIZE = 64 * 1024
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000
MAX_NAME_LENGTH = 120
MAX_ZIP_MEMBERS = 10_000
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024  # a ceiling on what a DOCX or ODT unpacks to, even with a higher upload limit
MAX_ZIP_RATIO = 100  # uncompressed to compressed size of one member ...
ZIP_RATIO_EXEMPT_BYTES = 1024 * 1024  # ... once it unpacks to more than this (small XML parts compress very well)

JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
WEBP = "image/webp"
PDF = "application/pdf"
MP3 = "audio/mpeg"
M4A = "audio/mp4"
MP4 = "video/mp4"
OGG = "audio/ogg"
WAV = "audio/wav"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"

# Extensions each type may be declared with; the first one is the canonical extension of the display name.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    JPEG: ("jpg", "jpeg", "jpe", "jfif"),
    PNG: ("png",),
    GIF: ("gif",),
    WEBP: ("webp",),
    PDF: ("pdf",),
    MP3: ("mp3",),
    M4A: ("m4a", "m4b", "mp4"),
    MP4: ("mp4", "m4v", "mov"),
    OGG: ("ogg", "oga", "opus"),
    WAV: ("wav",),
    DOCX: ("docx",),
    ODT: ("odt",),
    TEXT: ("txt", "text", "md", "csv", "log"),
}
ACCEPTED_TYPES: tuple[str, ...] = tuple(EXTENSIONS)
_KNOWN_EXTENSIONS = frozenset(extension for extensions in EXTENSIONS.values() for extension in extensions)

_MAGIC: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    (JPEG, lambda head: head.startswith(b"\xff\xd8\xff")),
    (PNG, lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    (GIF, lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    (WEBP, lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    (WAV, lambda head: head[:4] == b"RIFF" and head[8:12] == b"WAVE"),
    (PDF, lambda head: head.startswith(b"%PDF-")),
    (OGG, lambda head: head.startswith(b"OggS")),
)
# ISO base media files that are still images (HEIF, AVIF), not audio or video.
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"})
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B "})

_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP"}
_PIXEL_INFO = frozenset({"transparency"})  # the only `info` entries kept on a re-saved image: they are pixels, not metadata
_PNG_XMP_KEY = "XML:com.adobe.xmp"

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # member dates are when the document was saved: reset them
_XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OOXML_CORE = _XML + (
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_OOXML_APP = _XML + (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
# Emptied rather than dropped: the package relationships still point at it, and readers fail on a missing part.
_OOXML_CUSTOM = _XML + (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
_ODF_META = _XML + (
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    b' xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2"><office:meta/></office:document-meta>'
)
_ZIP_REPLACEMENTS: dict[str, dict[str, tuple[bytes, str]]] = {
    DOCX: {
        "docProps/core.xml": (_OOXML_CORE, "properties"),
        "docProps/app.xml": (_OOXML_APP, "properties"),
        "docProps/custom.xml": (_OOXML_CUSTOM, "custom"),
    },
    ODT: {"meta.xml": (_ODF_META, "properties")},
}

# Inside a PDF, a JPEG picture keeps its own segments: APP1 (EXIF, XMP) to APP13 (IPTC), APP15 and comments go.
_JPEG_DROPPED_MARKERS = frozenset({*range(0xE1, 0xEE), 0xEF, 0xFE})
_JPEG_ICC_MARKER = 0xE2
_PDF_JPEG_FILTERS = (pikepdf.Name.DCTDecode, [pikepdf.Name.DCTDecode])


class UploadRejected(Exception):
    """Raised with a user-facing, translated message (gettext) as `self.message` (str)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CleanedUpload:
    file: IO[bytes]  # a temporary file on disk, positioned at 0; the caller closes it
    size: int
    content_type: str
    name: str
    removed: list[str]
    metadata_kept: bool  # the type cannot be cleaned (audio, video, text): warn that it may still identify its author


Cleaner = Callable[[BinaryIO, str, int], tuple[BinaryIO, list[str]]]  # (raw, content type, upload limit)


def clean_upload(
    source: IO[bytes], *, declared_name: str, max_bytes: int | None = None, allowed_types: Iterable[str] | None = None
) -> CleanedUpload:
    """Spool `source` to disk, check its real type and remove its metadata; raises UploadRejected."""
    limit = int(getattr(settings, "EGIDE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)) if max_bytes is None else max_bytes
    if allowed_types is None:
        allowed_types = getattr(settings, "EGIDE_UPLOAD_ALLOWED_TYPES", ACCEPTED_TYPES)
    raw = _spool(source, limit)
    try:
        content_type = _check_type(raw, declared_name, frozenset(allowed_types), limit)
        cleaner = _CLEANERS.get(content_type)
        cleaned, found = cleaner(raw, content_type, limit) if cleaner else (raw, [])
    except BaseException:
        raw.close()
        raise
    if cleaned is not raw:
        raw.close()
    size = cleaned.seek(0, os.SEEK_END)
    cleaned.seek(0)
    return CleanedUpload(
        file=cleaned,
        size=size,
        content_type=content_type,
        name=display_name(declared_name, content_type),
        removed=_describe(found),
        metadata_kept=cleaner is None,
    )


def display_name(declared_name: str, content_type: str) -> str:
    """The base name without control characters, with the canonical extension of the detected type."""
    stem, extension = _split_name(declared_name)
    if extension not in _KNOWN_EXTENSIONS:
        stem = f"{stem}.{extension}" if extension else stem
    canonical = EXTENSIONS[content_type][0]
    stem = stem[: MAX_NAME_LENGTH - len(canonical) - 1].rstrip(" .") or "file"
    return f"{stem}.{canonical}"


def _split_name(declared_name: str) -> tuple[str, str]:
    visible = "".join(char for char in unicodedata.normalize("NFC", declared_name) if unicodedata.category(char)[0] != "C")
    base = re.split(r"[/\\]", visible)[-1].strip(" .")
    stem, dot, extension = base.rpartition(".")
    return (stem.rstrip(" ."), extension.strip().lower()) if dot else (base, "")


def _describe(found: Iterable[str]) -> list[str]:
    sentences = {
        "exif": _("location, date and camera details (EXIF)"),
        "xmp": _("descriptive data (XMP), which can include the author and the location"),
        "iptc": _("captions, author and location details (IPTC)"),
        "text": _("text notes embedded in the image"),
        "icc": _("colour profile (ICC), which can name the device"),
        "properties": _("document properties (author, title, software)"),
        "custom": _("custom document properties"),
        "pictures": _("location, date and camera details (EXIF) of the pictures inside"),
    }
    return [sentences[key] for key in dict.fromkeys(found)]


def _spool(source: IO[bytes], limit: int) -> BinaryIO:
    raw = tempfile.TemporaryFile()  # noqa: SIM115 - handed over to the caller, who closes it
    total = 0
    try:
        while chunk := source.read(CHUNK_SIZE):
            total += len(chunk)
            if total > limit:
                raise UploadRejected(_("This file is larger than %(size)s MB.") % {"size": floatformat(limit / 1024 / 1024, -1)})
            raw.write(chunk)
        if not total:
            raise UploadRejected(_("This file is empty."))
    except BaseException:
        raw.close()
        raise
    raw.seek(0)
    return raw


def _check_type(raw: BinaryIO, declared_name: str, allowed: frozenset[str], limit: int) -> str:
    detected = _detect(raw, limit)
    extension = _split_name(declared_name)[1]
    if extension in _KNOWN_EXTENSIONS and (detected is None or extension not in EXTENSIONS[detected]):
        raise UploadRejected(
            _("The content of this file does not match its name (%(extension)s). Rename it or choose another file.")
            % {"extension": f".{extension}"}
        )
    if detected is None or detected not in allowed:
        raise UploadRejected(
            _(
                "This type of file is not accepted. Accepted: photos (JPEG, PNG, WebP, GIF), PDF, audio, video (MP4), "
                "text and Word or OpenDocument documents."
            )
        )
    return detected


def _detect(raw: BinaryIO, limit: int) -> str | None:
    head = raw.read(HEAD_SIZE)
    raw.seek(0)
    for content_type, matches in _MAGIC:
        if matches(head):
            return content_type
    if _is_mp3(head):
        return MP3
    if head[4:8] == b"ftyp":
        return _mp4_type(head[8:12])
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(raw, limit)
    return TEXT if _is_text(head, complete=len(head) < HEAD_SIZE) else None


def _is_mp3(head: bytes) -> bool:
    if head[:3] == b"ID3":
        return len(head) >= 10 and head[3] in (2, 3, 4)
    if len(head) < 4 or head[0] != 0xFF:
        return False
    # An MPEG audio frame header: 11 sync bits, a defined version and layer, a usable bitrate.
    return head[1] & 0xE0 == 0xE0 and head[1] & 0x18 != 0x08 and head[1] & 0x06 != 0 and head[2] & 0xF0 != 0xF0


def _mp4_type(brand: bytes) -> str | None:
    if brand in _IMAGE_BRANDS:
        return None
    return M4A if brand in _AUDIO_BRANDS else MP4


def _zip_type(raw: BinaryIO, limit: int) -> str | None:
    """DOCX, ODT or None, from the member names (and the `mimetype` member); raises UploadRejected for a zip bomb."""
    try:
        with zipfile.ZipFile(raw) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return None
            names = {member.filename for member in members}
            if "mimetype" not in names:
                # A macro-enabled document (.docm) also has a word/document.xml: its macros are not accepted.
                if "word/document.xml" not in names or "word/vbaProject.bin" in names:
                    return None
                _check_unzipped_sizes(members, limit)
                return DOCX
            _check_unzipped_sizes(members, limit)  # before inflating any member, even `mimetype`
            with archive.open("mimetype") as mimetype:
                return ODT if mimetype.read(100).strip() == ODT.encode() else None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        return None
    finally:
        raw.seek(0)


def _is_text(head: bytes, *, complete: bool) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _new_file(write: Callable[[BinaryIO], object]) -> BinaryIO:
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed over to the caller, who closes it
    try:
        write(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


# Images ---------------------------------------------------------------------------------------------------------------


def _clean_image(raw: BinaryIO, content_type: str, limit: int) -> tuple[BinaryIO, list[str]]:
    image_format = _PILLOW_FORMATS[content_type]
    image = _open_image(raw, image_format)
    try:
        found = _image_metadata(image)
        frames, options = _clean_frames(image, image_format)
        return _new_file(lambda out: frames[0].save(out, format=image_format, **options)), found
    except (OSError, ValueError, EOFError) as error:
        raise UploadRejected(_("This image could not be read. It may be damaged.")) from error
    finally:
        image.close()


def _open_image(raw: BinaryIO, image_format: str) -> Image.Image:
    too_large = _("This image is too large. Reduce its dimensions, or choose another file.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(raw, formats=[image_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadRejected(too_large) from error
    except (OSError, ValueError, EOFError, SyntaxError) as error:
        raise UploadRejected(_("This image could not be read. It may be damaged.")) from error
    frames = getattr(image, "n_frames", 1) if image_format == "GIF" else 1
    if image.width * image.height * frames > MAX_IMAGE_PIXELS:
        image.close()
        raise UploadRejected(too_large)
    return image


def _image_metadata(image: Image.Image) -> list[str]:
    info = image.info
    text_chunks = set(getattr(image, "text", {})) - {_PNG_XMP_KEY}  # PNG tEXt, zTXt and iTXt chunks
    present = {
        "exif": bool(info.get("exif")) or bool(image.getexif()),
        "xmp": bool(info.get("xmp")) or _PNG_XMP_KEY in info,
        "iptc": bool(info.get("photoshop")),
        "text": bool(info.get("comment")) or bool(text_chunks),
        "icc": bool(info.get("icc_profile")),
    }
    return [key for key, found in present.items() if found]


def _clean_frames(image: Image.Image, image_format: str) -> tuple[list[Image.Image], dict[str, Any]]:
    """Copies of the pixels, with no metadata left in `info` (Pillow writes some of it back on save)."""
    if image_format == "GIF" and getattr(image, "n_frames", 1) > 1:
        options: dict[str, Any] = {"save_all": True, "loop": image.info["loop"]} if "loop" in image.info else {"save_all": True}
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
        options["duration"] = [frame.info.get("duration", 100) for frame in frames]
        options["append_images"] = frames[1:]
    else:
        # Only GIF keeps its animation; an animated PNG or WebP keeps its first frame.
        frames = [ImageOps.exif_transpose(image)]
        options = {"quality": 90} if image_format == "JPEG" else {}
    for frame in frames:
        frame.info = {key: value for key, value in frame.info.items() if key in _PIXEL_INFO}
    return frames, options


# PDF ------------------------------------------------------------------------------------------------------------------


def _clean_pdf(raw: BinaryIO, content_type: str, limit: int) -> tuple[BinaryIO, list[str]]:
    try:
        with pikepdf.open(raw) as pdf:
            found = _strip_pdf(pdf)
            # Saving without `encryption` writes the document unencrypted (it opened without a password).
            return _new_file(pdf.save), found
    except pikepdf.PasswordError as error:
        raise UploadRejected(_("This PDF is protected by a password. Remove the password, or choose another file.")) from error
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError) as error:
        raise UploadRejected(_("This PDF could not be read. It may be damaged.")) from error


def _strip_pdf(pdf: pikepdf.Pdf) -> list[str]:
    found = []
    if "/Info" in pdf.trailer:
        if len(pdf.trailer.Info.keys()):
            found.append("properties")
        del pdf.trailer["/Info"]
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        # XMP hangs from the catalogue, and from pages, pictures and fonts too; PieceInfo is private editor data.
        for key in ("/Metadata", "/PieceInfo"):
            if key in obj:
                del obj[key]
                found.append("xmp")
        if isinstance(obj, pikepdf.Stream) and _strip_pdf_picture(obj):
            found.append("pictures")
    return found


def _strip_pdf_picture(stream: pikepdf.Stream) -> bool:
    if stream.get("/Subtype") != pikepdf.Name.Image or stream.get("/Filter") not in _PDF_JPEG_FILTERS:
        return False
    data = stream.read_raw_bytes()
    stripped = strip_jpeg_segments(data)
    if stripped == data:
        return False
    filters, parameters = stream.Filter, stream.get("/DecodeParms")
    stream.write(stripped, filter=pikepdf.Name.DCTDecode)
    stream.Filter = filters
    if parameters is not None:
        stream.DecodeParms = parameters
    return True


def strip_jpeg_segments(data: bytes) -> bytes:
    """Drop the metadata segments of a JPEG stream without decoding it (the ICC profile in APP2 stays)."""
    if not data.startswith(b"\xff\xd8"):
        return data
    kept, position = [data[:2]], 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker in (0xDA, 0xD9, 0xFF):  # start of scan, end of image, or fill bytes: the rest is kept as is
            break
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if end > len(data):
            return data
        icc = marker == _JPEG_ICC_MARKER and data[position + 4 : position + 16] == b"ICC_PROFILE\x00"
        if marker not in _JPEG_DROPPED_MARKERS or icc:
            kept.append(data[position:end])
        position = end
    kept.append(data[position:])
    return b"".join(kept)


# DOCX and ODT ---------------------------------------------------------------------------------------------------------


def _unzipped_too_large() -> UploadRejected:
    return UploadRejected(_("This document is much larger once unpacked than the upload limit allows."))


def _unzipped_budget(limit: int) -> int:
    return min(limit, MAX_UNZIPPED_BYTES)


def _check_unzipped_sizes(members: Iterable[zipfile.ZipInfo], limit: int) -> None:
    """Refuse a zip bomb from the sizes its central directory declares, before any member is inflated."""
    total, budget = 0, _unzipped_budget(limit)
    for member in members:
        total += member.file_size
        squeezed = member.file_size > ZIP_RATIO_EXEMPT_BYTES and member.file_size > MAX_ZIP_RATIO * member.compress_size
        if squeezed or total > budget:
            raise _unzipped_too_large()


def _clean_zip(raw: BinaryIO, content_type: str, limit: int) -> tuple[BinaryIO, list[str]]:
    replacements = _ZIP_REPLACEMENTS[content_type]
    found: list[str] = []

    def write(out: BinaryIO) -> None:
        with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
            # An OpenDocument package must start with its `mimetype` member (the sort is stable).
            members = sorted(source.infolist(), key=lambda member: member.filename != "mimetype")
            _check_unzipped_sizes(members, limit)
            budget = _unzipped_budget(limit)
            for member in members:
                replacement = replacements.get(member.filename)
                budget -= _copy_member(source, target, member, replacement[0] if replacement else None, budget)
                found.extend([replacement[1]] if replacement else [])

    try:
        return _new_file(write), found
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
        raise UploadRejected(_("This document could not be read. It may be damaged.")) from error


def _copy_member(
    source: zipfile.ZipFile, target: zipfile.ZipFile, member: zipfile.ZipInfo, replacement: bytes | None, budget: int
) -> int:
    """Copy one member, streamed and with the same content, unless it is replaced; the date is reset.

    Returns the bytes inflated. They are counted as they are read: a member that inflates beyond its declared size,
    or beyond `budget` (what the upload limit leaves), is refused, whatever its header says.
    """
    info = zipfile.ZipInfo(member.filename, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_STORED if member.filename == "mimetype" else member.compress_type
    info.external_attr = member.external_attr
    if replacement is not None or member.is_dir():
        target.writestr(info, replacement or b"")
        return 0
    allowed, inflated = min(member.file_size, budget), 0
    with source.open(member) as reader, target.open(info, "w", force_zip64=member.file_size > zipfile.ZIP64_LIMIT) as writer:
        while chunk := reader.read(CHUNK_SIZE):
            inflated += len(chunk)
            if inflated > allowed:
                raise _unzipped_too_large()
            writer.write(chunk)
    return inflated


_CLEANERS: dict[str, Cleaner] = {
    JPEG: _clean_image,
    PNG: _clean_image,
    GIF: _clean_image,
    WEBP: _clean_image,
    PDF: _clean_pdf,
    DOCX: _clean_zip,
    ODT: _clean_zip,
}
