"""Case documents from DOCX templates: the shipped templates render in both languages, values stay text,
an uploaded template can neither escape the sandbox nor use unknown fields, and uploads are versioned
and audited."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from docx import Document

from egide.cases.choices import TemplateKind
from egide.cases.documents import (
    COMMON_FIELDS,
    FIELDS,
    MAX_TEMPLATE_BYTES,
    TemplateProblem,
    check_template,
    fields_for,
    render,
    template_current,
    template_upload,
)
from egide.cases.docx import build
from egide.cases.models import DocumentTemplate
from egide.core.models import AuditEvent
from egide.org.models import Entity, User
from egide.org.roles import Role
from tests.conftest import make_user

SHIPPED = Path(build.__file__).resolve().parent
LANGUAGES = ["fr", "en"]
DRAFT = {"fr": "PROJET — à faire valider par la direction juridique", "en": "DRAFT — to be validated by the legal direction"}
ALL = [(kind, language) for kind in TemplateKind.values for language in LANGUAGES]


def docx_with(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def text_of(content: bytes) -> str:
    """Body paragraphs (a Word line break reads as "\\n"), then the footers, one per line."""
    document = Document(io.BytesIO(content))
    footers = [paragraph.text for section in document.sections for paragraph in section.footer.paragraphs]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + footers)


def unsaved(kind: str, content: bytes) -> DocumentTemplate:
    return DocumentTemplate(kind=kind, language="fr", version=1, content=content)


def filled(kind: str) -> dict[str, str]:
    """A distinct value for every field, on two lines for the long ones."""
    return {
        field.name: field.choices[0][0]
        if field.choices
        else f"{field.name}-one\n{field.name}-two"
        if field.multiline
        else f"<{field.name}>"
        for field in fields_for(kind)
    }


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The refusals are asserted on their English wording."""
    with translation.override("en"):
        yield


@pytest.fixture
def legal(school_a: Entity) -> User:
    return make_user("lea.legal@example.org", school_a, (Role.LEGAL, None))


# The shipped templates ------------------------------------------------------------------------------------------------


def test_the_migration_loaded_every_shipped_template_as_a_draft_version_1(db: Any) -> None:
    templates = DocumentTemplate.objects.all()
    assert sorted((template.kind, template.language) for template in templates) == sorted(ALL)
    for template in templates:
        content = (SHIPPED / f"{template.kind}.{template.language}.docx").read_bytes()
        assert (template.version, template.state, template.uploaded_by) == (1, DocumentTemplate.State.DRAFT, None)
        assert bytes(template.content) == content
        assert template.sha256 == hashlib.sha256(content).hexdigest()


def test_every_kind_has_its_fields() -> None:
    assert set(FIELDS) == set(TemplateKind.values)
    assert [field.name for field in COMMON_FIELDS] == ["reference", "entity", "today", "author", "author_role"]
    assert {field.name for field in FIELDS[TemplateKind.FEEDBACK] if field.required} >= {"measures", "reasons"}  # R17
    assert {field.name for field in FIELDS[TemplateKind.CLOSURE] if field.required} >= {"closure_reason", "reasons"}  # R18


def test_the_committed_files_are_what_the_build_writes() -> None:
    texts = build.texts()
    for kind, language in ALL:
        built = build.build(language, texts[kind][language], texts["common"][language])
        assert built == (SHIPPED / f"{kind}.{language}.docx").read_bytes(), (
            f"run python -m egide.cases.docx.build ({kind}.{language})"
        )


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_a_shipped_template_renders_every_field(db: Any, kind: str, language: str) -> None:
    template = template_current(kind, language)
    assert template is not None
    check_template(kind, bytes(template.content))

    text = text_of(render(template, filled(kind)))

    assert text.startswith(DRAFT[language] + "\n")
    for field in fields_for(kind):
        if field.multiline:
            assert f"{field.name}-one\n{field.name}-two" in text, field.name
        elif not field.choices:
            assert f"<{field.name}>" in text, field.name
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize(("path", "words"), [("student", "section disciplinaire"), ("staff", "pouvoir disciplinaire")])
def test_the_disciplinary_referral_follows_the_path(db: Any, path: str, words: str) -> None:
    template = template_current(TemplateKind.DISCIPLINARY, "fr")
    assert template is not None

    assert words in text_of(render(template, {**filled(TemplateKind.DISCIPLINARY), "path": path}))


