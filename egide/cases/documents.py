"""Official documents generated from DOCX templates (docxtpl) that the legal direction edits in Word.

A template is untrusted: anyone who can upload one could otherwise run code on the server. It is
rendered by Jinja's sandbox, narrowed to what a letter needs: print a field, test fields (if, elif,
else, and, or, not, comparisons, `is` tests), join strings (~) and a few text filters. Every other
construct (attributes, subscripts, calls, loops, assignments, includes, macros, arithmetic,
autoescape blocks) is refused when the template is parsed, so a template can neither escape nor run
longer than its own size allows. Values are escaped (autoescape), so what a handler types stays text
in the WordprocessingML; a value on several lines keeps its line breaks (docxtpl turns "\\n" into a
Word line break).

The fields a document knows are `COMMON_FIELDS` (given by the caller) plus `FIELDS[kind]` (filled in
by the handler); a template using any other name is refused when it is uploaded.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from docx import Document
from docxtpl import DocxTemplate  # type: ignore[import-untyped]
from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from egide.cases.choices import DisciplinaryPath, TemplateKind
from egide.cases.models import DocumentTemplate
from egide.core.audit import audit_record
from egide.vault.sanitize import DOCX, UploadRejected, clean_upload

if TYPE_CHECKING:
    from egide.org.models import User

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
LANGUAGES = ("fr", "en")


class TemplateProblem(Exception):
    """Raised with a user-facing, translated message as `self.message` (str)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str
    label: StrOrPromise
    required: bool = True
    multiline: bool = False
    choices: tuple[tuple[str, Any], ...] = ()  # the value is one of these codes, which a template can test


COMMON_FIELDS: list[Field] = [
    Field("reference", _("Case reference")),
    Field("entity", _("Entity")),
    Field("today", _("Date of the document")),
    Field("author", _("Name of the author")),
    Field("author_role", _("Role of the author"), required=False),
]

_DATE_TIME = Field("date_time", _("Date and time of the interview"))
_ADDRESSEE = Field("recipient", _("Addressee"), multiline=True)

FIELDS: dict[str, list[Field]] = {
    TemplateKind.CONFIDENTIALITY: [
        Field("person", _("Name of the person who signs the commitment")),
        Field("capacity", _("Capacity in which they take part (witness, investigator, member of the commission…)")),
    ],
    TemplateKind.RECORDING: [
        Field("person", _("Name of the person recorded")),
        _DATE_TIME,
        Field("medium", _("Recording medium")),
    ],
    TemplateKind.CONVOCATION: [
        Field("person", _("Person invited")),
        _DATE_TIME,
        Field("place", _("Place")),
        Field("purpose", _("Purpose of the interview"), multiline=True),
        Field("assistance", _("Who may accompany the person"), required=False, multiline=True),
    ],
    TemplateKind.MINUTES: [
        Field("person", _("Person heard")),
        _DATE_TIME,
        Field("present", _("Persons present"), multiline=True),
        Field("statement", _("Statement"), multiline=True),
    ],
    TemplateKind.INVESTIGATION_REPORT: [
        Field("mandate", _("Referral and mandate"), multiline=True),
        Field("method", _("Method (persons heard, documents examined)"), multiline=True),
        Field("findings", _("Findings"), multiline=True),
        Field("conclusions", _("Conclusions"), multiline=True),
    ],
    TemplateKind.INVESTIGATION_DECISION: [
        Field("facts", _("Facts"), multiline=True),
        Field("scope", _("Purpose and scope of the investigation"), multiline=True),
        Field("commission", _("Members of the investigation commission, if already appointed"), required=False, multiline=True),
    ],
    TemplateKind.COMMISSION: [
        Field("members", _("Members of the commission"), multiline=True),
        Field("mandate", _("Mandate"), multiline=True),
        Field("deadline", _("Deadline for the report")),
    ],
    TemplateKind.PROSECUTOR: [
        Field("recipient", _("Court of the public prosecutor (e.g. tribunal judiciaire de Paris)")),
        Field("facts", _("Statement of the facts"), multiline=True),
        Field("offences", _("Offences envisaged, one per line, with their legal text"), multiline=True),
        Field("persons", _("Persons concerned"), required=False, multiline=True),
        Field("documents_sent", _("Documents sent"), required=False, multiline=True),
    ],
    TemplateKind.DISCIPLINARY: [
        Field("path", _("Disciplinary path"), choices=tuple(DisciplinaryPath.choices)),
        Field("person", _("Person prosecuted")),
        Field("facts", _("Facts alleged"), multiline=True),
        Field("authority", _("Authority referred to")),
    ],
    TemplateKind.FEEDBACK: [  # R17: what was planned or done, and why
        _ADDRESSEE,
        Field("measures", _("Measures planned or taken"), multiline=True),
        Field("reasons", _("Reasons for these measures"), multiline=True),
    ],
    TemplateKind.CLOSURE: [  # R18: closure is notified with its reasons
        _ADDRESSEE,
        Field("closure_reason", _("Reason for closure")),
        Field("reasons", _("Explanation of the reasons"), multiline=True),
    ],
    TemplateKind.REDACTED: [
        Field("sections", _("Redacted text"), multiline=True),
    ],
}


