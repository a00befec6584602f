"""`python -m benchmarks meeting-day [--database-url URL] [--practitioners 10 30] [--client protocol|browser]`: a
real supervision meeting on one app server.

The real app (`fsdash run`) serves `county` data. First the chair and 30 practitioners all sit on the Meeting page
for `--watch-seconds` (default 60) and nobody does anything: the server's CPU a minute, and per run of the pages'
timers (a live refresh check or an idle check), is what an idle meeting costs. Then one chair watches the
Meeting page (it refreshes by itself) while N practitioners, each in a session of their own, open the Rate page
and save every child's rating at about the same moment. The sessions speak Streamlit's protocol
(benchmarks/streamlit_protocol.py), so only the server works; with `--client browser` they are Chromium contexts
on the same machine, whose drawing competes with the server for the CPU. For each N the table shows:

- save latency, click to confirmation (median and 95th percentile);
- how long after the last confirmation the chair's screen showed every new rating;
- the app server's CPU seconds per minute, its CPU per save (everything it did in the run, the chair's refreshes
  included, divided by the saves), and its resident memory (total, and per signed-in session);
- ratings wrong: every choice confirmed on screen compared with the database afterwards (must be 0); and for saves
  whose confirmation did not come within a minute, how many of their children were stored all the same.

Only the server process is measured for CPU and memory, never the clients. The practitioners are added to the
busiest team for the run (new accounts working with some of its families), so every run starts with nobody rated.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import Engine, func, select

from benchmarks.streamlit_protocol import Session, choice, text
from benchmarks.timing import print_table
from db.models import Family, Involvement, Meeting, Rating, User
from db.queries.rating_form import rating_form
from db.session import make_engine, reading, transaction
from risk.vocabulary import RAG, RATINGS, MeetingStatus, Role
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "meeting-day-benchmark-password"
FAMILIES_EACH = 6
SPECIALISTS = [
    Role.SOCIAL_WORKER,
    Role.FAMILY_SUPPORT_WORKER,
    Role.DOMESTIC_ABUSE_PRACTITIONER,
    Role.DOMESTIC_ABUSE_OFFICER,
    Role.SUBSTANCE_MISUSE_WORKER,
    Role.MENTAL_HEALTH_PRACTITIONER,
]
STILL_TO_COME = re.compile(r"(\d+) ratings? still to come")
CHOICE_WORDS = {rag: rag.label for rag in RATINGS}
CLIENTS = {
    "protocol": "sessions over Streamlit's protocol (the server alone)",
    "browser": "Chromium sessions on the same machine",
}


@dataclass
class Run:
    practitioners: int
    latencies: list[float] = field(default_factory=list)
    chosen: dict[tuple[str, str, int], RAG] = field(default_factory=dict)
    """(practitioner email, family reference, child position on the form) → colour clicked."""
    chair_caught_up: float | None = None
    cpu_per_minute: float = 0.0
    cpu_seconds: float = 0.0
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_sessions_mb: float = 0.0
    confirmed: set[tuple[str, str]] = field(default_factory=set)
    """(practitioner email, family reference) of every save whose confirmation was seen."""
    wrong: int = 0
    """Children of confirmed saves whose stored rating is not the colour clicked: must be 0."""
    unconfirmed_stored: int = 0
    unconfirmed_missing: int = 0
    """Children of saves not confirmed within a minute: stored all the same, or not stored."""
    refusals: Counter[str] = field(default_factory=Counter)
    """What the form said instead of a confirmation (protocol client), by message."""


# --- the data --------------------------------------------------------------------------------------------------


def _busiest_open_meeting(engine: Engine) -> tuple[int, int, str]:
    """(team id, meeting id, chair's email) of the open meeting with the most open families."""
    with reading(engine) as s:
        team_id, meeting_id = s.execute(
            select(Meeting.team_id, Meeting.id)
            .join(Family, Family.team_id == Meeting.team_id)
            .where(Meeting.status == MeetingStatus.OPEN, Family.closed_on.is_(None))
            .group_by(Meeting.team_id, Meeting.id)
            .order_by(func.count().desc(), Meeting.team_id)
            .limit(1)
        ).one()
        chair = s.scalars(
            select(User.email).where(User.team_id == team_id, User.role == Role.TEAM_MANAGER, User.active.is_(True))
        ).first()
    assert chair is not None, "the busiest team has no team manager"
    return team_id, meeting_id, chair


def _add_practitioners(engine: Engine, team_id: int, meeting_id: int, count: int, tag: str) -> list[str]:
    """New accounts in the team, each working with FAMILIES_EACH of its open families from before the meeting.
    The team's managers get the same password, so the chair can sign in too."""
    password_hash = PasswordHasher().hash(PASSWORD)
    emails = []
    with transaction(engine) as s:
        for manager in s.scalars(select(User).where(User.team_id == team_id, User.role == Role.TEAM_MANAGER)):
            manager.password_hash = password_hash
        meeting = s.get_one(Meeting, meeting_id)
        families = s.scalars(
            select(Family.id)
            .where(Family.team_id == team_id, Family.closed_on.is_(None), Family.opened_on < meeting.held_on)
            .order_by(Family.case_reference)
        ).all()
        for n in range(count):
            email = f"bench.{tag}.{n:02d}@example.org"
            user = User(
                display_name=f"Benchmark practitioner {tag}-{n:02d}",
                email=email,
                role=SPECIALISTS[n % len(SPECIALISTS)],
                team_id=team_id,
                password_hash=password_hash,
            )
            s.add(user)
            s.flush()
            for k in range(FAMILIES_EACH):
                family_id = families[(n * FAMILIES_EACH + k) % len(families)]
                s.add(
                    Involvement(
                        family_id=family_id,
                        practitioner_id=user.id,
                        started_on=meeting.held_on - dt.timedelta(days=60),
                    )
                )
            emails.append(email)
    return emails


def _check(engine: Engine, meeting_id: int, run: Run) -> None:
    """Every colour clicked compared with the rating stored, through the same form the browser showed."""
    with reading(engine) as s:
        users = {u.email: u for u in s.scalars(select(User).where(User.email.in_({e for e, _, _ in run.chosen})))}
        stored = {
            (r.practitioner_id, r.child_id): r.rag
            for r in s.scalars(select(Rating).where(Rating.meeting_id == meeting_id))
        }
    for email, user in users.items():
        for family in rating_form(engine, user, meeting_id):
            for position, child in enumerate(family.children):
                wanted = run.chosen.get((email, family.case_reference, position))
                got = stored.get((user.id, child.child_id))
                if (email, family.case_reference) in run.confirmed:
                    run.wrong += got is not wanted
                elif wanted is not None:
                    run.unconfirmed_stored += got is wanted
                    run.unconfirmed_missing += got is not wanted


def _stored_by(engine: Engine, meeting_id: int, emails: list[str]) -> int:
    with reading(engine) as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(Rating)
                .join(User, User.id == Rating.practitioner_id)
                .where(Rating.meeting_id == meeting_id, User.email.in_(emails))
            )
            or 0
        )


