"""The reporter's side: its own pages, templates and cookie; no account, nothing that links a
person to a report (no IP address, no staff session, no tracking)."""

from __future__ import annotations

import datetime
import ipaddress
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from egide.core.decorators import public
from egide.core.i18n import page_language
from egide.core.throttle import throttle_is_blocked, throttle_record_failure
from egide.org.help import HELP_NUMBERS
from egide.reports import followup, proof
from egide.reports.choices import Status
from egide.reports.forms import STEP_NAMES, STEP_TITLES, STEPS, CodeForm, ReplyForm, SendStep, WithdrawForm, YouStep
from egide.reports.models import Attachment, Report
from egide.reports.selectors import entity_handlers
from egide.reports.services import (
    Submission,
    attachment_chunks,
    decrypt_attachment_meta,
    decrypt_content,
    message_from_reporter,
    open_thread,
    report_submit,
    report_withdraw,
    required_bits,
)
from egide.vault.sanitize import CleanedUpload, UploadRejected, clean_upload

NOTICE_UPDATED = datetime.date(2026, 11, 26)
logger = logging.getLogger(__name__)


# --- Information pages --------------------------------------------------------------------------


def _info(request: HttpRequest, name: str) -> HttpResponse:
    context = {
        "publisher": settings.EGIDE_PUBLISHER,
        "act": settings.EGIDE_REPORTING_ACT,
        "ministerial_cell": settings.EGIDE_MINISTERIAL_CELL,
        "notice_updated": NOTICE_UPDATED,
    }
    return render(request, f"reports/info/{name}.{page_language()}.html", context)


@public
@require_safe
def how(request: HttpRequest) -> HttpResponse:
    return _info(request, "how")


@public
@require_safe
def notice(request: HttpRequest) -> HttpResponse:
    return _info(request, "notice")


@public
@require_safe
def channels(request: HttpRequest) -> HttpResponse:
    return _info(request, "channels")


# --- The report form ----------------------------------------------------------------------------


def _field_names() -> dict[str, set[str]]:
    return {name: set(form_class.base_fields) for name, form_class, _title in STEPS}


def _bound_steps(data: Any, files: Any = None) -> dict[str, forms.Form]:
    entity = _entity_of(data)
    handlers = entity_handlers(entity) if entity is not None else []
    result: dict[str, forms.Form] = {}
    for name, form_class, _title in STEPS:
        if form_class is YouStep:
            result[name] = YouStep(data, handlers=handlers)
        elif form_class is SendStep:
            result[name] = SendStep(data, files)
        else:
            result[name] = form_class(data)
    return result


def _unbound(step: str, data: Any) -> forms.Form:
    """The step's form filled with what was typed before, without showing errors yet."""
    form_class = {name: form_class for name, form_class, _title in STEPS}[step]
    initial = {}
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            initial[name] = data.getlist(name) if data else []
        elif data and name in data:
            initial[name] = data.get(name)
    if form_class is YouStep:
        entity = _entity_of(data)
        return YouStep(initial=initial, handlers=entity_handlers(entity) if entity else [])
    return form_class(initial=initial)


def _carried(data: Any, step: str) -> list[tuple[str, str]]:
    """The answers of the other steps, to send again as hidden fields."""
    if not data:
        return []
    names = set().union(*(fields for name, fields in _field_names().items() if name != step)) - {"attachments"}
    return [(name, value) for name in sorted(names) for value in data.getlist(name)]


def _render_step(
    request: HttpRequest,
    step: str,
    form: forms.Form,
    data: Any,
    token: str,
    *,
    steps: dict[str, forms.Form] | None = None,
    **extra: Any,
) -> HttpResponse:
    """`steps`: the forms already bound to `data`, when the caller has them (the last step reuses them)."""
    index = STEP_NAMES.index(step)
    danger = bool(data) and data.get("danger_now") == "yes"
    context = {
        "step": step,
        "step_number": index + 1,
        "step_count": len(STEPS),
        "step_title": STEPS[index][2],
        "previous_step": STEP_NAMES[index - 1] if index else "",
        "form": form,
        "carried": _carried(data, step),
        "token": token,
        "danger": danger,
        "help_numbers": [number for number in HELP_NUMBERS if number.emergency],
        "max_bytes": settings.EGIDE_UPLOAD_MAX_BYTES,
        "max_megabytes": settings.EGIDE_UPLOAD_MAX_BYTES // (1024 * 1024),
        **extra,
    }
    other = "en" if page_language() == "fr" else "fr"
    context["other_language"] = {
        "code": other,
        "name": get_language_info(other)["name_local"],
        "url": translate_url(reverse("reports:start"), other),
    }
    if step == "send":
        steps = steps if steps is not None else (_bound_steps(data) if data else {})
        about = steps.get("about")
        entity = about.cleaned_data.get("entity") if about is not None and about.is_valid() else None
        bits = required_bits(entity) if entity is not None else settings.EGIDE_REPORT_POW_BITS
        context["challenge"] = proof.new_challenge(token, bits=bits)
        context["pow_bits"] = bits
        context["review"] = _review(steps)
    return render(request, "reports/form.html", context)