def fields_for(kind: str) -> list[Field]:
    """Every field a document of this kind knows, the common ones first; ValueError for an unknown kind."""
    if kind not in FIELDS:
        raise ValueError(f"unknown document kind {kind!r}")
    return COMMON_FIELDS + FIELDS[kind]


# The sandbox ----------------------------------------------------------------------------------------------------------

FILTERS = ("default", "d", "upper", "lower", "capitalize", "title", "trim", "escape", "e")

_ALLOWED_NODES = frozenset(
    {
        nodes.Template,
        nodes.Output,
        nodes.TemplateData,
        nodes.Const,
        nodes.Name,
        nodes.If,
        nodes.Compare,
        nodes.Operand,
        nodes.And,
        nodes.Or,
        nodes.Not,
        nodes.Concat,
        nodes.CondExpr,
        nodes.Filter,
        nodes.Test,
        nodes.Tuple,
        nodes.List,
        nodes.Keyword,
    }
)
# What the refusal calls a construct, as the template's author wrote it.
_CONSTRUCTS = {
    nodes.Getattr: ".",
    nodes.Getitem: "[ ]",
    nodes.Call: "( )",
    nodes.For: "for",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.FilterBlock: "filter",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.Extends: "extends",
    nodes.Block: "block",
    nodes.With: "with",
    nodes.Scope: "autoescape",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.Add: "+",
    nodes.Sub: "-",
    nodes.Mul: "*",
    nodes.Div: "/",
    nodes.FloorDiv: "//",
    nodes.Mod: "%",
    nodes.Pow: "**",
}


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox with autoescape, no globals, a few text filters and a parser that refuses the rest."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in FILTERS}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for node in (tree, *tree.find_all(nodes.Node)):
            if type(node) not in _ALLOWED_NODES or (isinstance(node, nodes.Filter) and node.name not in self.filters):
                construct = (
                    f"|{node.name}" if isinstance(node, nodes.Filter) else _CONSTRUCTS.get(type(node), type(node).__name__)
                )
                message = gettext(
                    "A document template may only print fields, test them (if, elif, else) and use the filters %(filters)s. "
                    "Not allowed: “%(construct)s”."
                ) % {"filters": ", ".join(FILTERS), "construct": construct}
                raise TemplateSyntaxError(message, _line(node), name, filename)
        return tree


def _line(node: nodes.Node) -> int:
    """The node's line; the parser leaves it out on a few nodes (autoescape blocks), whose content has it."""
    return node.lineno or next((child.lineno for child in node.find_all(nodes.Node) if child.lineno), 1)


# Rendering ------------------------------------------------------------------------------------------------------------

# Characters WordprocessingML cannot hold, and those docxtpl would turn into paragraph or page breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _value(raw: object, field: Field) -> str:
    text = _CONTROL.sub("", str(raw).replace("\r\n", "\n").replace("\r", "\n"))
    return text if field.multiline else " ".join(text.split("\n"))


def _fill(content: bytes, kind: str, context: Mapping[str, object]) -> bytes:
    """Render with every known field (missing ones empty); the libraries' own exceptions propagate."""
    values = {field.name: _value(context.get(field.name, ""), field) for field in fields_for(kind)}
    document = DocxTemplate(io.BytesIO(content))
    document.render(values, jinja_env=_Sandbox(), autoescape=True)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def render(template: DocumentTemplate, context: Mapping[str, object]) -> bytes:
    """The document filled in with `context` (field name to text); TemplateProblem if the template fails."""
    try:
        return _fill(bytes(template.content), template.kind, context)
    except Exception:
        # An uploaded template can fail in any of the libraries' ways. The details may quote case content,
        # so they are dropped: the template was checked when uploaded, and check_template says what is wrong.
        raise TemplateProblem(gettext("This template could not be filled in. Ask the legal direction to check it.")) from None


