"""The reporter's side through the test client: the information pages, the form step by step as a
browser sends it, what it refuses, double submits, the proof of work and the flood limit, the
acknowledgement, and the follow-up space opened with the code."""

from __future__ import annotations

import datetime
import re
import resource
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from egide.core.models import ThrottleCounter
from egide.org.models import Entity
from egide.reports import proof
from egide.reports.forms import AboutStep, FactsStep, PersonsStep, SendStep, YouStep
from egide.reports.models import Attachment, FollowUpSession, Message, Report
from egide.reports.services import decrypt_content, open_message
from egide.vault.crypto import new_code as crypto_new_code
from egide.vault.services import envelope_open_for_receipt, receipt_open
from tests.reports.conftest import CANARY, answers, code_of

CODE_PATTERN = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(200)
FOLLOWUP_COOKIE = django_settings.EGIDE_FOLLOWUP_COOKIE_NAME
STAFF_COOKIE = django_settings.SESSION_COOKIE_NAME


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    return media


def url(name: str, *args: Any, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(f"reports:{name}", args=args)


def post_report(client: Client, target: Entity, /, *, lang: str = "en", **overrides: Any) -> Any:
    entity = overrides.pop("entity", None)
    data = answers(target, **overrides)
    if entity is not None:
        data["entity"] = entity  # a tampered choice (answers() takes the entity positionally)
    return client.post(url("start", lang=lang), data)


def token(letter: str) -> str:
    return "token-" + letter * 30


def text_file(name: str = "notes.txt", content: bytes = b"Mes notes du 3 octobre.\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def content_of(response: Any) -> str:
    return str(response.content.decode())


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.fields.append((str(found["name"]), found.get("value") or ""))


def hidden_fields(response: Any) -> dict[str, list[str]]:
    """What a browser sends back without the person typing it: the page's hidden inputs."""
    parser = _HiddenInputs()
    parser.feed(content_of(response))
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def step_fields(form_class: type[forms.Form], full: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in full.items() if name in form_class.base_fields}


def open_space(client: Client, code: str) -> Any:
    response = client.post(url("follow_up"), {"code": code})
    assert response.status_code == 302, content_of(response)[:2000]
    return response


def data_key_for(code: str, report: Report) -> bytes:
    receipt, private_key = receipt_open(code)
    assert report.receipt_id == receipt.pk
    return envelope_open_for_receipt(envelope_id=report.envelope_id, receipt=receipt, private_key=private_key)


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "path"), [("fr", "/fr/signaler/"), ("en", "/en/report/")])
def test_start_page_shows_step_one(db: Any, lang: str, path: str) -> None:
    assert url("start", lang=lang) == path
    response = Client().get(path)
    assert response.status_code == 200
    assert response.context["step"] == "about" and response.context["step_number"] == 1
    assert hidden_fields(response)["step"] == ["about"]
    token_value = hidden_fields(response)["submission_token"][0]
    assert len(token_value) >= 20
    assert f'<html lang="{lang}">' in content_of(response)
    assert 'name="entity"' in content_of(response) and 'name="narrative"' not in content_of(response)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", ["how", "notice", "channels"])
def test_information_pages_in_both_languages(db: Any, lang: str, name: str) -> None:
    response = Client().get(url(name, lang=lang))
    assert response.status_code == 200
    assert f"reports/info/{name}.{lang}.html" in [template.name for template in response.templates]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_notice_shows_the_configured_act(db: Any, settings: Any, lang: str) -> None:
    settings.EGIDE_REPORTING_ACT = {
        "reference": "Décision n° 2026-117 du directeur général",
        "date": "12/03/2026",
        "url": "https://example.org/acte-2026-117",
    }
    page = content_of(Client().get(url("notice", lang=lang)))
    assert "Décision n° 2026-117 du directeur général" in page
    assert "12/03/2026" in page
    assert 'href="https://example.org/acte-2026-117"' in page
    assert "config-gap" not in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_notice_warns_visibly_when_the_act_is_missing(db: Any, settings: Any, lang: str) -> None:
    settings.EGIDE_REPORTING_ACT = {"reference": "", "date": "", "url": ""}
    page = content_of(Client().get(url("notice", lang=lang)))
    warning = re.search(r'<p class="config-gap"><strong>([^<]+)</strong>', page)
    assert warning is not None
    assert ("not been configured" if lang == "en" else "pas encore été renseignée") in warning.group(1)