def _entity_of(data: Any) -> Any:
    about = STEPS[0][1](data) if data else None
    return about.cleaned_data.get("entity") if about is not None and about.is_valid() else None


def _display(field: forms.Field, value: Any) -> str:
    if isinstance(field, forms.ModelChoiceField):
        return str(value) if value is not None else ""
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices  # a plain list of (value, label) on these forms
        labels = {str(key): str(label) for key, label in choices}
        values = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(str(item), str(item)) for item in values if item not in ("", None))
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def _review(steps: dict[str, forms.Form]) -> list[dict[str, Any]]:
    """The answers so far, step by step, to check before sending (each step can be reopened)."""
    sections = []
    for name, form in steps.items():
        if name == "send" or not form.is_valid():
            continue
        items = []
        for field_name, field in form.fields.items():
            shown = _display(field, form.cleaned_data.get(field_name))
            if shown:
                items.append((field.label, shown))
        sections.append({"step": name, "title": STEP_TITLES[name], "items": items})
    return sections


def _token(data: Any) -> str:
    token = (data.get("submission_token") or "") if data else ""
    return token if 20 <= len(token) <= 100 and token.replace("-", "").replace("_", "").isalnum() else secrets.token_urlsafe(32)


@public
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_step(request, "about", STEPS[0][1](), None, secrets.token_urlsafe(32))
    data = request.POST
    token = _token(data)
    step = str(data.get("step")) if data.get("step") in STEP_NAMES else "about"
    index = STEP_NAMES.index(step)
    action = str(data.get("action") or "")
    if action == "back" and index > 0:
        return _render_step(request, STEP_NAMES[index - 1], _unbound(STEP_NAMES[index - 1], data), data, token)
    if action == "stay":  # the same step in the other language (a switch that keeps the answers)
        return _render_step(request, step, _unbound(step, data), data, token)
    target = action.removeprefix("change:")
    if action.startswith("change:") and target in STEP_NAMES[:index]:
        return _render_step(request, target, _unbound(target, data), data, token)
    steps = _bound_steps(data, request.FILES)
    if not steps[step].is_valid():
        return _render_step(request, step, steps[step], data, token, steps=steps)
    if step != "send":
        following = STEP_NAMES[index + 1]
        return _render_step(request, following, _unbound(following, data), data, token, steps=steps)
    for name in STEP_NAMES:  # the final submit checks every step again
        if not steps[name].is_valid():
            return _render_step(request, name, steps[name], data, token, steps=steps)
    return _submit(request, steps, data, token)


def _clean_files(files: list[Any]) -> list[CleanedUpload]:
    if len(files) > settings.EGIDE_UPLOAD_MAX_FILES:
        raise UploadRejected(_("You can add at most %(count)d files.") % {"count": settings.EGIDE_UPLOAD_MAX_FILES})
    cleaned: list[CleanedUpload] = []
    try:
        for upload in files:
            try:
                cleaned.append(clean_upload(upload, declared_name=upload.name or ""))
            except UploadRejected as error:
                raise UploadRejected(f"{upload.name}: {error.message}") from error
    except UploadRejected:
        for item in cleaned:
            item.file.close()
        raise
    return cleaned


