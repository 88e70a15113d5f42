"""The soak test's virtual users: a separate process, standard library only.

    python bench/soak_users.py PLAN.json RESULTS.json

Reads the plan ``bench/soak.py`` wrote (base URL, tenant, duration, think
time and one entry per user: e-mail, password, role, an optional TOTP key
and the ids it works with), runs one thread per user against the server on
loopback until the duration is over, and writes every request's latency and
status plus what each user did and was told.

Each user logs in through the real login form (and a one-time-code step
when the server asks for one, see ``login``), then works like its role:

- leidinggevende: reports an employee of the team sick (the ziekmelding
  form, with its CSRF token) and later reports recovery, full or partial;
- casemanager: opens the task queue with changing filters, completes own
  tasks the way the page does (HTMX), opens case timelines;
- hr: opens the case list and a case page, downloads document PDFs and
  checks their bytes.

Bounded: every user stops at the deadline; every request has a timeout.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import http.client
import json
import random
import re
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

TIMEOUT = 30
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Names a one-time-code field may have (django-otp, django-two-factor-auth
# and plain forms); a field whose name ends in ``otp_token`` counts too.
OTP_FIELD_NAMES = ("otp_token", "token", "code", "otp", "totp", "verification_code")
CASE_URL = re.compile(r"/dossiers/(\d+)/")
TASK_ROW = re.compile(r'id="task-(\d+)"')
PDF_LINK = re.compile(r"/documenten/(\d+)/pdf/")


# --- one-time codes -----------------------------------------------------------------


def totp(key: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code (HMAC-SHA1) for a hex key, as django-otp's TOTPDevice
    stores it; base32 keys (authenticator apps) are accepted as well."""
    try:
        secret = bytes.fromhex(key)
    except ValueError:
        secret = base64.b32decode(key.upper() + "=" * (-len(key) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


# --- HTML forms ---------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (name, type)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            form.inputs.append((name, kind))
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
                form.options.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "image", "file"):
                form.fields.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            form.options[name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form.options[self._select].append(value)
            if "selected" in a or self._select not in form.fields:
                form.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def post_form(html: str, path: str = "") -> Form | None:
    """The page's own POST form: one with a CSRF token that posts to the
    page itself (or ``path``), not the language switcher in the header."""
    candidates = [
        form
        for form in forms_in(html)
        if form.method == "post"
        and "csrfmiddlewaretoken" in form.fields
        and "/i18n/" not in form.action
    ]
    for form in candidates:
        if form.action in ("", path) or "password" in form.fields:
            return form
    return candidates[0] if candidates else None


def otp_field(form: Form) -> str | None:
    for name, kind in form.inputs:
        if kind in ("hidden", "password", "checkbox", "radio"):
            continue
        if name in OTP_FIELD_NAMES or name.endswith("otp_token"):
            return name
    return None


# --- a browser ----------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        """The redirect target as a path on this server (with its query)."""
        parts = urlsplit(self.headers.get("Location", ""))
        return parts.path + (f"?{parts.query}" if parts.query else "")


class Recorder:
    """Every request's (seconds since start, kind, ms, status, ok), shared by
    all users, plus the first error details."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.samples: list[tuple[float, str, float, int, bool]] = []
        self.errors: list[dict[str, Any]] = []
        self.error_count = 0
        self.lock = threading.Lock()

    def add(self, kind: str, ms: float, status: int, ok: bool, detail: str) -> None:
        t = round(time.monotonic() - self.started, 3)
        with self.lock:
            self.samples.append((t, kind, round(ms, 2), status, ok))
            if not ok:
                self.error_count += 1
                if len(self.errors) < 200:
                    self.errors.append(
                        {"t": t, "kind": kind, "status": status, "detail": detail}
                    )


class Browser:
    """One user's keep-alive connection and cookie jar."""

    def __init__(
        self, base: str, recorder: Recorder, user: str, timeout: float = TIMEOUT
    ) -> None:
        parts = urlsplit(base)
        self.timeout = timeout
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.base = base.rstrip("/")
        self.recorder = recorder
        self.user = user
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return self.conn

    def _store_cookies(self, headers: http.client.HTTPMessage) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            name, _, value = pair.partition("=")
            expired = "max-age=0" in header.lower() or not value or value == '""'
            if expired:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
        check: Any = None,
    ) -> Response | None:
        """One request; recorded as ``kind``. Returns None on a connection
        error or an unexpected status (recorded as errors)."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = self.base + path
            sent["Origin"] = self.base
        start = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            payload = raw.read()
        except (OSError, http.client.HTTPException) as exc:
            ms = (time.perf_counter() - start) * 1000
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            self.recorder.add(kind, ms, 0, False, f"{self.user} {path}: {exc!r}")
            return None
        ms = (time.perf_counter() - start) * 1000
        response = Response(raw.status, raw.headers, payload)
        if raw.will_close:
            conn.close()
            self.conn = None
        self._store_cookies(raw.headers)
        problem = ""
        if response.status not in expect:
            problem = f"status {response.status}, expected {expect}"
        elif check is not None:
            problem = check(response) or ""
        detail = ""
        if problem:
            excerpt = re.sub(r"\s+", " ", response.text[:2000])
            errors = re.findall(r'class="errorlist[^"]*">(.*?)</ul>', response.text)
            detail = f"{self.user} {method} {path}: {problem} {errors[:2]} {excerpt}"
        self.recorder.add(kind, ms, response.status, not problem, detail[:1500])
        return None if problem else response

    def get(self, kind: str, path: str, **kwargs: Any) -> Response | None:
        return self.request(kind, "GET", path, **kwargs)

    def post(
        self, kind: str, path: str, data: dict[str, str], **kwargs: Any
    ) -> Response | None:
        return self.request(kind, "POST", path, data=data, **kwargs)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _no_form_errors(response: Response) -> str:
    return "form error" if 'class="errorlist' in response.text else ""


# --- users --------------------------------------------------------------------------


class User:
    """A person at work: log in, then repeat the role's steps until the end."""

    def __init__(
        self,
        spec: dict[str, Any],
        plan: dict[str, Any],
        recorder: Recorder,
        results: dict[str, list],
        index: int,
    ) -> None:
        self.spec = spec
        self.email = spec["email"]
        self.tenant_path = f"/t/{plan['tenant']}/"
        self.browser = Browser(
            plan["base"], recorder, self.email, float(plan.get("timeout", TIMEOUT))
        )
        self.rng = random.Random(index)
        self.think_mean = float(plan["think"])
        self.deadline = 0.0
        self.results = results
        self.lock = threading.Lock()

    # helpers
    def think(self) -> None:
        if self.think_mean > 0:
            pause = min(self.rng.expovariate(1 / self.think_mean), 10 * self.think_mean)
            time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))

    def alive(self) -> bool:
        return time.monotonic() < self.deadline

    def record(self, what: str, item: dict[str, Any]) -> None:
        with self.lock:
            self.results[what].append(item)

    @staticmethod
    def today() -> dt.date:
        return dt.datetime.now(AMSTERDAM).date()

    def login(self) -> bool:
        """The real login form; then, if the server asks for a one-time code
        (a form with an OTP field, on the login page itself or on the page
        the login leads to), the TOTP code of the user's known key. This is
        the hook for two-factor authentication: the seeded users' devices
        have the keys in the plan (``totp_key``)."""
        current = "/accounts/login/"
        page = self.browser.get("login_page", current)
        form = post_form(page.text) if page else None
        if form is None:
            return False
        data = {
            **form.fields,
            "username": self.email,
            "password": self.spec["password"],
        }
        name = otp_field(form)
        if name:
            data[name] = totp(self.spec.get("totp_key") or "")
        response = self.browser.post(
            "login", form.action or current, data, expect=(302,)
        )
        for _step in range(6):
            if response is None:
                return False
            if response.status in (301, 302, 303):
                current = response.location
                response = self.browser.get(
                    "login_redirect", current, expect=(200, 302)
                )
                continue
            form = post_form(response.text)
            name = otp_field(form) if form else None
            if form is None or name is None:
                break
            key = self.spec.get("totp_key")
            if not key:
                self.browser.recorder.add(
                    "login_otp", 0, 0, False, f"{self.email}: asked a code, no key"
                )
                return False
            response = self.browser.post(
                "login_otp",
                form.action or current,
                {**form.fields, name: totp(key)},
                expect=(302,),
            )
        if response is None or 'name="password"' in response.text:
            self.browser.recorder.add(
                "login", 0, 0, False, f"{self.email}: still on the login page"
            )
            return False
        return True

    def run(self, start_at: float, deadline: float) -> None:
        self.deadline = deadline
        time.sleep(max(0.0, start_at - time.monotonic()))
        try:
            if not self.login():
                return
            while self.alive():
                self.think()
                if not self.alive():
                    break
                self.step()
        except Exception:  # a bug in the driver is an error, not a crash
            self.browser.recorder.add(
                "driver", 0, 0, False, f"{self.email}: {traceback.format_exc()}"
            )
        finally:
            self.browser.close()

    def step(self) -> None:
        raise NotImplementedError