# --- the server ------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "run", "--port", str(port), "--address", "127.0.0.1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError("the app did not start")
        time.sleep(0.3)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def _streamlit_pid(server: subprocess.Popen[bytes]) -> int:
    """`fsdash run` starts Streamlit as its child: that child is the server to measure."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return int(children[0]) if children else server.pid


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the browsers ----------------------------------------------------------------------------------------------


async def _wait_for_app(page: Page) -> None:
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)


async def _sign_in(browser: Browser, url: str, email: str, viewport: dict[str, int]) -> Page:
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    await page.goto(url)
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("textbox", name="Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text("Signed in as")).to_be_visible(timeout=120_000)
    await _wait_for_app(page)
    return page


async def _still_to_come(chair: Page) -> int:
    caption = chair.get_by_text(STILL_TO_COME).first
    text = await caption.inner_text(timeout=60_000)
    found = STILL_TO_COME.search(text)
    assert found, text
    return int(found.group(1))


def _colour(email: str, reference: str, position: int) -> RAG:
    return RATINGS[sum(map(ord, f"{email}{reference}{position}")) % len(RATINGS)]


async def _rate_everything(page: Page, email: str, start: asyncio.Event, run: Run) -> None:
    """Save every family's form on the Rate page, one after another, as a practitioner would."""
    opening = page.get_by_text(re.compile(r"in \d+ famil(y|ies) you work with")).first
    found = re.search(r"in (\d+) famil", await opening.inner_text(timeout=120_000))
    assert found, "the Rate page says how many families there are"
    buttons = page.get_by_role("button", name=re.compile(r"^Save ratings for "))
    await expect(buttons).to_have_count(int(found.group(1)), timeout=120_000)  # every form drawn
    references = [(await b.inner_text()).removeprefix("Save ratings for ").strip() for b in await buttons.all()]
    await start.wait()
    for reference in references:
        form = page.get_by_test_id("stForm").filter(
            has=page.get_by_role("button", name=f"Save ratings for {reference}")
        )
        groups = await form.get_by_role("radiogroup").all()
        for position, group in enumerate(groups):
            colour = _colour(email, reference, position)
            await group.get_by_text(CHOICE_WORDS[colour]).click()
            run.chosen[(email, reference, position)] = colour
        started = time.perf_counter()
        await form.get_by_role("button", name=f"Save ratings for {reference}").click()
        try:
            await expect(page.get_by_text(f"Your ratings for {reference}:")).to_be_visible(timeout=60_000)
        except AssertionError:
            continue
        run.latencies.append(time.perf_counter() - started)
        run.confirmed.add((email, reference))
        await _wait_for_app(page)  # as a person would, the next form once the page has settled