def _submit(request: HttpRequest, steps: dict[str, forms.Form], data: Any, token: str) -> HttpResponse:
    send = steps["send"]
    entity = steps["about"].cleaned_data["entity"]
    proved = proof.is_solved(
        token=token, challenge=data.get("pow_challenge", ""), nonce=data.get("pow_nonce", ""), at_least=required_bits(entity)
    )
    try:
        uploads = _clean_files(send.cleaned_data["attachments"])
    except UploadRejected as error:
        send.add_error("attachments", error.message)
        return _render_step(request, "send", send, data, token, steps=steps, files_lost=True)
    try:
        acknowledgement = report_submit(submission=_submission(steps, token, proved, uploads))
    except (DatabaseError, OSError):
        logger.exception("a report could not be stored")  # the traceback holds no form data
        send.add_error(
            None,
            _(
                "Your report could not be saved because of a technical problem: nothing was stored. "
                "What you wrote is still here; please try again in a few minutes."
            ),
        )
        return _render_step(request, "send", send, data, token, steps=steps, files_lost=bool(uploads))
    finally:
        for upload in uploads:
            upload.file.close()
    removed = [(upload.name, upload.removed, upload.metadata_kept) for upload in uploads]
    return render(request, "reports/acknowledgement.html", {"ack": acknowledgement, "removed": removed})


def _submission(steps: dict[str, forms.Form], token: str, proved: bool, uploads: list[CleanedUpload]) -> Submission:
    about, facts, persons, you = (steps[name].cleaned_data for name in ("about", "facts", "persons", "you"))
    excluded_ids = [int(value) for value in you["excluded"]]
    excluded_names = [label for value, label in steps["you"].fields["excluded"].choices if value in you["excluded"]]  # type: ignore[attr-defined]
    content = {
        "danger_now": about["danger_now"],
        "narrative": facts["narrative"],
        "sexual_violence": facts["sexual_violence"],
        "criteria": facts["criteria"],
        "when": {
            "kind": facts["when_kind"],
            "start": facts["when_start"].isoformat() if facts["when_start"] else "",
            "end": facts["when_end"].isoformat() if facts["when_end"] else "",
        },
        "where": {"kind": facts["where"], "detail": facts["where_detail"]},
        "authors": {
            "relation": persons["author_relation"],
            "population": persons["author_population"],
            "named": persons["author_named"],
            "names": persons["author_names"],
        },
        "witnesses": {"any": persons["witnesses"], "detail": persons["witnesses_detail"]},
        "wishes": you["wishes"],
        "identity": {"name": you["full_name"], "contact": you["contact"]} if you["mode"] != "anonymous" else {},
        "notify_email": you["notify_email"],
        "excluded": excluded_names,
        "excluded_ids": excluded_ids,  # so that no later grant (escrow, issue of access) gives it to them
    }
    return Submission(
        entity=about["entity"],
        mode=you["mode"],
        reporter_role=about["reporter_role"],
        population=about["population"],
        categories=facts["categories"],
        content=content,
        excluded_person_ids=excluded_ids,
        token=token,
        proof_of_work=proved,
        language=page_language(),
        attachments=uploads,
    )


# --- Follow-up ----------------------------------------------------------------------------------


def _client_address(request: HttpRequest) -> str:
    """The visitor's address, used only as input to a keyed hash (core.throttle): never stored or logged.

    Behind the reverse proxy it comes from the header the proxy sets for the reporter's pages only.
    """
    header = settings.EGIDE_CLIENT_ADDRESS_HEADER
    address = str((request.META.get(header) if header else None) or request.META.get("REMOTE_ADDR") or "")
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    # One IPv6 subscriber holds a whole /64: counting single addresses would let them rotate freely.
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address) if parsed.version == 6 else address


def _followup_counters(request: HttpRequest) -> list[tuple[str, str, int]]:
    """(scope, identifier, limit): this browser on this network, and the whole network more loosely.

    The browser is told apart by its CSRF cookie, so a person's typos lock out only them; the looser
    network counter stops a script that drops its cookies, without shutting out a whole campus.
    """
    get_token(request)  # makes sure the CSRF cookie exists, so the first attempt counts like the next
    address = _client_address(request)
    browser = str(request.META.get("CSRF_COOKIE", ""))
    counters = [("followup", f"{address}|{browser}", settings.EGIDE_FOLLOWUP_MAX_FAILURES)]
    try:
        shared = not ipaddress.ip_address(address).is_loopback
    except ValueError:
        shared = False
    if shared:  # behind a proxy that does not pass the address, everyone would share one counter
        counters.append(("followup-network", address, settings.EGIDE_FOLLOWUP_NETWORK_MAX_FAILURES))
    return counters


