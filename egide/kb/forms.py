from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from egide.kb.models import Article, AssistantChoice, AssistantQuestion, AssistantResource, Audience
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


def _check_url_name(value: str) -> str:
    if value:
        try:
            reverse(value)
        except NoReverseMatch as error:
            raise forms.ValidationError(_("No page of Égide has this name.")) from error
    return value


class AssistantQuestionForm(forms.ModelForm[AssistantQuestion]):
    class Meta:
        model = AssistantQuestion
        fields = ["text_fr", "text_en", "help_fr", "help_en"]
        labels = {
            "text_fr": _("Question (French)"),
            "text_en": _("Question (English)"),
            "help_fr": _("Help under the question (French)"),
            "help_en": _("Help under the question (English)"),
        }
        widgets = {"help_fr": forms.Textarea(attrs={"rows": 2}), "help_en": forms.Textarea(attrs={"rows": 2})}


class AssistantChoiceForm(forms.ModelForm[AssistantChoice]):
    class Meta:
        model = AssistantChoice
        fields = ["key", "position", "label_fr", "label_en", "urgent", "next_step_fr", "next_step_en", "next_url_name"]
        labels = {
            "key": _("Key (letters, digits, dashes)"),
            "position": _("Position"),
            "label_fr": _("Answer (French)"),
            "label_en": _("Answer (English)"),
            "urgent": _("Danger: show the emergency numbers first from then on"),
            "next_step_fr": _("Next step proposed at the end (French)"),
            "next_step_en": _("Next step proposed at the end (English)"),
            "next_url_name": _("Page of the next step (its name, e.g. reports:start)"),
        }
        widgets = {"next_step_fr": forms.Textarea(attrs={"rows": 2}), "next_step_en": forms.Textarea(attrs={"rows": 2})}

    def clean_next_url_name(self) -> str:
        return _check_url_name(self.cleaned_data["next_url_name"])


class AssistantResourceForm(forms.ModelForm[AssistantResource]):
    class Meta:
        model = AssistantResource
        fields = ["position", "article", "title_fr", "title_en", "url_name", "anchor"]
        labels = {
            "position": _("Position"),
            "article": _("Help article"),
            "title_fr": _("Or another page: title (French)"),
            "title_en": _("Title (English)"),
            "url_name": _("Its name (e.g. kb:offences)"),
            "anchor": _("Anchor in that page (optional)"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        article = cast(forms.ModelChoiceField[Article], self.fields["article"])
        article.queryset = Article.objects.filter(published=True).exclude(audience=Audience.REFERENTS)
        article.required = False

    def clean_url_name(self) -> str:
        return _check_url_name(self.cleaned_data["url_name"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("DELETE") and data.get("article") is None:
            if not data.get("url_name"):
                raise forms.ValidationError(_("Choose a help article, or give another page's name."))
            if not (data.get("title_fr") and data.get("title_en")):
                raise forms.ValidationError(_("Another page needs a title in French and in English."))
        return data


ChoiceFormSet = forms.inlineformset_factory(
    AssistantQuestion, AssistantChoice, form=AssistantChoiceForm, extra=1, can_delete=True
)
ResourceFormSet = forms.inlineformset_factory(
    AssistantChoice, AssistantResource, form=AssistantResourceForm, extra=1, can_delete=True
)