async def _meeting(
    url: str, engine: Engine, meeting_id: int, emails: list[str], chair_email: str, pid: int, run: Run
) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            chair = await _sign_in(browser, url, chair_email, {"width": 1600, "height": 1000})
            before = await _still_to_come(chair)
            run.rss_before_mb = _rss_mb(pid)
            practitioners = [await _sign_in(browser, url, e, {"width": 1000, "height": 900}) for e in emails]
            run.rss_sessions_mb = (_rss_mb(pid) - run.rss_before_mb) / len(emails)
            start = asyncio.Event()
            peak = run.rss_before_mb
            tasks = [
                asyncio.create_task(_rate_everything(page, email, start, run))
                for page, email in zip(practitioners, emails, strict=True)
            ]
            await asyncio.sleep(1)  # every practitioner has read its forms and waits for the signal
            cpu_started, wall_started = _cpu_seconds(pid), time.perf_counter()
            start.set()
            while not all(t.done() for t in tasks):
                peak = max(peak, _rss_mb(pid))
                await asyncio.sleep(0.25)
            for task in tasks:
                task.result()
            last_confirmed = time.perf_counter()
            expected = before - _stored_by(engine, meeting_id, emails)  # what the database holds now
            while True:
                shown = await _still_to_come(chair) if expected else None
                if shown == expected or (expected == 0 and await chair.get_by_text("all rated").count()):
                    break
                if time.perf_counter() - last_confirmed > 120:
                    break
                await asyncio.sleep(0.1)
            run.chair_caught_up = time.perf_counter() - last_confirmed
            run.cpu_seconds = _cpu_seconds(pid) - cpu_started
            run.cpu_per_minute = run.cpu_seconds / (time.perf_counter() - wall_started) * 60
            run.rss_peak_mb = max(peak, _rss_mb(pid))
        finally:
            await browser.close()


# --- the same meeting over Streamlit's protocol: the server alone -------------------------------------------------


def _plain(label: str) -> str:
    """A label as the person reads it: the app escapes Markdown marks in names and references."""
    return label.replace("\\", "")


async def sign_in_over_protocol(stack: contextlib.AsyncExitStack, url: str, email: str) -> Session:
    session = await stack.enter_async_context(Session.open(url))
    await session.submit(
        session.widget("button", "Sign in"),
        [text(session.widget("text_input", "Email"), email), text(session.widget("text_input", "Password"), PASSWORD)],
    )
    if not any(words.startswith("Signed in as") for words in session.texts()):
        raise RuntimeError(f"{email} could not sign in: {session.texts()[:5]}")
    return session


def still_to_come_over_protocol(chair: Session) -> int | None:
    """The figure on the chair's screen now; None once every rating is in."""
    for words in chair.texts():
        if found := STILL_TO_COME.search(_plain(words)):
            return int(found.group(1))
    return None