@public
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    window = settings.EGIDE_FOLLOWUP_WINDOW_SECONDS
    if request.method == "POST" and form.is_valid():
        counters = _followup_counters(request)
        if any(
            throttle_is_blocked(scope=scope, identifier=key, limit=limit, window_seconds=window) for scope, key, limit in counters
        ):
            form.add_error("code", _("Too many wrong codes. Wait %(minutes)d minutes and try again.") % {"minutes": window // 60})
        else:
            opened = followup.session_open(form.cleaned_data["code"])
            if opened is not None:
                # No reset of the counters: a valid code of one's own must not buy more guesses.
                redirect_response = HttpResponseRedirect(reverse("reports:space"))
                followup.set_cookie(redirect_response, opened)
                return redirect_response
            for scope, key, _limit in counters:
                throttle_record_failure(scope=scope, identifier=key, window_seconds=window)
            form.add_error("code", _("This code does not open any report. Check it and try again."))
    response: HttpResponse = render(request, "reports/follow_up.html", {"form": form})
    if request.method == "GET" and settings.EGIDE_FOLLOWUP_COOKIE_NAME in request.COOKIES:
        followup.end(request, response)
    return response


def _space_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Opens the reporter's session (report and data key) or sends them back to the code page."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        space = followup.current(request)
        if space is None:
            response = redirect("reports:follow_up")
            followup.end(request, response)
            return response
        return view(request, space, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return public(wrapper)


@_space_view
@require_http_methods(["GET", "POST"])
def space(request: HttpRequest, opened: followup.OpenSpace) -> HttpResponse:
    report = opened.report
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not _reporter_can_write(report):
            raise Http404
        if form.is_valid():
            try:
                uploads = _clean_files(form.cleaned_data["attachments"])
            except UploadRejected as error:
                form.add_error("attachments", error.message)
            else:
                try:
                    message_from_reporter(
                        report=report, data_key=opened.data_key, text=form.cleaned_data["text"], attachments=uploads
                    )
                except (DatabaseError, OSError):
                    logger.exception("a reporter's message could not be stored")  # the traceback holds no form data
                    form.add_error(
                        None,
                        _(
                            "Your message could not be sent because of a technical problem: nothing was stored. "
                            "What you wrote is still here; please try again in a few minutes."
                        ),
                    )
                else:
                    return redirect("reports:space")
                finally:
                    for upload in uploads:
                        upload.file.close()
    return render(request, "reports/space.html", _space_context(opened, form))


def _space_context(opened: followup.OpenSpace, form: forms.Form) -> dict[str, Any]:
    report, key = opened.report, opened.data_key
    thread = open_thread(key, report, with_handlers=False)
    content = decrypt_content(key, report)
    # Setting aside is internal flood triage: the reporter sees their report as received, and writing
    # puts it back in the inbox (services.message_from_reporter).
    status = Status.RECEIVED if report.status == Status.SET_ASIDE else Status(report.status)
    return {
        "report": report,
        "can_write": _reporter_can_write(report),
        "status_label": status.label,
        "messages": thread.messages,
        "first_attachments": thread.first_attachments,
        "form": form,
        "received_at": datetime.datetime.fromisoformat(content["received_at"]),
        "max_megabytes": settings.EGIDE_UPLOAD_MAX_BYTES // (1024 * 1024),
    }


def _reporter_can_write(report: Report) -> bool:
    return report.status not in {Status.CLOSED, Status.WITHDRAWN}


@_space_view
@require_safe
def space_file(request: HttpRequest, opened: followup.OpenSpace, attachment_id: int) -> HttpResponseBase:
    attachment = Attachment.objects.filter(pk=attachment_id, report=opened.report).first()
    if attachment is None:
        raise Http404
    return file_response(opened.data_key, attachment)


def file_response(data_key: bytes, attachment: Attachment) -> StreamingHttpResponse:
    meta = decrypt_attachment_meta(data_key, attachment)
    response = StreamingHttpResponse(attachment_chunks(data_key, attachment), content_type="application/octet-stream")
    response["Content-Length"] = str(attachment.size)
    response["Content-Disposition"] = _attachment_disposition(meta.get("name") or "file")
    return response


def _attachment_disposition(name: str) -> str:
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@_space_view
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, opened: followup.OpenSpace) -> HttpResponse:
    if not _reporter_can_write(opened.report):
        return redirect("reports:space")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_withdraw(report=opened.report, data_key=opened.data_key, reason=form.cleaned_data["reason"])
        return redirect("reports:space")
    return render(request, "reports/withdraw.html", {"form": form, "report": opened.report})


@public
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    response = redirect("reports:follow_up")
    followup.end(request, response)
    return response
