from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egide.kb.models import Article
from egide.org.models import User


class ArticleForm(forms.ModelForm[Article]):
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("Kept in the version history, e.g. “Updated the penalties after the 2026 reform”."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "title_fr",
            "title_en",
            "slug_fr",
            "slug_en",
            "kind",
            "audience",
            "position",
            "published",
            "owner",
            "validation",
            "last_reviewed",
            "summary_fr",
            "summary_en",
            "keywords_fr",
            "keywords_en",
            "body_fr",
            "body_en",
        ]
        labels = {
            "title_fr": _("Title (French)"),
            "title_en": _("Title (English)"),
            "slug_fr": _("Address (French)"),
            "slug_en": _("Address (English)"),
            "kind": _("Kind"),
            "audience": _("Written for"),
            "position": _("Position in its list"),
            "published": _("Published"),
            "owner": _("Owner (keeps it current)"),
            "validation": _("Legal validation"),
            "last_reviewed": _("Last reviewed on"),
            "summary_fr": _("Summary (French)"),
            "summary_en": _("Summary (English)"),
            "keywords_fr": _("Search words (French)"),
            "keywords_en": _("Search words (English)"),
            "body_fr": _("Text (French, Markdown)"),
            "body_en": _("Text (English, Markdown)"),
        }
        help_texts = {
            "keywords_fr": _("The everyday words people type who do not know the legal terms, separated by commas."),
            "body_fr": _("## for a heading, - for a list, **bold**, [text](address) for a link. HTML is removed."),
            "audience": _("“Référents and case handlers only” hides the article from everyone else."),
        }
        widgets = {
            "last_reviewed": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "keywords_fr": forms.Textarea(attrs={"rows": 2}),
            "keywords_en": forms.Textarea(attrs={"rows": 2}),
            "body_fr": forms.Textarea(attrs={"rows": 24, "spellcheck": "true", "lang": "fr"}),
            "body_en": forms.Textarea(attrs={"rows": 24, "spellcheck": "true", "lang": "en"}),
        }

    def __init__(self, *args: Any, can_validate: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField[User], self.fields["owner"])
        owner.queryset = User.objects.filter(is_active=True).order_by("email")
        if not can_validate:
            self.fields["validation"].disabled = True
            self.fields["validation"].help_text = _(
                "Only the legal direction marks an article as validated; any edit puts it back to “to be validated”."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slugs = [data.get("slug_fr"), data.get("slug_en")]
        taken = Article.objects.filter(Q(slug_fr__in=slugs) | Q(slug_en__in=slugs))
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error("slug_fr", _("Another article already uses one of these addresses."))
        return data
