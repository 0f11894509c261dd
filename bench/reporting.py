"""Égide benchmark of the reporting side, through HTTP on gunicorn, as a reporter's browser uses it.

Run it with `.venv/bin/python bench/reporting.py` (`make bench` runs it after bench/run.py). It is a
measurement, not a test: it always exits 0 and prints its figures with PASS/FAIL against the targets.

Database: a throwaway SQLite database in a temporary folder by default; with DATABASE_URL set
(PostgreSQL), a database named egide_bench_reports on that server, dropped and created at each run.

What is measured, on this machine:
  (a) the vault's key derivation with the production parameters (Argon2id, 64 MiB, 4 passes): median
      of 10 derivations in this process (target: at least 100 ms, so guessing an 80-bit follow-up code
      offline is hopeless);
  (b) reports filed per second: 8 client threads, each loading the form (GET) then sending a complete
      report (POST, with the page's proof of work solved by the client) for SUBMIT_SECONDS, against
      gunicorn (2 workers x 4 threads); zero errors expected (target >= 8/s). The same run with the
      weakest key derivation is the baseline that shows what the rest of the request costs; the share
      of server CPU spent in key derivation is (reports x median derivation) / CPU of the workers;
  (c) follow-up sign-in: median time of the POST of a code (one key derivation) over 30 codes
      (target <= 0.5 s);
  (d) a 50 MB attachment sent with a report to a single-worker gunicorn: throughput, and the peak
      resident memory of the worker above its idle level (target < 100 MB).
The proof of work asked of clients is lowered to 8 bits here: in real use it is computed by the
reporter's device, not by this machine's two cores.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = 8
SUBMIT_SECONDS = 20.0
POW_BITS = 8
FOLLOW_UPS = 30
UPLOAD_BYTES = 50 * 1024 * 1024
RATE_TARGET = 8.0
KDF_TARGET_MS = 100.0
FOLLOW_UP_TARGET_S = 0.5
MEMORY_TARGET_MB = 100.0
BENCH_DATABASE = "egide_bench_reports"
ENTITY = "telecom-paris"
WEAK_KDF = {"EGIDE_VAULT_ARGON2_OPSLIMIT": "1", "EGIDE_VAULT_ARGON2_MEMLIMIT": "8192"}


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + BENCH_DATABASE))


def _recreate_postgres(url: str) -> None:
    import psycopg

    admin = urlsplit(url)._replace(path="/postgres")
    with psycopg.connect(urlunsplit(admin), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def _environment(data_dir: str) -> dict[str, str]:
    env = {
        **os.environ,
        "EGIDE_DATA_DIR": data_dir,
        "EGIDE_REPORT_POW_BITS": str(POW_BITS),
        "EGIDE_REPORT_HOURLY_LIMIT": "1000000",
        "EGIDE_REPORT_HOURLY_LIMIT_WITHOUT_PROOF": "1000000",
        "EGIDE_FOLLOWUP_MAX_FAILURES": "1000000",
        "EGIDE_LOG_LEVEL": "WARNING",
    }
    url = _database_url()
    if url:
        env["DATABASE_URL"] = url
    else:
        env.pop("DATABASE_URL", None)
    return env


def _prepare(env: dict[str, str]) -> None:
    """Migrate, then a référent with a personal key and an escrow key for the entity."""
    script = (
        "import django; django.setup()\n"
        "from egide.org.models import Entity, Person, RoleGrant, User\n"
        "from egide.org.roles import Role\n"
        "from egide.vault.services import escrow_key_create, handler_key_create\n"
        "import datetime\n"
        f"entity = Entity.objects.get(code={ENTITY!r})\n"
        "person = Person.objects.create(first_name='Bench', last_name='Referent', email='bench@example.org', "
        "population='staff_contract', entity=entity)\n"
        "RoleGrant.objects.create(person=person, role=Role.REFERENT_ECOUTE, entity=entity,\n"
        "    valid_from=datetime.date(2024, 1, 1))\n"
        "user = User.objects.create_user('bench@example.org', 'bench-password-2026', person=person)\n"
        "handler_key_create(user=user, secret='bench-password-2026', protection='password')\n"
        "escrow_key_create(entity=entity)\n"
    )
    python = str(ROOT / ".venv" / "bin" / "python")
    # Our own interpreter and script, no outside input.
    subprocess.run([python, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    subprocess.run([python, "-c", script], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "egide.settings"}, check=True)  # noqa: S603


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = _free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "egide.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--timeout",
        "120",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _body, _cookies = Browser(port).request("GET", "/en/report/")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@dataclass
class Browser:
    """Just enough of a browser: cookies, the CSRF token of the last page."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        all_headers = {"Host": "127.0.0.1", "Referer": f"http://127.0.0.1:{self.port}{path}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, text, self.cookies

    def form_token(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match.group(1) if match else ""


def _answers(html: str, browser: Browser, entity_id: str) -> dict[str, Any]:
    from egide.reports import proof

    token = secrets.token_urlsafe(32)
    challenge = proof.new_challenge(token)  # same secret key: signed as the server would
    nonce = _solve(challenge)
    return {
        "csrfmiddlewaretoken": browser.form_token(html),
        "step": "send",
        "action": "send",
        "submission_token": token,
        "pow_challenge": challenge,
        "pow_nonce": nonce,
        "danger_now": "no",
        "entity": entity_id,
        "reporter_role": "victim",
        "population": "student",
        "narrative": "A teacher keeps commenting on my appearance during practical sessions. " * 8,
        "categories": ["sexual_harassment", "sexist_behaviour"],
        "when_kind": "period",
        "when_start": "2026-09-01",
        "where": "campus",
        "author_relation": "teacher",
        "author_named": "no",
        "witnesses": "yes",
        "wishes": ["talk", "report"],
        "mode": "anonymous",
        "notice_read": "on",
    }


def _solve(challenge: str) -> str:
    import hashlib

    from egide.reports.proof import leading_zero_bits

    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < POW_BITS:
        nonce += 1
    return str(nonce)


CODE = re.compile(r'id="follow-up-code"[^>]*>([0-9A-Z-]+)<')


def file_report(port: int, entity_id: str) -> tuple[bool, str, float]:
    browser = Browser(port)
    status, html, _cookies = browser.request("GET", "/en/report/")
    if status != 200:
        return False, "", 0.0
    body = urlencode(_answers(html, browser, entity_id), doseq=True)
    started = time.perf_counter()
    status, html, _cookies = browser.request("POST", "/en/report/", body, {"Content-Type": "application/x-www-form-urlencoded"})
    elapsed = time.perf_counter() - started
    match = CODE.search(html)
    return status == 200 and match is not None, match.group(1) if match else "", elapsed


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that are still alive (the gunicorn workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        pass
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


@dataclass
class RateResult:
    reports: int
    errors: int
    seconds: float
    latencies: list[float]
    cpu: float
    codes: list[str]

    @property
    def rate(self) -> float:
        return self.reports / self.seconds


def submit_for(port: int, process: subprocess.Popen[bytes], entity_id: str, seconds: float) -> RateResult:
    lock = threading.Lock()
    latencies: list[float] = []
    codes: list[str] = []
    errors = 0
    stop = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        while time.monotonic() < stop:
            try:
                ok, code, elapsed = file_report(port, entity_id)
            except OSError:
                ok, code, elapsed = False, "", 0.0
            with lock:
                if ok:
                    latencies.append(elapsed)
                    codes.append(code)
                else:
                    errors += 1

    cpu_before = _cpu_seconds(process.pid)
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return RateResult(len(latencies), errors, wall, latencies, _cpu_seconds(process.pid) - cpu_before, codes)


def follow_up_times(port: int, codes: list[str]) -> list[float]:
    times = []
    for code in codes[:FOLLOW_UPS]:
        browser = Browser(port)
        _status, html, _cookies = browser.request("GET", "/en/follow-up/")
        body = urlencode({"csrfmiddlewaretoken": browser.form_token(html), "code": code.lower()})
        started = time.perf_counter()
        status, _html, _cookies = browser.request(
            "POST", "/en/follow-up/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        times.append(time.perf_counter() - started)
        if status != 302:
            raise RuntimeError(f"follow-up sign-in answered {status}")
    return times


def kdf_median_ms(opslimit: int, memlimit: int) -> float:
    from egide.vault import crypto

    params = crypto.KdfParams(opslimit=opslimit, memlimit=memlimit)
    samples = []
    for _index in range(10):
        started = time.perf_counter()
        crypto.derive("ABCD-EFGH-JKMN-PQRS", b"0123456789abcdef", params)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _rss_kb(pid: int) -> int:
    total = 0
    try:
        children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
    for each in children:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def _multipart(fields: dict[str, Any], file_path: Path, boundary: str) -> tuple[list[bytes], int]:
    head = b""
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            head += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode()
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="recording.mp3"\r\n'.encode()
    head += b"Content-Type: audio/mpeg\r\n\r\n"
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = file_path.stat().st_size
    return [head, tail], len(head) + size + len(tail)


def upload_50mb(port: int, process: subprocess.Popen[bytes], entity_id: str, folder: Path) -> tuple[float, float, bool]:
    file_path = folder / "recording.mp3"
    with file_path.open("wb") as handle:
        handle.write(b"ID3\x04\x00\x00\x00\x00\x00\x00")
        remaining = UPLOAD_BYTES - 10
        while remaining > 0:
            chunk = os.urandom(min(remaining, 1024 * 1024))
            handle.write(chunk)
            remaining -= len(chunk)
    file_report(port, entity_id)  # warm the worker up
    idle = _rss_kb(process.pid)
    peak = idle
    sampling = True

    def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, _rss_kb(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    browser = Browser(port)
    _status, html, _cookies = browser.request("GET", "/en/report/")
    boundary = "egide" + secrets.token_hex(8)
    (head, tail), length = _multipart(_answers(html, browser, entity_id), file_path, boundary)

    def body() -> Iterator[bytes]:
        yield head
        with file_path.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                yield chunk
        yield tail

    started = time.perf_counter()
    status, page, _cookies = browser.request(
        "POST",
        "/en/report/",
        body(),
        {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)},
    )
    elapsed = time.perf_counter() - started
    sampling = False
    sampler.join()
    ok = status == 200 and CODE.search(page) is not None
    return UPLOAD_BYTES / (1024 * 1024) / elapsed, (peak - idle) / 1024, ok


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egide.settings")
    with tempfile.TemporaryDirectory(prefix="egide-bench-") as folder:
        env = _environment(folder)
        url = _database_url()
        if url:
            _recreate_postgres(url)
        os.environ.update({key: env[key] for key in ("EGIDE_DATA_DIR",)})
        if url:
            os.environ["DATABASE_URL"] = url
        import django

        django.setup()
        from django.conf import settings

        from egide.org.models import Entity

        _prepare(env)
        entity_id = str(Entity.objects.get(code=ENTITY).pk)
        kdf_ms = kdf_median_ms(settings.EGIDE_VAULT_ARGON2_OPSLIMIT, settings.EGIDE_VAULT_ARGON2_MEMLIMIT)
        print(f"Égide reporting benchmark — database: {'PostgreSQL' if url else 'SQLite'}; {os.cpu_count()} cores")
        print(
            f"(a) Argon2id {settings.EGIDE_VAULT_ARGON2_MEMLIMIT // (1024 * 1024)} MiB, "
            f"{settings.EGIDE_VAULT_ARGON2_OPSLIMIT} passes: median {kdf_ms:.0f} ms  "
            f"[target >= {KDF_TARGET_MS:.0f} ms: {_verdict(kdf_ms >= KDF_TARGET_MS)}]"
        )
        results: dict[str, RateResult] = {}
        for label, extra in (("production key derivation", {}), ("baseline: weakest key derivation", WEAK_KDF)):
            with gunicorn({**env, **extra}, workers=2, threads=4) as (port, process):
                results[label] = submit_for(port, process, entity_id, SUBMIT_SECONDS)
        production = results["production key derivation"]
        for label, result in results.items():
            latencies = sorted(result.latencies)
            p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0
            print(
                f"(b) {label}: {result.reports} reports in {result.seconds:.1f} s = {result.rate:.1f}/s, "
                f"{result.errors} errors, POST median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                f"server CPU {result.cpu:.1f} s"
            )
        share = production.reports * kdf_ms / 1000 / production.cpu if production.cpu else 0.0
        print(
            f"    production: {_verdict(production.rate >= RATE_TARGET and production.errors == 0)} "
            f"(target >= {RATE_TARGET:.0f}/s with 0 errors); key derivation = {share:.0%} of the workers' CPU "
            f"({production.reports} x {kdf_ms:.0f} ms of {production.cpu:.1f} s)"
        )
        with gunicorn(env, workers=1, threads=1) as (port, process):
            times = follow_up_times(port, production.codes)
            median = statistics.median(times)
            print(
                f"(c) follow-up sign-in with a code: median {median * 1000:.0f} ms over {len(times)}, "
                f"max {max(times) * 1000:.0f} ms  [target <= {FOLLOW_UP_TARGET_S * 1000:.0f} ms: "
                f"{_verdict(median <= FOLLOW_UP_TARGET_S)}]"
            )
            throughput, peak_mb, ok = upload_50mb(port, process, entity_id, Path(folder))
            verdict = _verdict(ok and peak_mb < MEMORY_TARGET_MB)
            print(
                f"(d) 50 MB attachment: {'stored' if ok else 'FAILED'}, {throughput:.1f} MB/s end to end, worker peak "
                f"+{peak_mb:.0f} MB above idle (Argon2id's 64 MiB included)  [target < {MEMORY_TARGET_MB:.0f} MB: {verdict}]"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