async def _protocol_rate_everything(session: Session, email: str, start: asyncio.Event, run: Run) -> None:
    """Save every family's form on the Rate page, one after another, each as soon as the last is confirmed."""
    buttons = [b for b in session.shown("button") if b.widget.is_form_submitter and b.widget.form_id]
    await start.wait()
    for button in buttons:
        reference = _plain(button.widget.label).removeprefix("Save ratings for ")
        radios = [r for r in session.shown("radio") if r.widget.form_id == button.widget.form_id]
        values = []
        for position, radio in enumerate(radios):
            colour = _colour(email, reference, position)
            option = next(o for o in radio.widget.options if CHOICE_WORDS[colour] in o)
            values.append(choice(radio, option))
            run.chosen[(email, reference, position)] = colour
        started = time.perf_counter()
        try:
            await asyncio.wait_for(session.submit(button, values), timeout=60)
        except TimeoutError:
            run.refusals["no answer within a minute"] += 1
            return  # this session's next answer could be the late one: stop rather than misread it
        if any(_plain(words).startswith(f"Your ratings for {reference}:") for words in session.texts()):
            run.latencies.append(time.perf_counter() - started)
            run.confirmed.add((email, reference))
        else:
            said = [
                shown.words
                for kind in ("alert", "exception")
                for shown in session.shown(kind)
                if shown.fragment_id == button.fragment_id
            ]
            run.refusals[" / ".join(_plain(words)[:120] for words in said) or "nothing"] += 1


async def _protocol_meeting(
    url: str, engine: Engine, meeting_id: int, emails: list[str], chair_email: str, pid: int, run: Run
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        chair = await sign_in_over_protocol(stack, url, chair_email)
        before = still_to_come_over_protocol(chair)
        assert before is not None, "the chair's screen says how many ratings are still to come"
        run.rss_before_mb = _rss_mb(pid)
        practitioners = [await sign_in_over_protocol(stack, url, email) for email in emails]
        run.rss_sessions_mb = (_rss_mb(pid) - run.rss_before_mb) / len(emails)
        start = asyncio.Event()
        tasks = [
            asyncio.create_task(_protocol_rate_everything(session, email, start, run))
            for session, email in zip(practitioners, emails, strict=True)
        ]
        await asyncio.sleep(1)
        cpu_started, wall_started = _cpu_seconds(pid), time.perf_counter()
        peak = run.rss_before_mb
        start.set()
        while not all(t.done() for t in tasks):
            peak = max(peak, _rss_mb(pid))
            await asyncio.sleep(0.25)
        for task in tasks:
            task.result()
        last_confirmed = time.perf_counter()
        expected = before - _stored_by(engine, meeting_id, emails)
        while (still_to_come_over_protocol(chair) or 0) != expected and time.perf_counter() - last_confirmed < 120:
            await asyncio.sleep(0.1)
        run.chair_caught_up = time.perf_counter() - last_confirmed
        run.cpu_seconds = _cpu_seconds(pid) - cpu_started
        run.cpu_per_minute = run.cpu_seconds / (time.perf_counter() - wall_started) * 60
        run.rss_peak_mb = max(peak, _rss_mb(pid))


# --- watching: every session on the Meeting page, nobody doing anything --------------------------------------------


@dataclass
class Watching:
    sessions: int
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    checks: int = 0
    """Runs the pages' timers asked for in the window (live refresh checks and idle checks), all sessions."""
    rss_mb: float = 0.0

    @property
    def cpu_per_minute(self) -> float:
        return self.cpu_seconds / self.seconds * 60 if self.seconds else 0.0


async def _protocol_watching(url: str, emails: list[str], chair_email: str, pid: int, seconds: float) -> Watching:
    """The chair and every practitioner on the Meeting page, refreshing by themselves, for `seconds`."""
    async with contextlib.AsyncExitStack() as stack:
        sessions = [await sign_in_over_protocol(stack, url, chair_email)]
        for email in emails:
            session = await sign_in_over_protocol(stack, url, email)
            await session.open_page("Meeting")
            sessions.append(session)
        await asyncio.sleep(6)  # every screen has had its first check
        watching = Watching(len(sessions))
        checks, cpu, started = sum(s.timed_runs for s in sessions), _cpu_seconds(pid), time.perf_counter()
        await asyncio.sleep(seconds)
        watching.seconds = time.perf_counter() - started
        watching.cpu_seconds = _cpu_seconds(pid) - cpu
        watching.checks = sum(s.timed_runs for s in sessions) - checks
        watching.rss_mb = _rss_mb(pid)
        return watching


async def _browser_watching(url: str, emails: list[str], chair_email: str, pid: int, seconds: float) -> Watching:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            await _sign_in(browser, url, chair_email, {"width": 1600, "height": 1000})
            for email in emails:
                page = await _sign_in(browser, url, email, {"width": 1000, "height": 900})
                await page.get_by_role("link", name="Meeting").click()
                await _wait_for_app(page)
            await asyncio.sleep(6)
            watching = Watching(len(emails) + 1)
            cpu, started = _cpu_seconds(pid), time.perf_counter()
            await asyncio.sleep(seconds)
            watching.seconds = time.perf_counter() - started
            watching.cpu_seconds = _cpu_seconds(pid) - cpu
            watching.rss_mb = _rss_mb(pid)
            return watching
        finally:
            await browser.close()


def measure_watching(database_url: str, count: int, client: str, seconds: float) -> Watching:
    engine = make_engine(database_url)
    try:
        team_id, meeting_id, chair = _busiest_open_meeting(engine)
        emails = _add_practitioners(engine, team_id, meeting_id, count, f"w{count}-{int(time.time())}")
        port = _free_port()
        server = start_server(database_url, port)
        watch = _protocol_watching if client == "protocol" else _browser_watching
        try:
            url = f"http://127.0.0.1:{port}"
            return asyncio.run(watch(url, emails, chair, _streamlit_pid(server), seconds))
        finally:
            stop_server(server)
    finally:
        engine.dispose()


def report_watching(watching: Watching, database: str, client: str) -> None:
    per_check = f"{watching.cpu_seconds / watching.checks * 1000:.1f}" if watching.checks else "-"
    print_table(
        f"Watching on {database}, {CLIENTS[client]}: every session on the Meeting page, nobody clicking "
        f"({watching.seconds:.0f} s; goal: under 6 s of server CPU a minute for 31 sessions)",
        [
            (
                str(watching.sessions),
                f"{watching.cpu_per_minute:.1f}",
                str(watching.checks) if watching.checks else "-",
                per_check,
                f"{watching.rss_mb:.0f}",
            )
        ],
        ("sessions", "server CPU s/min", "timed runs (refresh and idle checks)", "CPU ms per timed run", "RSS MB"),
    )


# --- one run -----------------------------------------------------------------------------------------------------


def measure(database_url: str, count: int, client: str) -> Run:
    engine = make_engine(database_url)
    try:
        team_id, meeting_id, chair = _busiest_open_meeting(engine)
        emails = _add_practitioners(engine, team_id, meeting_id, count, f"{count}-{int(time.time())}")
        run = Run(count)
        port = _free_port()
        server = start_server(database_url, port)
        meeting = _protocol_meeting if client == "protocol" else _meeting
        try:
            url = f"http://127.0.0.1:{port}"
            asyncio.run(meeting(url, engine, meeting_id, emails, chair, _streamlit_pid(server), run))
        finally:
            stop_server(server)
        _check(engine, meeting_id, run)
        return run
    finally:
        engine.dispose()


def _percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1] if len(values) > 1 else 0.0