# Checking an upload ---------------------------------------------------------------------------------------------------


def check_template(kind: str, content: bytes) -> bytes:
    """Refuse (TemplateProblem) a file that is not a DOCX within the limits, or a template that does not parse,
    fails to render with sample values or uses a field this kind does not know; else the file without its
    metadata (the author's name and the like would otherwise reach every generated document)."""
    known = [field.name for field in fields_for(kind)]
    if len(content) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(gettext("This file is larger than %(size)s MB.") % {"size": MAX_TEMPLATE_BYTES // 1024 // 1024})
    content = _check_package(content)
    try:
        # Rendering first: its errors locate the paragraph, and the sandbox makes it safe on an unchecked template.
        Document(io.BytesIO(_fill(content, kind, _sample(kind))))
        used = DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables(jinja_env=_Sandbox())
    except TemplateSyntaxError as error:
        raise TemplateProblem(_syntax_problem(error)) from error
    except Exception as error:
        raise TemplateProblem(
            gettext("This template could not be filled in with sample values: %(error)s") % {"error": error}
        ) from error
    if unknown := sorted(set(used) - set(known)):
        raise TemplateProblem(
            gettext("This template uses fields that do not exist for this document: %(names)s. Known fields: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(known)}
        )
    return content


def _check_package(content: bytes) -> bytes:
    """A Word document without macros, which unpacks within MAX_UNPACKED_BYTES (the vault's zip-bomb checks)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = set(archive.namelist())
    except zipfile.BadZipFile:
        members = set()
    if "word/document.xml" not in members or "word/vbaProject.bin" in members:
        raise TemplateProblem(gettext("This file is not a Word document (.docx)."))
    try:
        cleaned = clean_upload(
            io.BytesIO(content), declared_name="template.docx", max_bytes=MAX_UNPACKED_BYTES, allowed_types=[DOCX]
        )
    except UploadRejected as error:
        raise TemplateProblem(error.message) from error
    try:
        cleaned.file.seek(0)
        return bytes(cleaned.file.read())
    finally:
        cleaned.file.close()


def _syntax_problem(error: TemplateSyntaxError) -> str:
    """The error with the text of the paragraph it is in (docxtpl puts each paragraph on its own line)."""
    lines = (error.source or "").splitlines()
    near = re.sub(r"<[^>]+>", "", lines[error.lineno - 1]).strip() if 0 < error.lineno <= len(lines) else ""
    if not near:
        return gettext("This template has an error: %(error)s") % {"error": error.message}
    return gettext("This template has an error near “%(near)s”: %(error)s") % {"near": near[:120], "error": error.message}


def _sample(kind: str) -> dict[str, str]:
    return {
        field.name: field.choices[0][0] if field.choices else "\n".join([f"[{field.name}]"] * (2 if field.multiline else 1))
        for field in fields_for(kind)
    }


# Versions -------------------------------------------------------------------------------------------------------------


def template_current(kind: str, language: str) -> DocumentTemplate | None:
    """The highest version of the template of this kind and language, validated or not."""
    return DocumentTemplate.objects.filter(kind=kind, language=language).order_by("-version").first()


@transaction.atomic
def template_upload(*, kind: str, language: str, content: bytes, user: User, state: str) -> DocumentTemplate:
    """Check the file and store it as the next version of this kind and language; audited."""
    if language not in LANGUAGES or state not in DocumentTemplate.State.values:
        raise ValueError(f"unknown language {language!r} or state {state!r}")
    content = check_template(kind, content)
    last = DocumentTemplate.objects.select_for_update().filter(kind=kind, language=language).order_by("-version").first()
    template = DocumentTemplate.objects.create(
        kind=kind,
        language=language,
        version=(last.version if last else 0) + 1,
        state=state,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        uploaded_on=timezone.localdate(),
    )
    audit_record(
        actor=user,
        action="cases.template_uploaded",
        target=template,
        data={"kind": kind, "language": language, "version": template.version, "sha256": template.sha256},
    )
    return template
