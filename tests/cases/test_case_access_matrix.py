"""Who may do what on a case (R5, R33, R59), and what every access leaves behind (R56).

One case of school A, wrapped to its référent écoute; the reporter excluded the other référent of school A.
Every case URL is requested by every persona: the case's handler and the legal direction (given the whole
case) may do everything, an investigator given the investigation part only that part, everyone else gets a
404 (missing and forbidden look the same) and changes nothing, anonymous visitors are sent to sign in.
Lists are filtered by the same rule, grants refuse whoever may not hold the case, every access is audited on
a chain that detects tampering, and nothing typed in a case reaches the audit log, the logs or an e-mail.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone, translation

from egide.cases import services, views
from egide.cases.choices import EventKind, GrantScope, Part, PersonRole, TemplateKind
from egide.cases.models import CaseDocument, CaseGrant
from egide.cases.services import CaseRuleError, Step
from egide.core.audit import verify_chain
from egide.core.models import AuditEvent
from egide.org.models import Entity, User
from egide.org.roles import Role
from egide.reports.choices import Status
from egide.reports.models import Attachment, Report
from egide.vault.models import Wrap
from tests.cases.conftest import OpenCase, data_key_of
from tests.conftest import SCHOOL_A, SCHOOL_B, load_migrated_reference_data, make_user, verified_client
from tests.reports.conftest import CANARY, give_key, handler_client, submit

CaptureCallbacks = Callable[..., AbstractContextManager[Any]]

NARRATIVE = f"{CANARY}-narrative"  # in the report itself: the case part
LISTENING = f"{CANARY}-listening"  # a step of the case part
MANDATE = f"{CANARY}-mandate"  # a step of the investigation part

FULL, INVESTIGATION, NOTHING, ANONYMOUS = "full", "investigation", "nothing", "anonymous"
LISTING_ACTIONS = {"cases.inbox_listed", "cases.register_listed"}


def _today() -> str:
    return timezone.localdate().isoformat()


# --- The people and the case ----------------------------------------------------------------------------


def _keyed(user: User) -> User:
    give_key(user)
    user.refresh_from_db()
    return user


def _people(school_a: Entity, school_b: Entity) -> dict[str, User]:
    """Everyone but the shared personas of tests/conftest.py (passed in by the fixtures that need them)."""
    head_office = Entity.objects.get(code="dg")
    return {
        "second_a": _keyed(make_user("hugo.second@example.org", school_a, (Role.REFERENT_ECOUTE, school_a))),
        "pool": _keyed(make_user("pia.pool@example.org", head_office, (Role.REFERENT_SIGNALEMENT, None))),
        "investigator": _keyed(make_user("ivan.investigator@example.org", school_a, (Role.INVESTIGATOR, school_a))),
        "legal": _keyed(make_user("lea.legal@example.org", school_a, (Role.LEGAL, school_a))),
        "hr": _keyed(make_user("hana.hr@example.org", school_a, (Role.HR, school_a))),
        "hr_other": _keyed(make_user("omar.hr@example.org", school_a, (Role.HR, school_a))),
        "legal_b": _keyed(make_user("lise.legalb@example.org", school_b, (Role.LEGAL, school_b))),
        "dpo": make_user("dora.dpo@example.org", school_a, (Role.DPO, school_a)),
    }


def _file(entity: Entity, handler: User, **overrides: Any) -> OpenCase:
    evidence = SimpleUploadedFile("evidence.txt", f"evidence {CANARY}-file".encode(), content_type="text/plain")
    response = submit(Client(), entity, attachments=[evidence], **overrides)
    assert response.status_code == 200, response.content.decode()[:2000]
    report = Report.objects.get(reference=response.context["ack"].reference)
    return OpenCase(report=report, key=data_key_of(report, handler), handler=handler)


def _record(case: OpenCase, kind: str, **texts: str) -> None:
    step = Step(kind=kind, on=timezone.localdate(), texts=texts)
    services.case_record(report=case.report, data_key=case.key, actor=case.handler, step=step)


def _grant(case: OpenCase, user: User, scope: str) -> CaseGrant:
    return services.case_grant(
        report=case.report, data_key=case.key, granter=case.handler, user=user, scope=scope, reason="Needs it"
    )


@dataclass
class World:
    case: OpenCase
    users: dict[str, User]
    attachment: Attachment
    probe_grant: CaseGrant  # a grant anyone may try to revoke
    case_document: CaseDocument
    investigation_document: CaseDocument

    @property
    def report(self) -> Report:
        return self.case.report

    @property
    def reference(self) -> str:
        return self.case.report.reference


@pytest.fixture
def world(
    school_a: Entity,
    school_b: Entity,
    referent_a: User,
    referent_b: User,
    admin_a: User,
    imt_admin: User,
    pilot: User,
    student: User,
) -> World:
    users = _people(school_a, school_b)
    users.update(handler=_keyed(referent_a), referent_b=_keyed(referent_b))
    users.update(admin_a=admin_a, imt_admin=imt_admin, pilot=pilot, student=student)
    case = _file(school_a, users["handler"], excluded=[str(users["second_a"].person_id)])
    assert set(services.holder_ids(case.report)) == {referent_a.pk} and not case.report.pooled
    _record(case, EventKind.LISTENING, summary=LISTENING)
    _record(case, EventKind.INVESTIGATION_OPENED, scope=MANDATE, decided_by="The director")
    services.case_person_add(
        report=case.report, data_key=case.key, actor=referent_a, role=PersonRole.TARGETED, identity={"name": "M. Dupont"}
    )
    documents = {
        kind: services.case_document_store(
            report=case.report, data_key=case.key, actor=referent_a, kind=kind, language="fr", content=b"docx", template=None
        )
        for kind in (TemplateKind.FEEDBACK, TemplateKind.CONFIDENTIALITY)
    }
    return World(
        case=case,
        users=users,
        attachment=case.report.attachments.get(),
        probe_grant=_grant(case, users["hr"], GrantScope.FULL),
        case_document=documents[TemplateKind.FEEDBACK],
        investigation_document=documents[TemplateKind.CONFIDENTIALITY],
    )


# --- The URLs of a case -----------------------------------------------------------------------------------


def _case_url(name: str, *args: Any) -> Callable[[World], str]:
    return lambda world: reverse(f"cases:{name}", args=[world.reference, *args])


def _step_url(kind: str) -> Callable[[World], str]:
    return lambda world: reverse("cases:step", args=[world.reference, kind])


def _no_data(world: World) -> dict[str, Any]:
    return {}


def _set_aside(world: World) -> None:
    Report.objects.filter(pk=world.report.pk).update(status=Status.SET_ASIDE, set_aside_at=timezone.now())


@dataclass(frozen=True)
class Row:
    """One request on the case. `part` is what it belongs to: the investigation part, or the full case only.
    `ok` is the answer when allowed; `refused` the answer to an investigator for a full-case request."""

    name: str
    method: str
    part: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] = _no_data
    ok: int = 200
    refused: int = 404
    prepare: Callable[[World], None] | None = None


def _on(**values: Any) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"on": _today(), **values}


def _documents(kind: str) -> Callable[[World], str]:
    return lambda world: reverse("cases:documents", args=[world.reference]) + f"?kind={kind}"


# In an order that works for a full-case holder: steps before closing, closing before reopening.
ROWS = [
    Row("case page", "get", Part.INVESTIGATION, _case_url("report")),
    Row("reply to the reporter", "post", Part.CASE, _case_url("report"), lambda w: {"text": "We hear you."}, ok=302),
    Row("investigation_opened form", "get", Part.INVESTIGATION, _step_url(EventKind.INVESTIGATION_OPENED)),
    Row(
        "investigation_opened",
        "post",
        Part.INVESTIGATION,
        _step_url(EventKind.INVESTIGATION_OPENED),
        _on(scope="Remarks in class", decided_by="The director"),
        ok=302,
    ),
    Row("interview form", "get", Part.INVESTIGATION, _step_url(EventKind.INTERVIEW)),
    Row("interview", "post", Part.INVESTIGATION, _step_url(EventKind.INTERVIEW), _on(person="A witness", consent="no"), ok=302),
    Row("support_orientation form", "get", Part.CASE, _step_url(EventKind.SUPPORT_ORIENTATION)),
    Row(
        "support_orientation",
        "post",
        Part.CASE,
        _step_url(EventKind.SUPPORT_ORIENTATION),
        _on(decision="not_applicable", justification="No need."),
        ok=302,
    ),
    Row(
        "authority_orientation",
        "post",
        Part.CASE,
        _step_url(EventKind.AUTHORITY_ORIENTATION),
        _on(decision="not_applicable", justification="No need."),
        ok=302,
    ),
    Row(
        "decision",
        "post",
        Part.CASE,
        _step_url(EventKind.DECISION),
        _on(outcome="unfounded", reasons="No evidence.", decided_by="The director"),
        ok=302,
    ),
    Row("note", "post", Part.CASE, _case_url("note"), lambda w: {"note-text": "For the record."}, ok=302),
    Row(
        "person added",
        "post",
        Part.CASE,
        _case_url("person_add"),
        lambda w: {"role": PersonRole.WITNESS, "name": "A witness", "contact": "", "notes": ""},
        ok=302,
    ),
    Row("access page", "get", Part.CASE, _case_url("access")),
    Row(
        "access granted",
        "post",
        Part.CASE,
        _case_url("access"),
        lambda w: {"scope": GrantScope.FULL, "user": str(w.users["hr_other"].pk), "reason": "Needs the file."},
        ok=302,
    ),
    Row(
        "access revoked",
        "post",
        Part.CASE,
        lambda w: reverse("cases:revoke", args=[w.reference, w.probe_grant.pk]),
        lambda w: {"reason": "Mission over."},
        ok=302,
    ),
    Row("documents", "get", Part.INVESTIGATION, _case_url("documents")),
    Row("investigation document form", "get", Part.INVESTIGATION, _documents(TemplateKind.CONFIDENTIALITY)),
    Row(
        "investigation document generated",
        "post",
        Part.INVESTIGATION,
        _documents(TemplateKind.CONFIDENTIALITY),
        lambda w: {"language": "fr", "person": "A witness", "capacity": "Witness"},
        ok=302,
    ),
    # An investigator asking for a case-part kind gets the list of the kinds they may generate, and nothing is written.
    Row("case document form", "get", Part.CASE, _documents(TemplateKind.FEEDBACK), refused=200),
    Row(
        "case document generated",
        "post",
        Part.CASE,
        _documents(TemplateKind.FEEDBACK),
        lambda w: {"language": "fr", "recipient": "The reporter", "measures": "A meeting.", "reasons": "To hear both."},
        ok=302,
        refused=200,
    ),
    Row(
        "investigation document download",
        "get",
        Part.INVESTIGATION,
        lambda w: reverse("cases:document", args=[w.reference, w.investigation_document.uid]),
    ),
    Row("case document download", "get", Part.CASE, lambda w: reverse("cases:document", args=[w.reference, w.case_document.uid])),
    Row("redacted form", "get", Part.CASE, _case_url("redacted")),
    Row("redacted copy", "post", Part.CASE, _case_url("redacted"), lambda w: {"language": "fr", "parts": ["timeline"]}, ok=302),
    Row("report file", "get", Part.CASE, lambda w: reverse("cases:report_file", args=[w.reference, w.attachment.pk])),
    Row("close form", "get", Part.CASE, _case_url("close")),
    Row(
        "close",
        "post",
        Part.CASE,
        _case_url("close"),
        lambda w: {"reason": "unfounded", "reasons": "No evidence.", "notice": "Your report is closed."},
        ok=302,
    ),
    Row("reopen", "post", Part.CASE, _case_url("reopen"), lambda w: {"reopen-reason": "New facts."}, ok=302),
    Row("restore", "post", Part.CASE, _case_url("restore"), ok=302, prepare=_set_aside),
]


def test_the_matrix_covers_every_case_url_and_the_investigation_steps(world: World) -> None:
    from egide.cases.step_forms import STEP_FORMS
    from egide.cases.urls import urlpatterns

    with_reference = {pattern.name for pattern in urlpatterns if "<str:reference>" in str(pattern.pattern)}
    rows = {(resolve(row.url(world).split("?")[0]).url_name, row.method) for row in ROWS}
    assert {name for name, _method in rows} == with_reference
    for name, methods in {"report": "get post", "step": "get post", "close": "get post", "access": "get post"}.items():
        assert {(name, method) for method in methods.split()} <= rows
    assert {("documents", "get"), ("documents", "post"), ("redacted", "get"), ("redacted", "post")} <= rows
    # The investigation part's steps are exactly those the services put in it.
    investigation_steps = {kind for kind in STEP_FORMS if services.SPECS[kind].part == Part.INVESTIGATION}
    assert investigation_steps == {
        EventKind.INVESTIGATION_OPENED,
        EventKind.COMMISSION,
        EventKind.INTERVIEW,
        EventKind.INVESTIGATION_REPORT,
    }


# --- The personas ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    user: str  # key in World.users ("" for anonymous)
    sees: str
    case_worker: bool = True  # holds a case role: the inbox opens (without the case) instead of a 404
    grant: str = ""  # the scope of a grant given by the handler before the requests
    revoked: bool = False  # ... and revoked, while the persona's session is open


PERSONAS = {
    "handler": Persona("handler", FULL),
    "legal direction with a full grant": Persona("legal", FULL, grant=GrantScope.FULL),
    "investigator with an investigation grant": Persona("investigator", INVESTIGATION, grant=GrantScope.INVESTIGATION),
    "référent of school A excluded by the reporter": Persona("second_a", NOTHING),
    "référent of school B": Persona("referent_b", NOTHING),
    "pooled unit member who did not receive it": Persona("pool", NOTHING),
    "investigator without a grant": Persona("investigator", NOTHING),
    "investigator after revocation": Persona("investigator", NOTHING, grant=GrantScope.INVESTIGATION, revoked=True),
    "legal direction after revocation": Persona("legal", NOTHING, grant=GrantScope.FULL, revoked=True),
    "DPO": Persona("dpo", NOTHING, case_worker=False),
    "entity admin": Persona("admin_a", NOTHING, case_worker=False),
    "IMT admin": Persona("imt_admin", NOTHING, case_worker=False),
    "pilot": Persona("pilot", NOTHING, case_worker=False),
    "student": Persona("student", NOTHING, case_worker=False),
    "anonymous": Persona("", ANONYMOUS, case_worker=False),
}


def _enter(world: World, persona: Persona) -> tuple[User | None, Client]:
    if not persona.user:
        return None, Client()
    user = world.users[persona.user]
    if not persona.case_worker:
        return user, verified_client(user)
    grant = _grant(world.case, user, persona.grant) if persona.grant else None
    client = handler_client(user)
    if grant is not None and persona.revoked:
        assert client.get(reverse("cases:report", args=[world.reference])).status_code == 200  # before
        services.case_revoke(
            report=world.report, data_key=world.case.key, grant=grant, revoker=world.case.handler, reason="Mission over"
        )
        assert not Wrap.objects.filter(envelope_id=world.report.envelope_id, user=user).exists()
    return user, client


def _state(world: World, user: User | None) -> dict[str, Any]:
    """What a refused request must leave as it was."""
    counted = {f"{name}_count": Count(name, distinct=True) for name in ("events", "messages", "persons", "documents")}
    report = Report.objects.annotate(**counted).get(pk=world.report.pk)  # one query: it runs twice per request
    audit = AuditEvent.objects.filter(object_id=report.reference).exclude(action__in=LISTING_ACTIONS)
    return {
        "status": (report.status, report.set_aside_at, report.closed_on, report.acknowledged_at),
        "counts": [getattr(report, name) for name in counted],
        "grants": sorted(CaseGrant.objects.filter(report=report).values_list("pk", "scope", "revoked_on")),
        "wraps": sorted(Wrap.objects.filter(envelope_id=report.envelope_id).values_list("kind", "user_id")),
        "audit": audit.filter(actor_id=user.pk).count() if user is not None else audit.count(),
    }


def _expected(persona: Persona, row: Row) -> tuple[bool, int]:
    """(allowed, status code)"""
    if persona.sees == ANONYMOUS:
        return False, 302
    if persona.sees == FULL or (persona.sees == INVESTIGATION and row.part == Part.INVESTIGATION):
        return True, row.ok
    return False, row.refused if persona.sees == INVESTIGATION else 404


def _content_problems(persona: Persona, text: str) -> list[str]:
    wanted = {NARRATIVE: persona.sees == FULL, LISTENING: persona.sees == FULL, MANDATE: True}
    return [
        f"case page: {canary} {'missing' if shown else 'shown'}" for canary, shown in wanted.items() if (canary in text) != shown
    ]


def _lists(client: Client, persona: Persona, world: World) -> list[str]:
    """The inbox (both views) shows the case to those who may open it only; the register opens for the DPO only."""
    problems, shown = [], False
    for view in ("open", "closed"):
        response = client.get(reverse("cases:inbox"), {"view": view})
        wanted = 200 if persona.case_worker else 302 if not persona.user else 404
        if response.status_code != wanted:
            problems.append(f"inbox {view}: {response.status_code} instead of {wanted}")
        shown = shown or world.reference in response.content.decode()
    if shown != (persona.sees in {FULL, INVESTIGATION}):
        problems.append(f"inbox: reference shown: {shown}")
    register = client.get(reverse("cases:register"))
    wanted = 200 if persona.user == "dpo" else 302 if not persona.user else 404
    if register.status_code != wanted:
        problems.append(f"register: {register.status_code} instead of {wanted}")
    elif wanted == 200:
        page = register.content.decode()
        problems += [] if world.reference in page and CANARY not in page else ["register: reference missing or content shown"]
    return problems


@pytest.mark.parametrize("name", list(PERSONAS))
def test_every_case_url_for_every_persona(name: str, world: World) -> None:
    persona = PERSONAS[name]
    user, client = _enter(world, persona)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    problems = _lists(client, persona, world)
    # Allowed changes lead back into the case; anonymous visitors are sent to sign in.
    target = reverse("org:login") if persona.sees == ANONYMOUS else reverse("cases:report", args=[world.reference])
    for row in ROWS:
        if row.prepare is not None:
            row.prepare(world)
        before = _state(world, user)
        response = getattr(client, row.method)(row.url(world), row.data(world))
        allowed, status = _expected(persona, row)
        after = _state(world, user)
        where = f"{row.method.upper()} {row.name}"
        if response.status_code != status:
            problems.append(f"{where}: {response.status_code} instead of {status}")
        elif status == 302 and not response.url.startswith(target):
            problems.append(f"{where}: redirected to {response.url}")
        if not allowed and after != before:
            problems.append(f"{where}: changed {[key for key in before if before[key] != after[key]]}")
        if allowed and row.method == "post" and after == before:
            problems.append(f"{where}: did nothing")
        if allowed and row.name == "case page":
            problems += _content_problems(persona, response.content.decode())
    assert problems == []
    if persona.sees in {NOTHING, ANONYMOUS}:
        actor = {"actor_id": user.pk} if user is not None else {}
        left = AuditEvent.objects.filter(pk__gt=start, object_id=world.reference, **actor).exclude(action__in=LISTING_ACTIONS)
        assert list(left.values_list("action", flat=True)) == []
    if persona.revoked:
        assert user is not None and not Wrap.objects.filter(envelope_id=world.report.envelope_id, user=user).exists()


def test_an_investigator_sees_the_investigation_steps_and_documents_only(world: World) -> None:
    investigator = world.users["investigator"]
    _grant(world.case, investigator, GrantScope.INVESTIGATION)
    page = handler_client(investigator).get(reverse("cases:report", args=[world.reference]))
    assert page.status_code == 200
    assert [kind for kind, _label in page.context["steps"]] == [
        EventKind.INVESTIGATION_OPENED,
        EventKind.COMMISSION,
        EventKind.INTERVIEW,
        EventKind.INVESTIGATION_REPORT,
    ]
    assert [document.pk for document in page.context["documents"]] == [world.investigation_document.pk]
    assert {item.event.part for item in page.context["events"]} == {Part.INVESTIGATION}
    assert "content" not in page.context and "thread" not in page.context
    documents = handler_client(investigator).get(reverse("cases:documents", args=[world.reference]))
    assert {kind for kind, _label in documents.context["kinds"]} == set(services.INVESTIGATION_DOCUMENTS)


def test_every_step_kind_opens_by_part(world: World) -> None:
    """Every step form: the handler opens them all; the investigator only those of the investigation part, and a
    post to any other is refused without writing anything."""
    from egide.cases.step_forms import STEP_FORMS

    investigator = world.users["investigator"]
    _grant(world.case, investigator, GrantScope.INVESTIGATION)
    handler, other = handler_client(world.users["handler"]), handler_client(investigator)
    problems = []
    for kind in STEP_FORMS:
        url = reverse("cases:step", args=[world.reference, kind])
        investigation = services.SPECS[kind].part == Part.INVESTIGATION
        if (status := handler.get(url).status_code) != 200:
            problems.append(f"handler GET {kind}: {status}")
        if (status := other.get(url).status_code) != (200 if investigation else 404):
            problems.append(f"investigator GET {kind}: {status}")
        if not investigation:
            before = _state(world, investigator)
            if (status := other.post(url, {"on": _today()}).status_code) != 404 or _state(world, investigator) != before:
                problems.append(f"investigator POST {kind}: {status}")
    assert problems == []


@pytest.mark.parametrize(
    "persona",
    [
        "investigator with an investigation grant",
        "référent of school A excluded by the reporter",
        "référent of school B",
        "pooled unit member who did not receive it",
        "investigator without a grant",
    ],
)
def test_setting_aside_by_reference_needs_the_full_case(persona: str, world: World) -> None:
    """The set-aside form takes references in its body: it is a case URL in disguise."""
    Report.objects.filter(pk=world.report.pk).update(status=Status.RECEIVED)
    user, client = _enter(world, PERSONAS[persona])
    before = _state(world, user)
    response = client.post(reverse("cases:set_aside"), {"reference": [world.reference], "reason": "Flood"})
    assert response.status_code == 302
    assert _state(world, user) == before
    assert not AuditEvent.objects.filter(action="report.set_aside", object_id=world.reference).exists()


def test_the_ids_of_another_case_are_not_found_through_this_one(world: World, school_a: Entity) -> None:
    """Documents, files and grants are looked up within the case of the URL, even for a handler of both."""
    other = _file(school_a, world.users["handler"], submission_token="token-other-" + "e" * 30)
    document = services.case_document_store(
        report=other.report,
        data_key=other.key,
        actor=other.handler,
        kind=TemplateKind.FEEDBACK,
        language="fr",
        content=b"docx",
        template=None,
    )
    grant = _grant(other, world.users["legal"], GrantScope.FULL)
    client, reference = handler_client(world.users["handler"]), world.reference
    before = (_state(world, None), _written(world), CaseGrant.objects.get(pk=grant.pk).revoked_on)
    assert client.get(reverse("cases:document", args=[reference, document.uid])).status_code == 404
    assert client.get(reverse("cases:document", args=[reference, "not-a-uuid"])).status_code == 404
    assert client.get(reverse("cases:report_file", args=[reference, other.report.attachments.get().pk])).status_code == 404
    assert client.post(reverse("cases:revoke", args=[reference, grant.pk]), {"reason": "Wrong case"}).status_code == 404
    assert client.get(reverse("cases:step", args=[reference, "no_such_step"])).status_code == 404
    assert client.get(reverse("cases:step", args=[reference, EventKind.CLOSURE])).status_code == 404  # not a form step
    assert (_state(world, None), _written(world), CaseGrant.objects.get(pk=grant.pk).revoked_on) == before


# --- Lists ---------------------------------------------------------------------------------------------------


@dataclass
class Listed:
    references: list[str] = field(default_factory=list)  # on every page of every view
    pages: list[str] = field(default_factory=list)  # their text
    total: int = 0  # what the paginators counted: a count of cases is already something about them


def _listed(client: Client, name: str, views_: tuple[str, ...]) -> Listed:
    listed = Listed()
    for view in views_:
        number, last = 1, 1
        while number <= last:
            response = client.get(reverse(name), {"view": view, "page": str(number)})
            assert response.status_code == 200
            page = response.context["page"]
            last = page.paginator.num_pages
            if name == "cases:inbox":
                listed.references += [row["report"].reference for row in response.context["rows"]]
            else:
                listed.references += [report.reference for report in page.object_list]
            listed.pages.append(response.content.decode())
            number += 1
        listed.total += page.paginator.count
    return listed


@pytest.fixture
def many(
    monkeypatch: pytest.MonkeyPatch, school_a: Entity, school_b: Entity, referent_a: User, referent_b: User
) -> dict[str, Any]:
    """Three cases of school A (the first one excluding its second référent), four of school B, some closed;
    two per page, so that every list has several pages."""
    monkeypatch.setattr(views, "INBOX_PAGE", 2)
    users = _people(school_a, school_b)
    users.update(handler=_keyed(referent_a), referent_b=_keyed(referent_b))
    first = _file(school_a, referent_a, excluded=[str(users["second_a"].person_id)])
    a_cases = [first] + [_file(school_a, referent_a, submission_token=f"token-a{index}-" + "c" * 30) for index in (1, 2)]
    b_cases = [_file(school_b, referent_b, submission_token=f"token-b{index}-" + "d" * 30) for index in range(4)]
    for case in (a_cases[2], b_cases[1], b_cases[3]):
        Report.objects.filter(pk=case.report.pk).update(status=Status.CLOSED, closed_on=timezone.localdate(), next_due=None)
    _grant(a_cases[1], users["investigator"], GrantScope.INVESTIGATION)
    return {
        "users": users,
        "a": [case.report.reference for case in a_cases],
        "b": [case.report.reference for case in b_cases],
    }


def _list_problems(label: str, listed: Listed, expected: list[str], every: list[str]) -> list[str]:
    problems = [] if sorted(listed.references) == sorted(expected) else [f"{label}: {listed.references} != {expected}"]
    problems += [] if listed.total == len(expected) else [f"{label}: {listed.total} cases counted for {len(expected)}"]
    problems += [
        f"{label}: {reference} on a page" for reference in set(every) - set(expected) if any(reference in p for p in listed.pages)
    ]
    return problems + ([f"{label}: content shown"] if any(CANARY in page for page in listed.pages) else [])


# Who sees which cases of school A (a) and B (b) in the inbox, on every page of both views.
INBOX: dict[str, Callable[[list[str], list[str]], list[str]]] = {
    "handler": lambda a, b: a,
    "second_a": lambda a, b: a[1:],  # excluded from the first one only
    "referent_b": lambda a, b: b,
    "pool": lambda a, b: [],  # school A's référent had a key: nothing was pooled
    "investigator": lambda a, b: a[1:2],  # given the investigation part of one case
    "legal": lambda a, b: [],
}


def test_the_inbox_lists_only_what_each_user_may_open(many: dict[str, Any]) -> None:
    problems, every = [], many["a"] + many["b"]
    for who, sees in INBOX.items():
        listed = _listed(handler_client(many["users"][who]), "cases:inbox", ("open", "closed"))
        problems += _list_problems(who, listed, sees(many["a"], many["b"]), every)
    assert problems == []


# The DPO's register by the scope of their role: school A, school B, all of IMT.
REGISTER: dict[str, Callable[[list[str], list[str]], list[str]]] = {
    SCHOOL_A: lambda a, b: a,
    SCHOOL_B: lambda a, b: b,
    "": lambda a, b: a + b,
}


def test_the_register_lists_the_cases_of_the_dpo_scope_only(many: dict[str, Any], school_a: Entity) -> None:
    problems, every = [], many["a"] + many["b"]
    for scope, sees in REGISTER.items():
        entity = Entity.objects.get(code=scope) if scope else None
        dpo = make_user(f"dan.dpo{scope}@example.org", school_a, (Role.DPO, entity))
        client = verified_client(dpo)
        listed = _listed(client, "cases:register", ("",))
        problems += _list_problems(scope or "IMT", listed, sees(many["a"], many["b"]), every)
        assert AuditEvent.objects.filter(action="cases.register_listed", actor_id=dpo.pk).count() == len(listed.pages)
        for name in ("cases:inbox", "cases:new", "cases:readiness"):
            assert client.get(reverse(name)).status_code == 404, name
    assert problems == []


def test_a_set_aside_case_leaves_the_open_inbox(world: World) -> None:
    Report.objects.filter(pk=world.report.pk).update(status=Status.RECEIVED)
    client = handler_client(world.users["handler"])
    client.post(reverse("cases:set_aside"), {"reference": [world.reference], "reason": "Flood"})
    assert Report.objects.get(pk=world.report.pk).status == Status.SET_ASIDE
    assert world.reference not in _listed(client, "cases:inbox", ("open",)).references
    assert world.reference in _listed(client, "cases:inbox", ("closed",)).references


def test_the_register_counts_each_step_once(world: World) -> None:
    """Two events and three wraps: the two counts must not multiply each other."""
    assert world.report.events.count() == 2 and Wrap.objects.filter(envelope_id=world.report.envelope_id).count() == 3
    response = verified_client(world.users["dpo"]).get(reverse("cases:register"))
    [row] = response.context["page"].object_list
    assert row.steps == world.report.events.count()


def test_the_register_counts_the_case_team_as_key_holders(world: World) -> None:
    response = verified_client(world.users["dpo"]).get(reverse("cases:register"))
    [row] = response.context["page"].object_list
    assert row.holders == len(services.holder_ids(world.report))


# --- Granting ------------------------------------------------------------------------------------------------


def _written(world: World) -> tuple[Any, ...]:
    report = world.report
    return (
        sorted(CaseGrant.objects.filter(report=report).values_list("pk", "revoked_on")),
        sorted(Wrap.objects.filter(envelope_id=report.envelope_id).values_list("kind", "user_id")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("who", "scope", "message"),
    [
        ("second_a", GrantScope.FULL, "asked that this person not see"),  # a handler of the entity, with a key
        ("second_a", GrantScope.INVESTIGATION, "cannot be given access"),
        ("legal_without_key", GrantScope.FULL, "cannot be given access"),
        ("student", GrantScope.FULL, "cannot be given access"),  # a key, no eligible role
        ("admin_a", GrantScope.FULL, "cannot be given access"),
        ("dpo", GrantScope.FULL, "cannot be given access"),
        ("investigator", GrantScope.FULL, "cannot be given access"),  # the wrong part for the role
        ("legal", GrantScope.INVESTIGATION, "cannot be given access"),
        ("legal_b", GrantScope.FULL, "cannot be given access"),  # the legal direction of another school
        ("hr", GrantScope.FULL, "already has access"),  # the probe grant is active
        ("investigator", GrantScope.INVESTIGATION, "already has access"),  # granted just before
    ],
)
def test_granting_refuses_and_writes_nothing(
    who: str, scope: str, message: str, world: World, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    if who == "legal_without_key":
        world.users[who] = make_user("leon.legal@example.org", world.report.entity, (Role.LEGAL, None))
    if who in {"student", "admin_a", "dpo"}:
        _keyed(world.users[who])
    if message == "already has access" and who == "investigator":
        _grant(world.case, world.users[who], scope)
    before, outbox = _written(world), len(mail.outbox)
    with (
        django_capture_on_commit_callbacks(execute=True),
        translation.override("en"),
        pytest.raises(CaseRuleError, match=message),
    ):
        _grant(world.case, world.users[who], scope)
    assert _written(world) == before and len(mail.outbox) == outbox


def test_the_access_page_refuses_the_excluded_référent_and_writes_nothing(world: World) -> None:
    before = _written(world)
    response = handler_client(world.users["handler"]).post(
        reverse("cases:access", args=[world.reference]),
        {"scope": GrantScope.FULL, "user": str(world.users["second_a"].pk), "reason": "Needs it"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    after = _written(world)
    assert after[:2] == before[:2]
    listed = AuditEvent.objects.order_by("pk")[before[2] :]
    assert [event.action for event in listed] == ["case.access_listed"]


def test_a_current_holder_cannot_be_given_a_grant(world: World) -> None:
    before = _written(world)
    with pytest.raises(CaseRuleError):
        _grant(world.case, world.users["handler"], GrantScope.FULL)
    assert _written(world) == before


def test_revoking_a_grant_leaves_a_holders_own_access(world: World) -> None:
    """A holder cannot be given a grant, so revoking one never takes away the key a handler holds by their role."""
    handler = world.users["handler"]
    with pytest.raises(CaseRuleError):
        _grant(world.case, handler, GrantScope.FULL)
    assert not CaseGrant.objects.filter(report=world.report, user=handler).exists()
    assert Wrap.objects.filter(envelope_id=world.report.envelope_id, user=handler).exists()
    assert handler_client(handler).get(reverse("cases:report", args=[world.reference])).status_code == 200


# --- Audit completeness and the hash chain ----------------------------------------------------------------------


@dataclass
class Request:
    label: str
    method: str
    url: str
    data: dict[str, Any] = field(default_factory=dict)
    actions: tuple[str, ...] = ()


def _sequence(case: OpenCase, legal: User) -> Iterator[Request]:
    """What a handler does in a day, with CANARY strings in everything they type."""
    reference = case.report.reference

    def url(name: str, *args: Any) -> str:
        return reverse(f"cases:{name}", args=[reference, *args])

    yield Request("inbox", "get", reverse("cases:inbox"), actions=("cases.inbox_listed",))
    yield Request("case page", "get", url("report"), actions=("report.read",))
    yield Request("reply", "post", url("report"), {"text": f"{CANARY}-reply"}, ("case.acknowledgement", "report.handler_message"))
    yield Request(
        "listening", "post", url("step", EventKind.LISTENING), {"on": _today(), "summary": LISTENING}, ("case.listening",)
    )
    for kind in (EventKind.SUPPORT_ORIENTATION, EventKind.AUTHORITY_ORIENTATION):
        data = {"on": _today(), "decision": "not_applicable", "justification": f"{CANARY}-{kind}"}
        yield Request(kind, "post", url("step", kind), data, (f"case.{kind}",))
    person = {"role": PersonRole.TARGETED, "name": f"{CANARY}-person", "contact": f"{CANARY}-contact", "notes": f"{CANARY}-notes"}
    yield Request("person", "post", url("person_add"), person, ("case.person_added",))
    yield Request("access page", "get", url("access"), actions=("case.access_listed",))
    grant = {"scope": GrantScope.FULL, "user": str(legal.pk), "reason": f"{CANARY}-grant"}
    yield Request("grant", "post", url("access"), grant, ("case.access_granted",))
    yield Request("note", "post", url("note"), {"note-text": f"@lea.legal {CANARY}-note"}, ("case.note",))
    granted = CaseGrant.objects.get(report=case.report, user=legal, revoked_on__isnull=True)
    yield Request("revoke", "post", url("revoke", granted.pk), {"reason": "Mission over"}, ("case.access_revoked",))
    feedback = f"?kind={TemplateKind.FEEDBACK}"
    document = {"language": "fr", "recipient": f"{CANARY}-to", "measures": f"{CANARY}-measures", "reasons": f"{CANARY}-why"}
    yield Request("document", "post", url("documents") + feedback, document, ("case.document_generated",))
    uid = case.report.documents.get().uid
    yield Request("download", "get", url("document", uid), actions=("case.document_downloaded",))
    closure = {"reason": "unfounded", "reasons": f"{CANARY}-reasons", "notice": f"{CANARY}-notice"}
    yield Request("close", "post", url("close"), closure, ("report.handler_message", "case.closure"))


def _run_sequence(case: OpenCase, legal: User) -> list[str]:
    client, handler, problems = handler_client(case.handler), case.handler, []
    for request in _sequence(case, legal):
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = getattr(client, request.method)(request.url, request.data)
        if response.status_code not in {200, 302} or (response.status_code == 200 and request.method == "post"):
            problems.append(f"{request.label}: {response.status_code}")
        events = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
        if tuple(event.action for event in events) != request.actions:
            problems.append(f"{request.label}: {[event.action for event in events]}")
        for event in events:
            wanted_object = "" if event.action in LISTING_ACTIONS else case.report.reference
            if (event.actor_id, event.object_id) != (handler.pk, wanted_object):
                problems.append(f"{request.label}: {event.action} by {event.actor_id} on {event.object_id!r}")
    return problems


def _sequence_case(school_a: Entity, school_b: Entity, handler: User) -> tuple[OpenCase, User]:
    users = _people(school_a, school_b)
    case = _file(
        school_a,
        _keyed(handler),
        mode="confidential",
        full_name=f"{CANARY}-name",
        contact=f"{CANARY}-reporter-contact",
        notify_email="reporter@example.org",
    )
    return case, users["legal"]


def test_every_request_of_a_handlers_day_is_audited_on_a_sound_chain(
    school_a: Entity, school_b: Entity, referent_a: User, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    case, legal = _sequence_case(school_a, school_b, referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_sequence(case, legal) == []
    assert case.refresh().status == Status.CLOSED
    chain = verify_chain()
    assert chain.ok, chain.problem
    assert chain.checked == AuditEvent.objects.count()


def test_no_typed_content_reaches_the_audit_log_the_logs_or_an_email(
    school_a: Entity,
    school_b: Entity,
    referent_a: User,
    django_capture_on_commit_callbacks: CaptureCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        case, legal = _sequence_case(school_a, school_b, referent_a)
        assert _run_sequence(case, legal) == []
    recipients = {address for message in mail.outbox for address in message.to}
    # The new report, the reporter's notices (reply, closure), the grant and the mention were all sent.
    assert {referent_a.email, legal.email, "reporter@example.org"} <= recipients
    assert sum(legal.email in message.to for message in mail.outbox) == 2
    for message in mail.outbox:
        assert CANARY not in f"{message.subject}\n{message.body}", message.subject
    for event in AuditEvent.objects.all():
        row = json.dumps([event.action, event.actor_label, event.object_type, event.object_id, event.reason, event.data])
        assert CANARY not in row, event.action
    assert CANARY not in caplog.text


@pytest.fixture
def tamperable(transactional_db: Any) -> Iterator[None]:
    """As tests/core/test_audit.py: remove the database guards, as an attacker with database access would first;
    a transactional test starts after a flush, so the migrated reference data is loaded again."""
    migration = importlib.import_module("egide.core.migrations.0002_audit_append_only")
    load_migrated_reference_data()
    with connection.schema_editor() as editor:
        migration.drop_triggers(None, editor)
    yield
    with connection.schema_editor() as editor:
        migration.create_triggers(None, editor)


def test_altering_an_audited_case_event_breaks_the_chain_at_that_event(tamperable: None) -> None:
    school_a, school_b = Entity.objects.get(code=SCHOOL_A), Entity.objects.get(code=SCHOOL_B)
    referent = make_user("rachel.referent@example.org", school_a, (Role.REFERENT_ECOUTE, school_a))
    case, legal = _sequence_case(school_a, school_b, referent)
    assert _run_sequence(case, legal) == []
    assert verify_chain().ok
    grant = AuditEvent.objects.get(action="case.access_granted", object_id=case.report.reference)
    forged = json.dumps({**grant.data, "scope": GrantScope.INVESTIGATION})
    value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_auditevent SET data = {value} WHERE id = %s", [forged, grant.pk])  # noqa: S608
    report = verify_chain()
    assert not report.ok and report.broken_at == grant.pk and "altered" in report.problem


# --- Reads of case content outside the case page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "shown"),
    [
        ("document form", NARRATIVE),
        ("step form", "M. Dupont"),
    ],
)
def test_a_form_that_shows_case_content_is_audited(form: str, shown: str, world: World) -> None:
    handler, last = world.users["handler"], AuditEvent.objects.order_by("-pk")[0].pk
    client = handler_client(handler)
    if form == "document form":
        response = client.get(reverse("cases:documents", args=[world.reference]), {"kind": TemplateKind.PROSECUTOR})
    else:
        response = client.get(reverse("cases:step", args=[world.reference, EventKind.PERSON_INFORMED]))
    assert response.status_code == 200 and shown in response.content.decode()
    assert AuditEvent.objects.filter(pk__gt=last, actor_id=handler.pk, object_id=world.reference).exists()