def test_missing_optional_fields_render_empty(db: Any) -> None:
    convocation, prosecutor = template_current("convocation", "fr"), template_current("prosecutor", "fr")
    assert convocation is not None and prosecutor is not None

    convocation_text = text_of(render(convocation, {"reference": "2026-TP-0042"}))
    prosecutor_text = text_of(render(prosecutor, {"reference": "2026-TP-0042"}))

    assert "Référence : 2026-TP-0042" in convocation_text
    assert "Accompagnement" not in convocation_text  # the optional section goes with its field
    assert "Aucune personne n’est identifiée à ce stade." in prosecutor_text
    assert "None" not in convocation_text + prosecutor_text


def test_the_prosecutor_notice_says_the_reporter_will_be_informed(db: Any) -> None:
    """R19: the reporter is told, with written explanations, unless it would compromise the proceedings."""
    template = template_current("prosecutor", "fr")
    assert template is not None

    text = text_of(render(template, filled("prosecutor")))

    assert "sauf si cette information risque de compromettre la procédure judiciaire" in text


# Values stay text ------------------------------------------------------------------------------------------------------


def test_line_breaks_are_kept_as_word_line_breaks() -> None:
    template = unsaved("feedback", docx_with("Mesures :", "{{ measures }}"))

    content = render(template, {"measures": "first\r\nsecond\rthird\nfourth"})

    assert Document(io.BytesIO(content)).paragraphs[1].text == "first\nsecond\nthird\nfourth"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.read("word/document.xml").count(b"<w:br/>") == 3


def test_a_single_line_field_gets_no_line_break() -> None:
    template = unsaved("feedback", docx_with("{{ reference }}"))

    assert Document(io.BytesIO(render(template, {"reference": "a\nb"}))).paragraphs[0].text == "a b"


@pytest.mark.parametrize(
    "value",
    [
        '</w:t></w:r></w:p><w:p><w:r><w:t>injected</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">',
        "Dupont & Fils <b>gras</b> ]]> <!-- x --> &amp; &#x41; \"'",
        "{{ reference }} {% if true %}x{% endif %}",
    ],
)
def test_a_value_cannot_inject_wordprocessingml(value: str) -> None:
    template = unsaved("feedback", docx_with("Avant", "{{ measures }}", "Après"))

    paragraphs = [paragraph.text for paragraph in Document(io.BytesIO(render(template, {"measures": value}))).paragraphs]

    assert paragraphs == ["Avant", value, "Après"]


def test_control_characters_are_dropped() -> None:
    template = unsaved("feedback", docx_with("{{ measures }}"))

    content = render(template, {"measures": "a\x00b\x07c\x0cd\x1be\tf"})

    assert Document(io.BytesIO(content)).paragraphs[0].text == "abcde\tf"


# Uploaded templates ----------------------------------------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ reference.__class__ }}",
    "{{ reference|attr('__class__') }}",
    "{{ reference['__class__'] }}",
    "{{ cycler.__init__.__globals__.os.system('touch {canary}') }}",
    "{{ lipsum.__globals__['os'].system('touch {canary}') }}",
    "{% autoescape false %}{{ reference }}{% endautoescape %}",
    "{{ reference|safe }}",
    "{% for x in range(100000) %}{% for y in range(100000) %}x{% endfor %}{% endfor %}",
    "{% set big = reference ~ reference %}{{ big }}",
    "{{ 'x' * 1000000000 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
]


@pytest.mark.parametrize("attempt", ESCAPES)
def test_a_sandbox_escape_is_refused_and_never_runs(attempt: str, tmp_path: Path) -> None:
    canary = tmp_path / "ran"
    content = docx_with("Objet", attempt.replace("{canary}", str(canary)))

    with pytest.raises(TemplateProblem) as refused:
        check_template("feedback", content)
    with pytest.raises(TemplateProblem):
        render(unsaved("feedback", content), filled("feedback"))

    assert "Not allowed" in refused.value.message or "do not exist" in refused.value.message
    assert not canary.exists()


def test_a_refusal_quotes_the_paragraph_and_the_construct() -> None:
    with pytest.raises(TemplateProblem) as refused:
        check_template("feedback", docx_with("Bonjour", "Objet : {{ reference.__class__ }}"))

    assert "Objet : {{ reference.__class__ }}" in refused.value.message
    assert refused.value.message.endswith("Not allowed: “.”.")


def test_fields_conditions_and_text_filters_are_allowed() -> None:
    content = docx_with(
        '{% if path == "student" and reference %}Étudiant {{ person|upper }}{% elif path in ("staff",) %}Agent{% endif %}',
        "{{ authority|default('—', true) ~ ' / ' ~ reference|trim }}{% if facts is defined %}.{% endif %}",
    )
    check_template("disciplinary", content)

    text = text_of(render(unsaved("disciplinary", content), {"path": "student", "reference": "R-1", "person": "Dupont"}))

    assert text.startswith("Étudiant DUPONT\n— / R-1.\n")


