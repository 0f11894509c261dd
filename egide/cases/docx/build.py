"""Write the shipped document templates, `<kind>.<language>.docx`, from `texts.toml` (its header says how
a text is marked up). Run `python -m egide.cases.docx.build` after changing the texts and commit the
files: the output is the same byte for byte on every run (fixed dates, fixed zip order), so a diff
shows only real changes. The data migration loads these files as version 1 of each template.
"""

from __future__ import annotations

import io
import tomllib
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

HERE = Path(__file__).resolve().parent
LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}
FIXED_TIME = "2026-11-01T00:00:00Z"
ZIP_TIME = (2026, 11, 1, 0, 0, 0)
DRAFT_COLOUR = RGBColor(0xC0, 0x00, 0x00)


def texts() -> dict[str, Any]:
    with (HERE / "texts.toml").open("rb") as source:
        return tomllib.load(source)


def build(language: str, text: dict[str, str], common: dict[str, Any]) -> bytes:
    document = Document()
    _set_defaults(document, LANGUAGES[language])
    draft = document.add_paragraph().add_run(common["draft"])
    draft.bold = True
    draft.font.color.rgb = DRAFT_COLOUR
    document.add_heading(text["title"], level=1)
    for line in text["body"].splitlines():
        _add_line(document, line.strip(), common)
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = common["footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return _deterministic(document, _core_properties(text["title"], LANGUAGES[language]))


def _set_defaults(document: DocumentObject, language_tag: str) -> None:
    """A readable body font and the document's language (spelling and screen readers)."""
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language_tag)
    normal.element.get_or_add_rPr().append(lang)


def _core_properties(title: str, language_tag: str) -> bytes:
    """Written here rather than by python-docx, whose output varies (its default part is stamped and reused)."""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:language>{language_tag}</dc:language><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_TIME}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_TIME}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def _add_line(document: DocumentObject, line: str, common: dict[str, Any]) -> None:
    if not line:
        return
    if line == "@header":
        document.add_paragraph().add_run(common["header"][0]).bold = True
        for item in common["header"][1:]:
            document.add_paragraph(item)
    elif line == "@signature":
        for item in common["signature"]:
            document.add_paragraph(item).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif line.startswith("# "):
        document.add_heading(line[2:], level=2)
    elif line.startswith("- "):
        document.add_paragraph(line[2:], style="List Bullet")
    elif line.startswith("> "):
        document.add_paragraph(line[2:]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif line.startswith("! "):
        document.add_paragraph().add_run(line[2:]).bold = True
    else:
        document.add_paragraph(line)


def _deterministic(document: DocumentObject, core_properties: bytes) -> bytes:
    """The saved package with every member dated alike (python-docx stamps the time of saving)."""
    saved, output = io.BytesIO(), io.BytesIO()
    document.save(saved)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = core_properties if member.filename == "docProps/core.xml" else source.read(member)
            target.writestr(zipfile.ZipInfo(member.filename, date_time=ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return output.getvalue()


def main() -> None:
    data = texts()
    for kind, languages in data.items():
        if kind == "common":
            continue
        for language, text in languages.items():
            (HERE / f"{kind}.{language}.docx").write_bytes(build(language, text, data["common"][language]))


if __name__ == "__main__":
    main()