# --- Walking the steps --------------------------------------------------------------------------


def _walk_to(client: Client, entity: Entity, last: str) -> tuple[Any, dict[str, Any]]:
    """GET the form, then post one step at a time (its fields plus the page's hidden fields)."""
    full = answers(entity)
    page = client.get(url("start"))
    for step, form_class in [("about", AboutStep), ("facts", FactsStep), ("persons", PersonsStep), ("you", YouStep)]:
        if step == last:
            return page, full
        assert page.context["step"] == step
        page = client.post(url("start"), {**hidden_fields(page), **step_fields(form_class, full), "action": "next"})
        assert page.status_code == 200
        assert not page.context["form"].errors, page.context["form"].errors
    return page, full


def test_walking_the_steps_files_the_report(db: Any, school_a: Entity) -> None:
    client = Client()
    page, full = _walk_to(client, school_a, "send")
    assert page.context["step"] == "send" and page.context["step_number"] == 5
    carried = hidden_fields(page)
    assert carried["narrative"] == [full["narrative"]]
    assert sorted(carried["categories"]) == sorted(full["categories"])
    assert "notice_read" not in carried and "attachments" not in carried
    assert Report.objects.count() == 0  # nothing stored before the last step
    carried["pow_nonce"] = [proof.solve(carried["pow_challenge"][0], 4)]
    response = client.post(url("start"), {**carried, **step_fields(SendStep, full), "action": "send"})
    assert response.status_code == 200
    assert "reports/acknowledgement.html" in [template.name for template in response.templates]
    report = Report.objects.get()
    assert report.proof_of_work is True
    assert report.entity == school_a and report.mode == "anonymous" and report.reporter_role == "victim"
    assert report.category_list == ["sexual_harassment", "sexist_behaviour"]
    content = decrypt_content(data_key_for(code_of(response), report), report)
    assert content["narrative"] == full["narrative"]
    assert content["authors"]["names"] == f"{CANARY}-author"
    assert content["witnesses"]["detail"] == f"{CANARY}-witness"
    assert content["where"] == {"kind": "campus", "detail": f"{CANARY}-place"}
    assert content["when"] == {"kind": "period", "start": "2026-09-01", "end": ""}
    assert content["wishes"] == ["talk", "report"]
    assert content["identity"] == {}


def test_back_keeps_the_answers(db: Any, school_a: Entity) -> None:
    client = Client()
    page, full = _walk_to(client, school_a, "persons")
    persons = step_fields(PersonsStep, full)
    back = client.post(url("start"), {**hidden_fields(page), **persons, "action": "back"})
    assert back.status_code == 200
    assert back.context["step"] == "facts"
    assert not back.context["form"].errors
    html = content_of(back)
    assert f"{CANARY}-narrative" in html  # the narrative is back in its text area
    assert back.context["form"]["narrative"].value() == full["narrative"]
    assert hidden_fields(back)["author_names"] == [f"{CANARY}-author"]  # the step left is carried
    forward = client.post(url("start"), {**hidden_fields(back), **step_fields(FactsStep, full), "action": "next"})
    assert forward.context["step"] == "persons"
    assert forward.context["form"]["author_names"].value() == f"{CANARY}-author"
    assert forward.context["form"]["author_relation"].value() == "teacher"
    # Back from the second step shows the first with its choice kept.
    about_back = client.post(url("start"), {**hidden_fields(page), "step": "facts", "action": "back"})
    assert about_back.context["step"] == "about"
    assert str(about_back.context["form"]["entity"].value()) == str(school_a.pk)


REQUIRED = {
    "about": ["danger_now", "entity", "reporter_role", "population"],
    "facts": ["when_kind", "where"],
    "persons": ["author_relation", "author_named", "witnesses"],
    "you": ["wishes", "mode"],
    "send": ["notice_read"],
}


