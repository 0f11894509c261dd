"""Staff pages of the directories (support resources, partner lawyers, investigators, professionals)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, URLField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from egide.core.audit import audit_record
from egide.kb.directory import DIRECTORIES, Directory, can_read, edit_scope, editable, readable_directories
from egide.org.access import ALL
from egide.org.models import Entity, Population


def _directory(request: HttpRequest, key: str) -> Directory:
    directory = DIRECTORIES.get(key)
    if directory is None:
        raise Http404
    if not can_read(request.user, directory):
        raise PermissionDenied
    return directory


DATES = ("version_date", "starts_on", "ends_on")
LABELS = {
    "kind": gettext_lazy("Kind"),
    "name": gettext_lazy("Name"),
    "name_fr": gettext_lazy("Name (French)"),
    "name_en": gettext_lazy("Name (English)"),
    "title_fr": gettext_lazy("Title (French)"),
    "title_en": gettext_lazy("Title (English)"),
    "description_fr": gettext_lazy("Description (French)"),
    "description_en": gettext_lazy("Description (English)"),
    "hours_fr": gettext_lazy("Hours (French)"),
    "hours_en": gettext_lazy("Hours (English)"),
    "public": gettext_lazy("Public"),
    "entity": gettext_lazy("Entity"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("E-mail"),
    "website": gettext_lazy("Website"),
    "address": gettext_lazy("Address"),
    "active": gettext_lazy("Active"),
    "source": gettext_lazy("Source"),
    "version_date": gettext_lazy("Version of"),
    "confidence": gettext_lazy("Reliability"),
    "firm": gettext_lazy("Firm"),
    "bar": gettext_lazy("Bar"),
    "specialities": gettext_lazy("Specialities"),
    "languages": gettext_lazy("Languages"),
    "organisation": gettext_lazy("Organisation"),
    "internal": gettext_lazy("Internal"),
    "gender": gettext_lazy("Gender"),
    "criteria": gettext_lazy("Criteria met"),
    "notes": gettext_lazy("Notes"),
    "profession": gettext_lazy("Profession"),
    "starts_on": gettext_lazy("Starts on"),
    "ends_on": gettext_lazy("Ends on"),
}


def _form_field(field: Any, **kwargs: Any) -> Any:
    """Model fields as form fields, links taken as https when typed without a scheme."""
    if isinstance(field, URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def _form_class(directory: Directory, scope: set[int] | str) -> type[forms.ModelForm[Any]]:
    class RowForm(forms.ModelForm[Any]):
        class Meta:
            model = directory.model
            fields = directory.fields
            labels = {name: label for name, label in LABELS.items() if name in directory.fields}
            widgets = {
                **{name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in DATES},
                "address": forms.Textarea(attrs={"rows": 3}),
                "criteria": forms.CheckboxSelectMultiple,
            }
            formfield_callback = _form_field

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            entity = cast(forms.ModelChoiceField[Entity], self.fields["entity"])
            entity.queryset = Entity.objects.filter(is_active=True) if scope == ALL else Entity.objects.filter(pk__in=scope)
            if scope != ALL:
                entity.required = True  # only an IMT-wide grant edits the IMT-wide rows
            if "populations" in self.fields:
                self.fields["populations"] = forms.MultipleChoiceField(
                    label=_("Populations served"),
                    choices=Population.choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    help_text=_("None ticked: everyone."),
                )

    return RowForm


@require_safe
def directory_index(request: HttpRequest) -> HttpResponse:
    directories = readable_directories(request.user)
    if not directories:
        raise PermissionDenied
    return redirect("kb:directory", key=directories[0].key)


@require_safe
def directory(request: HttpRequest, key: str) -> HttpResponse:
    directory = _directory(request, key)
    rows = directory.model._default_manager.select_related("entity")
    if "criteria" in directory.fields:
        rows = rows.prefetch_related("criteria")
    editable_ids = set(editable(request.user, directory, rows).values_list("pk", flat=True))
    table = [(row, [_cell(row, attribute) for _heading, attribute in directory.columns], row.pk in editable_ids) for row in rows]
    context = {
        "directory": directory,
        "directories": readable_directories(request.user),
        "table": table,
        "can_add": bool(edit_scope(request.user, directory)),
    }
    return render(request, "kb/directory/list.html", context)


def _cell(row: Model, attribute: str) -> Any:
    value = getattr(row, attribute)
    return value() if callable(value) else value


@require_http_methods(["GET", "POST"])
def directory_edit(request: HttpRequest, key: str, pk: int | None = None) -> HttpResponse:
    directory = _directory(request, key)
    scope = edit_scope(request.user, directory)
    if not scope:
        raise PermissionDenied
    row = None
    if pk is not None:
        manager = directory.model._default_manager
        row = get_object_or_404(editable(request.user, directory, manager.all()), pk=pk)
    form = _form_class(directory, scope)(request.POST or None, instance=row)
    if request.method == "POST":
        if request.POST.get("action") == "delete" and row is not None:
            audit_record(actor=request.user, action="kb.directory_deleted", target=row)
            row.delete()
            messages.success(request, _("Deleted."))
            return redirect("kb:directory", key=key)
        if form.is_valid():
            saved = form.save()
            audit_record(actor=request.user, action="kb.directory_saved", target=saved, data={"directory": key})
            messages.success(request, _("Saved."))
            return redirect("kb:directory", key=key)
    return render(request, "kb/directory/edit.html", {"directory": directory, "form": form, "row": row})