class Manager(User):
    """Reports sickness of team members and, later, their recovery."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = list(self.spec["employees"])
        self.rng.shuffle(self.pool)
        self.open: list[dict[str, Any]] = []

    def step(self) -> None:
        roll = self.rng.random()
        if self.pool and roll < 0.5:
            self.ziekmelding()
        elif self.open and roll < 0.85:
            self.recovery()
        else:
            self.browser.get("team_page", self.tenant_path)

    def ziekmelding(self) -> None:
        path = f"{self.tenant_path}ziekmelden/"
        page = self.browser.get("ziekmelding_form", path)
        form = post_form(page.text, path) if page else None
        if form is None:
            return
        employee = self.pool.pop()
        if str(employee) not in form.options.get("employee", []):
            self.browser.recorder.add(
                "ziekmelding_form", 0, 200, False, f"{employee} not offered"
            )
            return
        self.think()
        first_sick_day = self.today() - dt.timedelta(
            days=self.rng.choice((0, 0, 0, 1, 1, 2, 3))
        )
        data = {
            **form.fields,
            "employee": str(employee),
            "first_sick_day": first_sick_day.isoformat(),
            "expected_duration": self.rng.choice(("unknown", "days", "weeks", "long")),
            "accident_or_third_party": "False",
            "work_possible": self.rng.choice(("True", "False")),
            "reachable_phone": "06-12345678",
            "agreements": "Ik bel vrijdag om te horen hoe het gaat.",
        }

        def redirected_to_case(response: Response) -> str:
            return "" if CASE_URL.search(response.location) else "no case URL"

        response = self.browser.post(
            "ziekmelding_submit", path, data, expect=(302,), check=redirected_to_case
        )
        report: dict[str, Any] = {"employee": employee, "user": self.email}
        if response is None:
            report["ok"] = False
            self.record("reports", report)
            return
        case_id = int(CASE_URL.search(response.location).group(1))
        report.update(ok=True, case=case_id, first_sick_day=first_sick_day.isoformat())
        self.record("reports", report)
        self.open.append({"case": case_id, "partial": False})
        self.browser.get("case_page", response.location)

    def recovery(self) -> None:
        case = self.rng.choice(self.open)
        path = f"{self.tenant_path}dossiers/{case['case']}/hersteldmelden/"
        page = self.browser.get("hersteldmelding_form", path)
        form = post_form(page.text, path) if page else None
        if form is None:
            return
        self.think()
        today = self.today()
        full = case["partial"] or self.rng.random() < 0.75
        if full:
            day = today + dt.timedelta(days=1)
            data = {**form.fields, "kind": "full", "effective_date": day.isoformat()}
            percentage = 100
        else:
            day, percentage = today, 50
            data = {
                **form.fields,
                "kind": "partial",
                "effective_date": day.isoformat(),
                "percentage_fit": str(percentage),
            }
        response = self.browser.post(
            "hersteldmelding_submit", path, data, expect=(302,)
        )
        self.record(
            "recoveries",
            {
                "case": case["case"],
                "full": full,
                "date": day.isoformat(),
                "percentage": percentage,
                "ok": response is not None,
            },
        )
        if response is None:
            self.open.remove(case)
            return
        if full:
            self.open.remove(case)
        else:
            case["partial"] = True
        self.browser.get("case_page", response.location)


class Casemanager(User):
    """Works the task queue: filters, completes own tasks, opens timelines."""

    BUCKETS = ("overdue", "today", "week", "later")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.done: set[int] = set()
        self.case_ids: list[int] = []
        self.employers = [str(e) for e in self.spec["employers"]]
        self.surnames = self.spec.get("search", ["Jansen"])

    def queue_path(self, **params: str) -> str:
        return f"{self.tenant_path}taken/?{urlencode(params)}"

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.4:
            self.browse()
        elif roll < 0.85:
            self.complete()
        elif self.case_ids:
            case = self.rng.choice(self.case_ids)
            self.browser.get(
                "case_timeline", f"{self.tenant_path}dossiers/{case}/termijnen/"
            )
        else:
            self.browse()

    def _remember(self, response: Response) -> None:
        ids = [int(m) for m in CASE_URL.findall(response.text)]
        if ids:
            self.case_ids = ids[:25]

    def browse(self) -> None:
        params = {
            "bak": self.rng.choice(self.BUCKETS),
            "uitvoerder": self.rng.choice(("me", "me", "all", "none")),
        }
        if self.rng.random() < 0.4:
            params["werkgever"] = self.rng.choice(self.employers)
        if self.rng.random() < 0.2:
            params["zoek"] = self.rng.choice(self.surnames)
        if self.rng.random() < 0.2:
            params["page"] = "2"
        response = self.browser.get("queue_filtered", self.queue_path(**params))
        if response is not None:
            self._remember(response)

    def complete(self) -> None:
        for bucket in self.BUCKETS:
            queue_url = self.queue_path(bak=bucket, uitvoerder="me")
            response = self.browser.get("queue", queue_url)
            if response is None:
                return
            self._remember(response)
            ids = [int(i) for i in TASK_ROW.findall(response.text)]
            ids = [i for i in ids if i not in self.done]
            if ids:
                break
        else:
            return
        task = self.rng.choice(ids[:10])
        path = f"{self.tenant_path}taken/{task}/afronden/"
        htmx = {
            "HX-Request": "true",
            "HX-Current-URL": self.browser.base + queue_url,
            "HX-Target": f"task-{task}",
        }
        row = self.browser.get("task_form", path, headers=htmx)
        form = post_form(row.text, path) if row else None
        if form is None:
            return
        self.think()
        response = self.browser.post(
            "task_complete",
            path,
            {**form.fields, "note": "Gebeld; afspraken vastgelegd."},
            headers=htmx,
            check=_no_form_errors,
        )
        self.done.add(task)
        self.record(
            "completions",
            {"task": task, "user": self.email, "ok": response is not None},
        )


class Hr(User):
    """Opens the employer's cases and downloads their documents."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = list(self.spec["cases"])
        self.pending: list[str] = []

    def step(self) -> None:
        if self.pending and self.rng.random() < 0.5:
            self.download(self.pending.pop(0))
        elif not self.cases or self.rng.random() < 0.2:
            self.browser.get("hr_cases", self.tenant_path)
        else:
            case = self.rng.choice(self.cases)
            page = self.browser.get(
                "hr_case_page", f"{self.tenant_path}dossiers/{case}/"
            )
            links = sorted(set(PDF_LINK.findall(page.text))) if page else []
            if links:
                self.think()
                self.download(
                    f"{self.tenant_path}documenten/{self.rng.choice(links)}/pdf/"
                )

    def download(self, path: str) -> None:
        def is_pdf(response: Response) -> str:
            if response.status == 202:
                return ""
            kind = response.headers.get("Content-Type", "")
            if kind != "application/pdf" or not response.body.startswith(b"%PDF"):
                return f"not a PDF ({kind})"
            return ""

        response = self.browser.get(
            "document_pdf", path, expect=(200, 202), check=is_pdf
        )
        if response is None:
            return
        if response.status == 202:
            self.pending.append(path)
            return
        self.record(
            "downloads",
            {
                "document": int(path.rstrip("/").split("/")[-2]),
                "sha256": hashlib.sha256(response.body).hexdigest(),
            },
        )