@pytest.mark.parametrize("step", list(REQUIRED))
def test_missing_required_answers_are_shown_and_nothing_is_stored(db: Any, school_a: Entity, step: str) -> None:
    data = answers(school_a, step=step, action="send" if step == "send" else "next")
    for name in REQUIRED[step]:
        data.pop(name)
    response = Client().post(url("start"), data)
    assert response.status_code == 200
    assert response.context["step"] == step
    assert set(REQUIRED[step]) <= set(response.context["form"].errors)
    html = content_of(response)
    assert 'class="error-summary"' in html
    assert f"{CANARY}-narrative" in html  # what was typed is kept
    assert Report.objects.count() == 0


def test_missing_narrative_on_the_last_step_sends_back_to_its_step(db: Any, school_a: Entity) -> None:
    response = post_report(Client(), school_a, narrative="")
    assert response.status_code == 200
    assert response.context["step"] == "facts"
    assert "narrative" in response.context["form"].errors
    assert f"{CANARY}-author" in content_of(response)
    assert Report.objects.count() == 0


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "step", "field", "message"),
    [
        ({"mode": "anonymous", "full_name": "Camille Martin"}, "you", "full_name", "You chose to report anonymously"),
        ({"mode": "anonymous", "contact": "06 12 34 56 78"}, "you", "full_name", "You chose to report anonymously"),
        ({"mode": "confidential", "full_name": ""}, "you", "full_name", "Give your name"),
        ({"mode": "named", "full_name": ""}, "you", "full_name", "Give your name"),
        ({"when_start": "2026-09-10", "when_end": "2026-09-01"}, "facts", "when_end", "before its start"),
        ({"when_kind": "date", "when_start": ""}, "facts", "when_start", "Give the date"),
        ({"entity": "999999"}, "about", "entity", "Select a valid choice"),
        ({"entity": "abc"}, "about", "entity", "Select a valid choice"),
        ({"entity": "1 OR 1=1"}, "about", "entity", "Select a valid choice"),
        ({"mode": "shouting"}, "you", "mode", "Select a valid choice"),
        ({"categories": ["sexual_harassment", "made_up"]}, "facts", "categories", "Select a valid choice"),
        ({"notify_email": "not an address"}, "you", "notify_email", "valid email"),
        ({"excluded": ["1"]}, "you", "excluded", "Select a valid choice"),
    ],
)
def test_bad_answers_are_refused_cleanly(
    db: Any, school_a: Entity, overrides: dict[str, Any], step: str, field: str, message: str
) -> None:
    response = post_report(Client(), school_a, **overrides)
    assert response.status_code == 200
    assert response.context["step"] == step
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert message in content_of(response)
    assert Report.objects.count() == 0


def test_confidential_with_a_name_is_accepted(db: Any, school_a: Entity) -> None:
    response = post_report(Client(), school_a, mode="confidential", full_name="Camille Martin", contact="camille@example.org")
    assert response.status_code == 200 and response.context["ack"].reference
    report = Report.objects.get()
    content = decrypt_content(data_key_for(code_of(response), report), report)
    assert content["identity"] == {"name": "Camille Martin", "contact": "camille@example.org"}


@pytest.mark.parametrize("step", ["evil", "", "send ", "../send", "facts\x00"])
def test_a_tampered_step_is_treated_as_the_first_step(db: Any, school_a: Entity, step: str) -> None:
    response = post_report(Client(), school_a, step=step)
    assert response.status_code == 200
    assert response.context["step"] == "facts"  # "about" was checked, the next step is shown
    assert Report.objects.count() == 0


@pytest.mark.parametrize("overrides", [{"action": "delete"}, {"submission_token": "x"}, {"submission_token": "<script>" * 5}])
def test_odd_actions_and_tokens_do_not_break_the_form(db: Any, school_a: Entity, overrides: dict[str, Any]) -> None:
    response = post_report(Client(), school_a, **overrides)
    assert response.status_code == 200
    assert "<script><script>" not in content_of(response)


def test_a_file_over_the_limit_is_refused_and_must_be_chosen_again(
    db: Any, school_a: Entity, settings: Any, _media: Path
) -> None:
    settings.EGIDE_UPLOAD_MAX_BYTES = 1000
    response = post_report(Client(), school_a, attachments=[text_file(content=b"a" * 5000)])
    assert response.status_code == 200
    assert response.context["step"] == "send"
    html = content_of(response)
    assert "This file is larger than" in html
    assert "choose them again" in html
    assert response.context["files_lost"] is True
    assert Report.objects.count() == 0 and Attachment.objects.count() == 0
    assert stored_files(_media) == []
    assert f"{CANARY}-narrative" in html  # the answers come back