def report(runs: list[Run], database: str, client: str) -> None:
    rows = []
    for run in runs:
        rows.append(
            (
                str(run.practitioners),
                str(len(run.latencies)),
                f"{statistics.median(run.latencies) * 1000:.0f}" if run.latencies else "-",
                f"{_percentile(run.latencies, 0.95) * 1000:.0f}" if run.latencies else "-",
                f"{run.chair_caught_up:.1f}" if run.chair_caught_up is not None else "-",
                f"{run.cpu_per_minute:.1f}",
                f"{run.cpu_seconds / len(run.latencies) * 1000:.0f}" if run.latencies else "-",
                f"{run.rss_peak_mb:.0f}",
                f"{run.rss_sessions_mb:.1f}",
                str(run.wrong),
                f"{len(run.chosen) - run.unconfirmed_stored - run.unconfirmed_missing}",
                f"{run.unconfirmed_stored} / {run.unconfirmed_missing}",
            )
        )
    print_table(
        f"Meeting day on {database}, {CLIENTS[client]}: 1 chair + N practitioners saving every child's rating at once",
        rows,
        (
            "N",
            "saves",
            "save median ms",
            "save p95 ms",
            "chair current after s",
            "server CPU s/min",
            "server CPU ms/save",
            "server RSS MB",
            "MB per session",
            "wrong",
            "confirmed children",
            "unconfirmed: stored / not",
        ),
    )


def _report_refusals(runs: list[Run]) -> None:
    for run in runs:
        for said, count in run.refusals.most_common():
            print(f"  N={run.practitioners}: {count} saves answered with: {said}")


def run_meeting_day(url: str, counts: list[int], client: str = "protocol", watch_seconds: float = 60) -> None:
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    if watch_seconds > 0:
        report_watching(measure_watching(url, 30, client, watch_seconds), database, client)
    runs = [measure(url, n, client) for n in counts]
    report(runs, database, client)
    _report_refusals(runs)