def test_an_unknown_field_is_refused_with_its_name() -> None:
    with pytest.raises(TemplateProblem) as refused:
        check_template("closure", docx_with("{{ reference }} {{ victim_name }}", "{{ measures }}"))

    assert "victim_name" in refused.value.message
    assert "measures" in refused.value.message.split(".")[0]  # a feedback field, not a closure one
    assert "reference" not in refused.value.message.split(".")[0]


def test_a_syntax_error_is_refused() -> None:
    with pytest.raises(TemplateProblem) as refused:
        check_template("feedback", docx_with("{% if reference %}sans fin"))

    assert "sans fin" in refused.value.message


def test_a_file_that_is_not_a_docx_is_refused() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("content.xml", "<x/>")

    for content in (b"%PDF-1.7 not a template", archive.getvalue(), b""):
        with pytest.raises(TemplateProblem) as refused:
            check_template("feedback", content)
        assert "Word" in refused.value.message


def test_a_file_over_two_megabytes_is_refused() -> None:
    content = docx_with("{{ reference }}")
    content += b"\0" * (MAX_TEMPLATE_BYTES + 1 - len(content))

    with pytest.raises(TemplateProblem) as refused:
        check_template("feedback", content)

    assert "2" in refused.value.message


def test_a_zip_bomb_is_refused() -> None:
    source, bomb = io.BytesIO(docx_with("{{ reference }}")), io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for member in original.infolist():
            target.writestr(member, original.read(member))
        target.writestr("word/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    assert len(bomb.getvalue()) < MAX_TEMPLATE_BYTES

    with pytest.raises(TemplateProblem) as refused:
        check_template("feedback", bomb.getvalue())

    assert "unpacked" in refused.value.message


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown document kind"):
        check_template("love_letter", docx_with("x"))


def test_a_failing_template_does_not_leak_the_values() -> None:
    with pytest.raises(TemplateProblem) as refused:
        render(unsaved("feedback", b"not a docx"), {"measures": "SECRET-VALUE"})

    assert "SECRET-VALUE" not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


# Versions --------------------------------------------------------------------------------------------------------------


def test_an_upload_is_the_next_version_and_is_audited(legal: User) -> None:
    content = docx_with(DRAFT["fr"], "Nouvelle version {{ reference }} : {{ measures }} ; {{ reasons }}")

    template = template_upload(
        kind="feedback", language="fr", content=content, user=legal, state=DocumentTemplate.State.VALIDATED
    )

    assert (template.version, template.state, template.uploaded_by) == (2, DocumentTemplate.State.VALIDATED, legal)
    # What is stored is the file without its metadata, and its digest is that of what is stored.
    assert template.sha256 == hashlib.sha256(bytes(template.content)).hexdigest()
    assert template_current("feedback", "fr") == template
    assert template_current("feedback", "en") != template
    event = AuditEvent.objects.get(action="cases.template_uploaded")
    assert (event.actor_id, event.object_id) == (legal.pk, str(template.pk))
    assert event.data == {"kind": "feedback", "language": "fr", "version": 2, "sha256": template.sha256}
    assert "Nouvelle version 2026-X" in text_of(render(template, {"reference": "2026-X"}))


def test_a_refused_upload_stores_nothing(legal: User) -> None:
    with pytest.raises(TemplateProblem):
        template_upload(kind="feedback", language="fr", content=docx_with("{{ unknown }}"), user=legal, state="draft")

    assert template_current("feedback", "fr").version == 1  # type: ignore[union-attr]
    assert not AuditEvent.objects.filter(action="cases.template_uploaded").exists()


def test_an_upload_needs_a_known_language_and_state(legal: User) -> None:
    for language, state in (("de", "draft"), ("fr", "final")):
        with pytest.raises(ValueError, match="unknown language"):
            template_upload(kind="feedback", language=language, content=docx_with("x"), user=legal, state=state)


def test_an_uploaded_template_loses_its_metadata(legal: User) -> None:
    """The author's name of a Word file would otherwise reach every document generated from it."""
    document = Document()
    document.add_paragraph("{{ reference }} : {{ measures }} ; {{ reasons }}")
    document.core_properties.author = "SECRET-AUTHOR"
    document.core_properties.comments = "SECRET-COMMENT"
    output = io.BytesIO()
    document.save(output)
    assert b"SECRET-AUTHOR" in zipfile.ZipFile(output).read("docProps/core.xml")

    template = template_upload(kind="feedback", language="fr", content=output.getvalue(), user=legal, state="draft")

    with zipfile.ZipFile(io.BytesIO(bytes(template.content))) as stored:
        assert not any(b"SECRET-" in stored.read(name) for name in stored.namelist())
    assert "2026-X" in text_of(render(template, {"reference": "2026-X", "measures": "m", "reasons": "r"}))