def test_a_forged_file_is_refused(db: Any, school_a: Entity, _media: Path) -> None:
    forged = SimpleUploadedFile("photo.jpg", ELF, content_type="image/jpeg")
    response = post_report(Client(), school_a, attachments=[forged])
    assert response.status_code == 200
    assert "photo.jpg" in content_of(response) and "does not match its name" in content_of(response)
    assert Report.objects.count() == 0
    assert stored_files(_media) == []


def test_an_executable_without_a_known_name_is_refused(db: Any, school_a: Entity) -> None:
    response = post_report(Client(), school_a, attachments=[SimpleUploadedFile("program", ELF)])
    assert response.status_code == 200
    assert "This type of file is not accepted" in content_of(response)
    assert Report.objects.count() == 0


def test_too_many_files_are_refused(db: Any, school_a: Entity, settings: Any, _media: Path) -> None:
    settings.EGIDE_UPLOAD_MAX_FILES = 2
    files = [text_file(f"note{index}.txt") for index in range(3)]
    response = post_report(Client(), school_a, attachments=files)
    assert response.status_code == 200
    assert "You can add at most 2 files." in content_of(response)
    assert Report.objects.count() == 0
    assert stored_files(_media) == []


def test_a_good_file_is_stored_encrypted(db: Any, school_a: Entity, _media: Path) -> None:
    response = post_report(Client(), school_a, attachments=[text_file(content=f"{CANARY}-file\n".encode())])
    assert response.status_code == 200 and response.context["ack"].code
    attachment = Attachment.objects.get()
    assert attachment.message_id is None and attachment.size == len(f"{CANARY}-file\n")
    files = stored_files(_media)
    assert len(files) == 1
    assert CANARY.encode() not in files[0].read_bytes()
    assert "notes.txt" not in attachment.blob


