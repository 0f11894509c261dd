"""Help articles: the shipped first versions, rendering, who reads and who edits, the history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from egide.core.audit import verify_chain
from egide.core.models import AuditEvent
from egide.kb.articles import ArticleFileError, parse_article, shipped_articles
from egide.kb.markdown import render
from egide.kb.models import Article, ArticleKind, ArticleVersion, Audience, Validation
from egide.org.roles import Role
from tests.conftest import make_user

SHEETS = {
    "violences-sexistes-et-sexuelles",
    "harcelement",
    "cyberharcelement",
    "discrimination",
    "agissements-sexistes",
    "enquete-administrative",
    "article-40",
    "protection-fonctionnelle",
    "besoin-d-en-parler",
    "le-signalement",
}


def test_every_shipped_article_parses_and_is_loaded(db: Any) -> None:
    shipped = shipped_articles()
    assert {item.fields["slug_fr"] for item in shipped if item.fields["kind"] == "sheet"} == SHEETS
    assert {item.fields["slug_fr"] for item in shipped if item.fields["kind"] == "faq"} == {"faq-etudiants", "faq-personnels"}
    assert len([item for item in shipped if item.fields["kind"] == "hvssd"]) == 7
    assert Article.objects.count() == len(shipped)
    assert ArticleVersion.objects.filter(number=1).count() == len(shipped)


@pytest.mark.parametrize("item", shipped_articles(), ids=lambda item: item.name)
def test_a_shipped_article_is_complete_cites_its_sources_and_links_only_inside(item: Any) -> None:
    fields = item.fields
    assert fields["validation"] == "pending"
    for language in ("fr", "en"):
        body = fields[f"body_{language}"]
        assert len(body.split()) > 150, f"{item.name} {language} is too short"
        assert fields[f"keywords_{language}"] and fields[f"summary_{language}"]
        assert re.search(r"^## Sources", body, re.MULTILINE) or fields["kind"] == "faq", f"{item.name} {language}"
        for target in re.findall(r"\]\(([^)]+)\)", body):
            assert target.startswith(("/fr/", "/en/", "#", "tel:")), f"{item.name}: external link {target}"
        assert not re.search(r"\bR\d{1,2}\b|LEGAL\.md|\[[VSU]\]", body), f"{item.name} cites internal rule IDs"


def test_the_links_between_articles_lead_to_articles(db: Any, client: Client) -> None:
    for article in Article.objects.all():
        for language in ("fr", "en"):
            for target in re.findall(r"\]\((/(?:fr|en)/[^)#]*)", getattr(article, f"body_{language}")):
                assert client.get(target, follow=True).status_code == 200, f"{article.slug_fr}: {target}"


def test_the_parser_refuses_a_file_without_both_languages() -> None:
    with pytest.raises(ArticleFileError):
        parse_article("---\nslug_fr: a\n---\n<!-- lang: fr -->\nTexte\n", "a.md")
    with pytest.raises(ArticleFileError):
        parse_article("no front matter", "b.md")


def test_markdown_is_sanitised() -> None:
    html = render(
        "## Titre\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![i](http://evil/x.png)"
        "\n\n<img src=x onerror=alert(1)>"
    ).html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert '<h2 id="titre">' in html


def _get(name: str, language: str, client: Client | None = None, **kwargs: Any) -> Any:
    with translation.override(language):
        path = reverse(name, kwargs=kwargs or None)
    return (client or Client()).get(path)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_index_and_every_article_open_in_both_languages(db: Any, language: str) -> None:
    index = _get("kb:articles", language).content.decode()
    for article in Article.objects.all():
        slug = getattr(article, f"slug_{language}")
        if article.kind != ArticleKind.HVSSD:
            assert f"/{slug}/" in index
        page = _get("kb:article", language, slug=slug)
        assert page.status_code == 200
        assert escape(getattr(article, f"title_{language}")) in page.content.decode()


def test_the_other_languages_address_redirects_to_this_one(db: Any) -> None:
    response = _get("kb:article", "en", slug="harcelement")
    assert response.status_code == 301 and response["Location"] == "/en/help/sheets/harassment/"


def test_a_pending_article_says_so_and_a_validated_one_does_not(db: Any) -> None:
    assert "to be validated" in _get("kb:article", "en", slug="harassment").content.decode()
    Article.objects.filter(slug_fr="harcelement").update(validation=Validation.VALIDATED)
    assert "to be validated" not in _get("kb:article", "en", slug="harassment").content.decode()


def test_the_hvssd_section_lists_the_plan_and_its_axes(db: Any) -> None:
    html = _get("kb:hvssd", "fr").content.decode()
    for article in Article.objects.filter(kind=ArticleKind.HVSSD):
        assert f"/fr/aide/fiches/{article.slug_fr}/" in html


@pytest.fixture
def internal(db: Any) -> Article:
    article = Article.objects.get(slug_fr="harcelement")
    article.pk = None
    article.slug_fr, article.slug_en, article.audience = "fiche-interne", "internal-sheet", Audience.REFERENTS
    article.save()
    return article


def test_an_article_for_referents_is_hidden_from_everyone_else(internal: Article, as_user: Any, student: Any, pilot: Any) -> None:
    assert _get("kb:article", "fr", slug="fiche-interne").status_code == 404
    assert "fiche-interne" not in _get("kb:articles", "fr").content.decode()
    assert _get("kb:article", "fr", as_user(pilot), slug="fiche-interne").status_code == 404
    legal = make_user("lea.legal@example.org", student.person.entity, (Role.LEGAL, None))
    assert _get("kb:article", "fr", as_user(legal), slug="fiche-interne").status_code == 200


# --- the editor --------------------------------------------------------------------------------------


@pytest.fixture
def communication(school_a: Any) -> Any:
    return make_user("camille.comm@example.org", school_a, (Role.COMMUNICATION, None))


@pytest.fixture
def legal(school_a: Any) -> Any:
    return make_user("lea.legal@example.org", school_a, (Role.LEGAL, None))


def _form(article: Article, **changes: Any) -> dict[str, Any]:
    data = {
        name: getattr(article, name)
        for name in (
            "title_fr", "title_en", "slug_fr", "slug_en", "kind", "audience", "position", "validation",
            "summary_fr", "summary_en", "keywords_fr", "keywords_en", "body_fr", "body_en",
        )
    }  # fmt: skip
    data.update(published="on", last_reviewed=article.last_reviewed.isoformat(), owner="", expected_version=article.version)
    data.update(changes)
    return data


def test_only_the_communication_and_legal_teams_edit(db: Any, as_user: Any, communication: Any, admin_a: Any, pilot: Any) -> None:
    article = Article.objects.get(slug_fr="harcelement")
    for outsider in (admin_a, pilot):
        assert as_user(outsider).get(reverse("kb:editor_list")).status_code == 403
        assert as_user(outsider).post(reverse("kb:editor_edit", kwargs={"pk": article.pk}), _form(article)).status_code == 403
    assert Client().get(reverse("kb:editor_list")).status_code == 302
    page = as_user(communication).get(reverse("kb:editor_list"))
    assert page.status_code == 200 and escape(article.title_fr) in page.content.decode()


def test_preview_renders_without_saving(db: Any, as_user: Any, communication: Any) -> None:
    article = Article.objects.get(slug_fr="harcelement")
    response = as_user(communication).post(
        reverse("kb:editor_edit", kwargs={"pk": article.pk}),
        _form(article, body_fr="## Nouveau titre\n\n<script>x()</script>", action="preview"),
    )
    html = response.content.decode()
    assert response.status_code == 200 and '<h2 id="nouveau-titre">Nouveau titre</h2>' in html
    assert "<script>x()" not in html
    article.refresh_from_db()
    assert article.version == 1 and "Nouveau titre" not in article.body_fr


def test_a_save_makes_a_version_is_indexed_and_audited(db: Any, as_user: Any, communication: Any) -> None:
    article = Article.objects.get(slug_fr="harcelement")
    response = as_user(communication).post(
        reverse("kb:editor_edit", kwargs={"pk": article.pk}),
        _form(article, body_fr=article.body_fr + "\n\nLe mot xylographie.", note="Ajout", validation="validated", action="save"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2 and article.validation == Validation.PENDING  # only the legal direction validates
    assert article.versions.get(number=2).note == "Ajout"
    assert article.versions.get(number=1).body_fr != article.body_fr
    from egide.kb import search

    assert any(hit.url.endswith("/harcelement/") for hit in search.search("xylographie", "fr").hits)
    assert AuditEvent.objects.filter(action="kb.article_saved", object_id=str(article.pk)).exists()
    assert verify_chain().ok


def test_the_legal_direction_validates(db: Any, as_user: Any, legal: Any) -> None:
    article = Article.objects.get(slug_fr="harcelement")
    as_user(legal).post(
        reverse("kb:editor_edit", kwargs={"pk": article.pk}), _form(article, validation="validated", action="save")
    )
    article.refresh_from_db()
    assert article.validation == Validation.VALIDATED


def test_an_edit_on_an_older_version_is_refused_and_keeps_the_text(db: Any, as_user: Any, communication: Any, legal: Any) -> None:
    article = Article.objects.get(slug_fr="harcelement")
    stale = _form(article, body_fr="Mon texte important", action="save")
    as_user(legal).post(reverse("kb:editor_edit", kwargs={"pk": article.pk}), _form(article, note="first", action="save"))
    response = as_user(communication).post(reverse("kb:editor_edit", kwargs={"pk": article.pk}), stale)
    assert response.status_code == 200 and "Mon texte important" in response.content.decode()
    article.refresh_from_db()
    assert article.version == 2 and article.body_fr != "Mon texte important"


def test_bad_input_changes_nothing(db: Any, as_user: Any, communication: Any) -> None:
    article = Article.objects.get(slug_fr="harcelement")
    other = Article.objects.get(slug_fr="discrimination")
    for bad in ({"slug_en": other.slug_fr}, {"title_fr": ""}, {"slug_fr": "pas un slug !"}, {"last_reviewed": "2026-13-45"}):
        response = as_user(communication).post(
            reverse("kb:editor_edit", kwargs={"pk": article.pk}), _form(article, action="save", **bad)
        )
        assert response.status_code == 200 and 'class="error' in response.content.decode()
    article.refresh_from_db()
    assert article.version == 1


def test_a_new_article_and_a_restored_version(db: Any, as_user: Any, communication: Any) -> None:
    client = as_user(communication)
    template = Article.objects.get(slug_fr="harcelement")
    data = _form(
        template, slug_fr="nouvelle-fiche", slug_en="new-sheet", title_fr="Nouvelle fiche", expected_version="", action="save"
    )
    assert client.post(reverse("kb:editor_new"), data).status_code == 302
    created = Article.objects.get(slug_fr="nouvelle-fiche")
    assert created.version == 1 and created.versions.count() == 1
    client.post(reverse("kb:editor_edit", kwargs={"pk": created.pk}), _form(created, title_fr="Renommée", action="save"))
    assert client.get(reverse("kb:editor_version", kwargs={"pk": created.pk, "number": 1})).status_code == 200
    client.post(reverse("kb:editor_restore", kwargs={"pk": created.pk, "number": 1}))
    created.refresh_from_db()
    assert created.version == 3 and created.title_fr == "Nouvelle fiche"
    assert list(created.versions.values_list("number", flat=True)) == [3, 2, 1]