ROLES = {"leidinggevende": Manager, "casemanager": Casemanager, "hr": Hr}


def run(plan: dict[str, Any]) -> dict[str, Any]:
    started = time.monotonic()
    recorder = Recorder(started)
    results: dict[str, list] = {
        "reports": [],
        "recoveries": [],
        "completions": [],
        "downloads": [],
    }
    users = [
        ROLES[spec["role"]](spec, plan, recorder, results, index)
        for index, spec in enumerate(plan["users"])
    ]
    ramp = float(plan.get("ramp", 10))
    deadline = started + ramp + float(plan["seconds"])
    threads = []
    for index, user in enumerate(users):
        start_at = started + ramp * index / max(1, len(users))
        thread = threading.Thread(target=user.run, args=(start_at, deadline))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(
            timeout=deadline
            - time.monotonic()
            + 2 * float(plan.get("timeout", TIMEOUT))
            + 30
        )
    hung = sum(thread.is_alive() for thread in threads)
    return {
        **results,
        "samples": recorder.samples,
        "errors": recorder.errors,
        "error_count": recorder.error_count,
        "hung_users": hung,
        "seconds": round(time.monotonic() - started, 1),
        "ramp": ramp,
    }


def main() -> None:
    plan_path, results_path = sys.argv[1], sys.argv[2]
    with open(plan_path) as handle:
        plan = json.load(handle)
    results = run(plan)
    with open(results_path, "w") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main()