class _StreamedBody:
    """A request body produced piece by piece, as a server reads a large upload from the socket."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._buffer = bytearray()
        self.largest_read = 0
        self.delivered = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("the whole body was asked for at once")
        self.largest_read = max(self.largest_read, size)
        while len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        self.delivered += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        line = bytearray()
        while not line.endswith(b"\n") and (size < 0 or len(line) < size):
            byte = self.read(1)
            if not byte:
                break
            line += byte
        return bytes(line)


def _multipart(fields: dict[str, Any], file_name: str, path: Path, boundary: str) -> tuple[int, Iterator[bytes]]:
    head = bytearray()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            head += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode()
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="{file_name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = path.stat().st_size

    def pieces() -> Iterator[bytes]:
        yield bytes(head)
        with path.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                yield chunk
        yield tail

    return len(head) + size + len(tail), pieces()


def test_a_200_mb_upload_is_refused_without_being_held_in_memory(db: Any, school_a: Entity, tmp_path: Path) -> None:
    """Django's test client reads every uploaded file whole into memory (RequestFactory's encode_file calls
    file.read()), so this test streams the body into the WSGI handler itself, as a server would."""
    assert django_settings.EGIDE_UPLOAD_MAX_BYTES == 64 * 1024 * 1024  # the default limit
    big = tmp_path / "photo.jpg"
    with big.open("wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
        handle.truncate(200 * 1024 * 1024)  # sparse: no disk used by the source
    boundary = "egide-test-boundary-7f3a9c"
    fields = answers(school_a)
    length, pieces = _multipart(fields, "photo.jpg", big, boundary)
    body = _StreamedBody(pieces)
    client = Client()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=url("start"),
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
    )
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert response.status_code == 200
    html = content_of(response)
    assert "This file is larger than 64 MB." in html
    assert "choose them again" in html
    assert Report.objects.count() == 0
    assert body.delivered == length  # the whole 200 MB went through the request parsing
    assert body.largest_read < 10 * 1024 * 1024
    grown = (after - before) * 1024  # ru_maxrss is in KiB on Linux
    assert grown < 100 * 1024 * 1024, f"peak memory grew by {grown // (1024 * 1024)} MiB"


# --- Double submit, proof of work, flood limit --------------------------------------------------


def test_a_double_submit_gives_one_report_and_the_same_acknowledgement(db: Any, school_a: Entity) -> None:
    client = Client()
    first = post_report(client, school_a, submission_token=token("d"))
    second = post_report(client, school_a, submission_token=token("d"))
    assert Report.objects.count() == 1
    assert first.context["ack"].reference == second.context["ack"].reference
    code = code_of(first)
    assert code and code_of(second) == code
    assert second.context["ack"].replayed is True
    assert code in content_of(second)
    Report.objects.update(replay_until=timezone.now() - datetime.timedelta(seconds=1))
    third = post_report(client, school_a, submission_token=token("d"))
    assert Report.objects.count() == 1
    assert third.context["ack"].reference == first.context["ack"].reference
    assert code_of(third) == ""
    html = content_of(third)
    assert first.context["ack"].reference in html
    assert code not in html and not CODE_PATTERN.search(html)
    assert "already been sent" in html
    assert Message.objects.count() == 1  # one acknowledgement message, not three


def test_a_replayed_acknowledgement_shows_the_original_time_of_receipt(
    db: Any, school_a: Entity, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    first = post_report(client, school_a, submission_token=token("t"))
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(minutes=2))
    second = post_report(client, school_a, submission_token=token("t"))
    assert second.context["ack"].replayed is True and code_of(second) == code_of(first)
    assert second.context["ack"].received_at == first.context["ack"].received_at


def test_a_replay_with_another_token_files_a_second_report(db: Any, school_a: Entity) -> None:
    first = post_report(Client(), school_a, submission_token=token("e"))
    second = post_report(Client(), school_a, submission_token=token("f"))
    assert Report.objects.count() == 2
    assert first.context["ack"].reference != second.context["ack"].reference
    assert code_of(first) != code_of(second)


def _failing_nonce(challenge: str) -> str:
    for nonce in range(1000):
        if not proof.is_solved(token=token("p"), challenge=challenge, nonce=str(nonce)):
            return str(nonce)
    raise AssertionError("every nonce solves the challenge")


def test_proof_of_work_is_recorded_but_not_required(db: Any, school_a: Entity) -> None:
    without = answers(school_a, submission_token=token("n"))
    del without["pow_nonce"], without["pow_challenge"]
    assert Client().post(url("start"), without).status_code == 200
    challenge = proof.new_challenge(token("p"))
    wrong = answers(school_a, submission_token=token("p"), pow_challenge=challenge, pow_nonce=_failing_nonce(challenge))
    assert Client().post(url("start"), wrong).status_code == 200
    other_token = proof.new_challenge(token("q"))  # solved, but for another form
    stolen = answers(school_a, submission_token=token("r"), pow_challenge=other_token, pow_nonce=proof.solve(other_token, 4))
    assert Client().post(url("start"), stolen).status_code == 200
    assert post_report(Client(), school_a, submission_token=token("s")).status_code == 200
    proved = list(Report.objects.order_by("pk").values_list("proof_of_work", flat=True))
    assert proved == [False, False, False, True]


def test_past_the_flood_limit_unproved_reports_are_accepted_but_set_aside(db: Any, school_a: Entity, settings: Any) -> None:
    settings.EGIDE_REPORT_HOURLY_LIMIT_WITHOUT_PROOF = 2
    for letter in "abc":
        response = Client().post(url("start"), answers(school_a, submission_token=token(letter), pow_nonce=""))
        assert response.status_code == 200 and response.context["ack"].code  # nobody is turned away
    statuses = list(Report.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["received", "received", "set_aside"]
    proved = post_report(Client(), school_a, submission_token=token("z"))
    assert proved.context["ack"].code and Report.objects.get(proof_of_work=True).status == "received"


def test_the_flood_limit_counts_per_entity(db: Any, school_a: Entity, school_b: Entity, settings: Any) -> None:
    settings.EGIDE_REPORT_HOURLY_LIMIT_WITHOUT_PROOF = 1
    post_report(Client(), school_a, submission_token=token("g"), pow_nonce="")
    post_report(Client(), school_a, submission_token=token("h"), pow_nonce="")
    post_report(Client(), school_b, submission_token=token("i"), pow_nonce="")
    assert list(Report.objects.filter(status="set_aside").values_list("entity__code", flat=True)) == [school_a.code]


def test_during_a_flood_new_pages_ask_a_harder_proof_of_work(db: Any, school_a: Entity, settings: Any) -> None:
    settings.EGIDE_REPORT_HOURLY_LIMIT = 1
    settings.EGIDE_REPORT_POW_FLOOD_EXTRA_BITS = 4
    before = Client().post(url("start"), answers(school_a, step="you", action="next")).context["pow_bits"]
    post_report(Client(), school_a, submission_token=token("j"))
    page = Client().post(url("start"), answers(school_a, step="you", action="next", submission_token=token("k")))
    assert page.context["pow_bits"] == before + 4
    # A challenge solved at the old difficulty no longer counts as proof; the report is still accepted.
    assert Client().post(url("start"), answers(school_a, submission_token=token("l"))).context["ack"].code
    assert list(Report.objects.order_by("pk").values_list("proof_of_work", flat=True)) == [True, False]


# --- Acknowledgement ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "received", "follow_up_words"), [("en", "Received on", "follow-up space"), ("fr", "Reçu le", "espace de suivi")]
)
def test_the_acknowledgement_shows_reference_date_and_code(
    db: Any, school_a: Entity, lang: str, received: str, follow_up_words: str
) -> None:
    client = Client()
    response = post_report(client, school_a, lang=lang)
    assert response.status_code == 200
    report = Report.objects.get()
    html = content_of(response)
    ack = response.context["ack"]
    assert ack.reference == report.reference
    assert re.fullmatch(r"TELECOM-PARIS-\d{4}-[0-9A-Z]{6}", report.reference)
    assert report.reference in html
    assert CODE_PATTERN.fullmatch(ack.code)
    assert f'<p class="code" id="follow-up-code">{ack.code}</p>' in html
    with translation.override(lang):
        shown_date = date_format(timezone.localtime(ack.received_at), "DATETIME_FORMAT")
    assert f"<dt>{received}</dt><dd>{shown_date}</dd>" in html
    assert ack.ack_due == report.ack_due and ack.ack_due > timezone.localdate()
    system = Message.objects.get(report=report)
    assert system.author == "system"
    text, _moment = open_message(data_key_for(ack.code, report), system)
    assert report.reference in text
    assert follow_up_words in text
    assert ack.ack_due.strftime("%d/%m/%Y") in text
    assert timezone.localtime(ack.received_at).strftime("%d/%m/%Y") in text
    # The same text is the first message of the follow-up space.
    open_space(client, ack.code)
    space = client.get(url("space"))
    assert space.context["messages"][0]["author"] == "system"
    assert space.context["messages"][0]["text"] == text


# --- Follow-up ----------------------------------------------------------------------------------


@pytest.fixture
def filed(db: Any, school_a: Entity) -> tuple[Report, str]:
    response = post_report(Client(), school_a, submission_token=token("k"))
    return Report.objects.get(reference=response.context["ack"].reference), code_of(response)


@pytest.mark.parametrize(
    "typing", [str, str.lower, lambda code: code.replace("-", " ").lower(), lambda code: "  " + code.replace("-", "") + " "]
)
def test_the_code_opens_the_space_however_it_is_typed(filed: tuple[Report, str], typing: Any) -> None:
    report, code = filed
    client = Client()
    response = open_space(client, typing(code))
    assert response["Location"] == url("space")
    space = client.get(url("space"))
    assert space.status_code == 200 and space.context["report"] == report


def test_a_wrong_code_is_refused(filed: tuple[Report, str]) -> None:
    response = Client().post(url("follow_up"), {"code": "0000-0000-0000-0000"})
    assert response.status_code == 200
    assert "This code does not open any report" in content_of(response)
    assert FOLLOWUP_COOKIE not in response.cookies


def test_wrong_codes_are_throttled_per_address_without_storing_it(filed: tuple[Report, str], settings: Any) -> None:
    _report, code = filed
    address, other = "203.0.113.77", "198.51.100.23"
    client = Client(REMOTE_ADDR=address)
    for _attempt in range(settings.EGIDE_FOLLOWUP_MAX_FAILURES):
        wrong = client.post(url("follow_up"), {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
        assert "This code does not open any report" in content_of(wrong)
    refused = client.post(url("follow_up"), {"code": code})
    assert refused.status_code == 200
    assert "Too many wrong codes" in content_of(refused)
    assert FOLLOWUP_COOKIE not in refused.cookies
    assert client.get(url("space")).status_code == 302
    assert Client(REMOTE_ADDR=other).post(url("follow_up"), {"code": code}).status_code == 302
    rows = list(ThrottleCounter.objects.values())
    assert rows
    for row in rows:
        stored = " ".join(str(value) for value in row.values())
        assert address not in stored and other not in stored
        assert "followup" not in stored


def test_a_right_code_does_not_clear_the_count_of_wrong_ones(filed: tuple[Report, str], school_a: Entity, settings: Any) -> None:
    own_code = code_of(post_report(Client(), school_a, submission_token=token("w")))  # the prober's own report
    prober = Client(REMOTE_ADDR="203.0.113.50")
    for _attempt in range(settings.EGIDE_FOLLOWUP_MAX_FAILURES - 1):
        prober.post(url("follow_up"), {"code": crypto_new_code()})
    open_space(prober, own_code)  # a valid code of one's own still opens...
    prober.post(url("follow_up"), {"code": crypto_new_code()})
    # ...but does not clear the count: the tenth wrong code within the window blocks the next attempt.
    response = prober.post(url("follow_up"), {"code": own_code})
    assert "Too many wrong codes" in content_of(response)


def test_wrong_codes_of_one_visitor_do_not_lock_out_every_reporter_behind_the_proxy(
    filed: tuple[Report, str], settings: Any
) -> None:
    _report, code = filed
    proxy = "127.0.0.1"  # what gunicorn sees for every visitor behind deploy/nginx/egide.conf
    stranger = Client(REMOTE_ADDR=proxy)
    for _attempt in range(settings.EGIDE_FOLLOWUP_MAX_FAILURES):
        stranger.post(url("follow_up"), {"code": crypto_new_code()})
    reporter = Client(REMOTE_ADDR=proxy)
    response = reporter.post(url("follow_up"), {"code": code})
    assert response.status_code == 302, "the reporter was locked out by someone else's wrong codes"


def test_the_space_shows_status_and_messages(filed: tuple[Report, str]) -> None:
    report, code = filed
    client = Client()
    open_space(client, code)
    space = client.get(url("space"))
    html = content_of(space)
    assert space.context["status_label"] == "Received"
    assert "<strong>Received</strong>" in html
    assert report.reference in html
    assert len(space.context["messages"]) == 1 and report.reference in space.context["messages"][0]["text"]
    assert "Write to the référents" in html


def test_a_reply_with_a_file_is_stored_and_the_file_downloads(filed: tuple[Report, str], school_a: Entity) -> None:
    report, code = filed
    client = Client()
    open_space(client, code)
    payload = f"Je joins mes notes. {CANARY}-attached\n".encode()
    response = client.post(url("space"), {"text": f"{CANARY}-reply", "attachments": [text_file("mes notes.txt", payload)]})
    assert response.status_code == 302 and response["Location"] == url("space")
    message = Message.objects.get(report=report, author="reporter")
    attachment = Attachment.objects.get(report=report)
    assert attachment.message_id == message.pk and attachment.size == len(payload)
    space = client.get(url("space"))
    html = content_of(space)
    assert f"{CANARY}-reply" in html and "mes notes.txt" in html
    download = client.get(url("space_file", attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == payload  # type: ignore[attr-defined]
    assert download["Content-Length"] == str(len(payload))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith('attachment; filename="mes notes.txt"')
    # Another report's attachment is not reachable from this space.
    other = post_report(Client(), school_a, submission_token=token("o"), attachments=[text_file("autre.txt")])
    other_attachment = Attachment.objects.get(report__reference=other.context["ack"].reference)
    assert client.get(url("space_file", other_attachment.pk)).status_code == 404
    assert client.get(url("space_file", 987654)).status_code == 404
    assert Client().get(url("space_file", attachment.pk)).status_code == 302  # no session


def test_an_empty_reply_is_refused(filed: tuple[Report, str]) -> None:
    report, code = filed
    client = Client()
    open_space(client, code)
    response = client.post(url("space"), {"text": ""})
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert not Message.objects.filter(report=report, author="reporter").exists()


def test_leaving_ends_the_session(filed: tuple[Report, str]) -> None:
    _report, code = filed
    client = Client()
    open_space(client, code)
    assert FollowUpSession.objects.count() == 1
    response = client.post(url("leave"))
    assert response.status_code == 302 and response["Location"] == url("follow_up")
    cookie = response.cookies[FOLLOWUP_COOKIE]
    assert cookie.value == "" and cookie["max-age"] == 0
    assert FollowUpSession.objects.count() == 0
    space = client.get(url("space"))
    assert space.status_code == 302 and space["Location"] == url("follow_up")
    assert client.get(url("leave")).status_code == 405


def test_a_stolen_cookie_is_useless_after_leaving(filed: tuple[Report, str]) -> None:
    _report, code = filed
    client = Client()
    open_space(client, code)
    stolen = client.cookies[FOLLOWUP_COOKIE].value
    client.post(url("leave"))
    thief = Client()
    thief.cookies[FOLLOWUP_COOKIE] = stolen
    assert thief.get(url("space")).status_code == 302


def test_an_expired_session_is_sent_back_to_the_code_page(filed: tuple[Report, str]) -> None:
    _report, code = filed
    client = Client()
    open_space(client, code)
    assert client.get(url("space")).status_code == 200
    FollowUpSession.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(url("space"))
    assert response.status_code == 302 and response["Location"] == url("follow_up")
    assert response.cookies[FOLLOWUP_COOKIE].value == ""


def test_a_tampered_cookie_opens_nothing(filed: tuple[Report, str]) -> None:
    _report, code = filed
    client = Client()
    open_space(client, code)
    session_id, _dot, key = client.cookies[FOLLOWUP_COOKIE].value.partition(".")
    for value in [f"{session_id}.{'A' * len(key)}", f"{session_id}.", f"{session_id}.!!!", "garbage", f"x{session_id}.{key}"]:
        other = Client()
        other.cookies[FOLLOWUP_COOKIE] = value
        assert other.get(url("space")).status_code == 302, value


def test_withdrawing_needs_confirmation_then_blocks_replies(filed: tuple[Report, str]) -> None:
    report, code = filed
    client = Client()
    open_space(client, code)
    assert client.get(url("withdraw")).status_code == 200
    unconfirmed = client.post(url("withdraw"), {"reason": "Je préfère en parler de vive voix."})
    assert unconfirmed.status_code == 200
    assert "confirm" in unconfirmed.context["form"].errors
    report.refresh_from_db()
    assert report.status == "received"
    confirmed = client.post(url("withdraw"), {"reason": f"{CANARY}-reason", "confirm": "on"})
    assert confirmed.status_code == 302 and confirmed["Location"] == url("space")
    report.refresh_from_db()
    assert report.status == "withdrawn" and report.withdrawn_on is not None
    space = client.get(url("space"))
    html = content_of(space)
    assert "Withdrawn by the reporter" in html
    assert "Write to the référents" not in html
    assert f"{CANARY}-reason" in space.context["messages"][-1]["text"]
    assert client.post(url("space"), {"text": "encore un mot"}).status_code == 404
    assert not Message.objects.filter(report=report, author="reporter").exists()
    assert client.get(url("withdraw")).status_code == 302  # nothing left to withdraw
    assert client.get(url("space")).status_code == 200  # messages can still be read


# --- Cookies ------------------------------------------------------------------------------------


def test_the_follow_up_cookie_is_httponly_and_strict_and_no_staff_session_is_made(db: Any, school_a: Entity) -> None:
    client = Client()
    responses = [client.get(url("start"))]
    responses.append(post_report(client, school_a))
    code = code_of(responses[-1])
    responses.append(client.get(url("follow_up")))
    opened = open_space(client, code)
    responses.append(opened)
    cookie = opened.cookies[FOLLOWUP_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["max-age"] == ""  # a browser-session cookie
    responses.append(client.get(url("space")))
    responses.append(client.post(url("space"), {"text": "Merci."}))
    responses.append(client.post(url("leave")))
    assert STAFF_COOKIE not in client.cookies
    for response in responses:
        assert STAFF_COOKIE not in response.cookies
        assert django_settings.EGIDE_VAULT_COOKIE_NAME not in response.cookies
