"""Faults a council's service desk will see, as the people in the meeting see them, in the real app.

Each test breaks something under a running meeting (a chair on the Meeting page, a practitioner on the Rate page)
and checks what they see: a calm sentence saying what happened, that nothing was saved and that their choices are
kept, never Streamlit's crash box; that the meeting carries on once the fault is over, by itself where it can; and,
in the database afterwards, that nothing was lost, half-written or doubled.

The restart runs on a PostgreSQL server of the test's own (tests/faults.py): the machine's shared cluster is never
stopped. The disk faults run on a small file system of the test's own.
"""

from __future__ import annotations

import os
import re
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import create_engine, func, select, text

from db.models import AuditEvent, Family, Meeting, Rating, User
from db.session import KILL_AFTER_WRITE_SETTING, LOCK_TIMEOUT_SETTING, make_engine, reading
from risk.vocabulary import MeetingStatus
from tests.browser.conftest import (
    SEED_TODAY,
    _fsdash,
    first_unrated_child,
    running_app,
    screenshot,
    sign_in,
    wait_for_app,
    wait_for_every_form,
)
from tests.browser.test_supervision_flow import STILL_TO_COME
from tests.conftest import _recreate_postgres_database, scratch_postgres_url
from tests.faults import PrivateServer, SmallDisk, private_postgres, small_disk, wait_for

pytestmark = pytest.mark.browser

NOT_ANSWERING = "The database is not answering just now"
LIVE_CHECK = re.compile(r"updates every \d+ seconds, last \d\d:\d\d:\d\d")
ANSWERING_AGAIN = "The database is answering again"
Ratings = list[tuple[int, int, int, str, int]]  # meeting, practitioner, child, colour, version


def _seed(database_url: str) -> dict[str, str]:
    """Demo data in the database; the accounts `fsdash seed` printed, by role."""
    env = {**os.environ, "DATABASE_URL": database_url, "FSDASH_DEMO": "1"}
    printed = _fsdash("seed", "--scale", "demo", "--today", SEED_TODAY.isoformat(), env=env)
    return {" ".join(p[:-1]): p[-1] for p in map(str.split, printed.splitlines()) if p and "@" in p[-1]}


def _env(database_url: str, **settings: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "FSDASH_DEMO": "1", **settings}


def _ratings(database_url: str) -> tuple[Ratings, int]:
    """Every rating in the database (which meeting, who, which child, colour, version), and how many rating events
    the audit trail holds."""
    engine = make_engine(database_url)
    try:
        with reading(engine) as s:
            rows = s.execute(
                select(Rating.meeting_id, Rating.practitioner_id, Rating.child_id, Rating.rag, Rating.version)
            ).all()
            audited = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.verb.like("rating.%")))
        return sorted((m, p, c, rag.value, v) for m, p, c, rag, v in rows), audited or 0
    finally:
        engine.dispose()


def _new_ratings(before: Ratings, after: Ratings) -> Ratings:
    assert set(before) <= set(after), "a rating saved before the fault was lost or changed"
    return sorted(set(after) - set(before))


def _no_crash(*pages: Page) -> None:
    for page in pages:
        assert page.get_by_test_id("stException").count() == 0, "Streamlit's crash box is on the screen"


def _answers(server: str) -> bool:
    try:
        with urllib.request.urlopen(f"{server}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _refreshes(chair: Page) -> None:
    """The chair's screen goes on checking the database by itself: the live check's "last HH:MM:SS" moves on (each
    check reads the meeting's change mark; one that fails says so instead)."""
    check = chair.get_by_text(LIVE_CHECK).first
    expect(check).to_be_visible()
    expect(check).not_to_have_text(check.inner_text(), timeout=20_000)


def _page(browser: Browser, width: int = 1400) -> Page:
    return browser.new_context(viewport={"width": width, "height": 1000}).new_page()


def _choose_red(practitioner: Page) -> tuple[Locator, Locator, str]:
    group, form, reference = first_unrated_child(practitioner)
    group.get_by_text("Red").click()
    expect(group.get_by_role("radio", name=re.compile("Red"))).to_be_checked()
    return group, form, reference


def _save(practitioner: Page, reference: str) -> None:
    practitioner.get_by_role("button", name=f"Save ratings for {reference}").click()


def _saved_confirmation(practitioner: Page, reference: str) -> Locator:
    return practitioner.get_by_text(f"Your ratings for {reference}")


# --- PostgreSQL restarts in the middle of a meeting ---------------------------------------------------------------


@pytest.fixture
def meeting_on_a_private_server() -> Iterator[tuple[PrivateServer, dict[str, str]]]:
    with private_postgres() as server:
        url = server.create_database("fsdash_meeting")
        accounts = _seed(url)
        with running_app(_env(url)) as app:
            yield server, {"url": app, "database_url": url, **accounts}


@pytest.mark.postgres
def test_a_database_restart_mid_meeting_is_said_calmly_and_the_meeting_carries_on_by_itself(
    browser: Browser, meeting_on_a_private_server: tuple[PrivateServer, dict[str, str]]
) -> None:
    server, app = meeting_on_a_private_server
    chair, practitioner = _page(browser, 1600), _page(browser, 1200)
    try:
        sign_in(chair, app["url"], app["team manager"])
        expect(chair.get_by_text(STILL_TO_COME).first).to_be_visible()
        sign_in(practitioner, app["url"], app["social worker"])
        group, _form, reference = _choose_red(practitioner)  # chosen, not yet saved
        before, audited = _ratings(app["database_url"])

        server.stop()
        # the chair does nothing: the next live refresh finds the database gone and says so
        expect(chair.get_by_text(NOT_ANSWERING)).to_be_visible(timeout=20_000)
        _save(practitioner, reference)
        expect(practitioner.get_by_text(NOT_ANSWERING)).to_be_visible()
        expect(practitioner.get_by_text("nothing was saved")).to_be_visible()
        _no_crash(chair, practitioner)
        screenshot(chair, "70-restart-chair-while-the-database-is-down")
        screenshot(practitioner, "71-restart-practitioner-save-while-the-database-is-down")

        server.start()
        # nobody clicks: both screens notice the database is back and carry on
        expect(chair.get_by_text(NOT_ANSWERING)).to_have_count(0, timeout=30_000)
        _refreshes(chair)
        expect(practitioner.get_by_text(ANSWERING_AGAIN)).to_be_visible(timeout=30_000)
        expect(practitioner.get_by_text(NOT_ANSWERING)).to_have_count(0)
        expect(group.get_by_role("radio", name=re.compile("Red"))).to_be_checked()  # the choice was kept
        screenshot(practitioner, "72-restart-practitioner-after-the-database-is-back")
        assert _ratings(app["database_url"]) == (before, audited)  # the save made while it was down did not go in

        _save(practitioner, reference)
        expect(_saved_confirmation(practitioner, reference)).to_be_visible()
        _no_crash(chair, practitioner)
        after, audited_after = _ratings(app["database_url"])
        new = _new_ratings(before, after)
        assert [(r[-2], r[-1]) for r in new] == [("red", 1)]  # once, not twice
        assert audited_after == audited + 1
    finally:
        chair.context.close()
        practitioner.context.close()


# --- Connections killed, and an administrator's lock, on the shared cluster (this run's own database) ----------


@pytest.fixture(scope="module")
def meeting_on_postgres() -> Iterator[dict[str, str]]:
    url = scratch_postgres_url("faults")
    _recreate_postgres_database(url)
    accounts = _seed(url)
    with running_app(_env(url, **{LOCK_TIMEOUT_SETTING: "1"})) as app:
        yield {"url": app, "database_url": url, **accounts}


def _terminate_the_apps_connections(database_url: str) -> int:
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_connections_killed_under_a_meeting_are_replaced_without_anyone_noticing(
    browser: Browser, meeting_on_postgres: dict[str, str]
) -> None:
    """pg_terminate_backend on every connection the app holds (what a failover, an administrator or a firewall
    cutting idle connections does): the next save and the next refresh open new ones, and nobody sees a thing."""
    app = meeting_on_postgres
    chair, practitioner = _page(browser, 1600), _page(browser, 1200)
    try:
        sign_in(chair, app["url"], app["team manager"])
        expect(chair.get_by_text(STILL_TO_COME).first).to_be_visible()
        sign_in(practitioner, app["url"], app["social worker"])
        _group, _form, reference = _choose_red(practitioner)
        before, audited = _ratings(app["database_url"])

        assert _terminate_the_apps_connections(app["database_url"]) >= 1
        _save(practitioner, reference)

        expect(_saved_confirmation(practitioner, reference)).to_be_visible()
        _refreshes(chair)
        for page in (chair, practitioner):
            expect(page.get_by_text(NOT_ANSWERING)).to_have_count(0)
        _no_crash(chair, practitioner)
        after, audited_after = _ratings(app["database_url"])
        assert [(r[-2], r[-1]) for r in _new_ratings(before, after)] == [("red", 1)]
        assert audited_after == audited + 1
    finally:
        chair.context.close()
        practitioner.context.close()


@pytest.mark.postgres
def test_a_save_behind_an_administrators_long_transaction_says_what_happened_and_goes_in_afterwards(
    browser: Browser, meeting_on_postgres: dict[str, str]
) -> None:
    """An administrator's transaction holds the rating table (the app's lock timeout is 1 s here): the save stops
    waiting, says why, keeps the choice, and goes in once the administrator's transaction has ended; the chair's
    screen, which only reads, goes on refreshing throughout."""
    app = meeting_on_postgres
    chair, practitioner = _page(browser, 1600), _page(browser, 1200)
    admin = create_engine(app["database_url"])
    try:
        sign_in(chair, app["url"], app["team manager"])
        sign_in(practitioner, app["url"], app["mental health practitioner"])  # the social worker rated above
        group, _form, reference = _choose_red(practitioner)
        before, audited = _ratings(app["database_url"])

        with admin.connect() as conn:
            conn.execute(text("LOCK TABLE rating IN EXCLUSIVE MODE"))  # reads go on; writes wait
            _save(practitioner, reference)
            expect(practitioner.get_by_text("held the records this needed for longer than 1 second")).to_be_visible()
            expect(group.get_by_role("radio", name=re.compile("Red"))).to_be_checked()
            _refreshes(chair)
            _no_crash(chair, practitioner)
            screenshot(practitioner, "73-locked-save-refused")
            assert _ratings(app["database_url"]) == (before, audited)
            conn.rollback()

        _save(practitioner, reference)
        expect(_saved_confirmation(practitioner, reference)).to_be_visible()
        after, audited_after = _ratings(app["database_url"])
        assert [(r[-2], r[-1]) for r in _new_ratings(before, after)] == [("red", 1)]
        assert audited_after == audited + 1
    finally:
        admin.dispose()
        chair.context.close()
        practitioner.context.close()


# --- An app process dies in the middle of a save ------------------------------------------------------------------


@pytest.fixture
def two_servers_one_doomed() -> Iterator[dict[str, str]]:
    """Two app processes on one PostgreSQL database; A kills itself (SIGKILL) in the middle of its first save of
    ratings, between the first rating's INSERT and the rest of the save (the test hook of db.session)."""
    url = scratch_postgres_url("faults_kill")
    _recreate_postgres_database(url)
    accounts = _seed(url)
    with (
        running_app(_env(url, **{KILL_AFTER_WRITE_SETTING: "rating"})) as doomed,
        running_app(_env(url)) as survivor,
    ):
        yield {"a": doomed, "b": survivor, "database_url": url, **accounts}


def _family_of_several_children(practitioner: Page) -> tuple[Locator, str]:
    """The first family's form with two children or more (found with a waiting locator: a form's radios are in
    the page a moment before its expander has laid them out)."""
    wait_for_every_form(practitioner)
    form = practitioner.get_by_test_id("stForm").filter(has=practitioner.get_by_role("radiogroup").nth(1)).first
    expect(form).to_be_visible()
    save = form.get_by_role("button", name=re.compile("^Save ratings for"))
    return form, save.inner_text().removeprefix("Save ratings for ").strip()


def _change_every_child(form: Locator) -> dict[str, str]:
    """A new colour for every child of the family's form (amber, or green where it was amber): the save writes one
    rating per child. The colour chosen, by the child's radio group."""
    chosen = {}
    for group in form.get_by_role("radiogroup").all():
        colour = "Green" if group.get_by_role("radio", name=re.compile("Amber")).is_checked() else "Amber"
        group.get_by_text(colour).click()
        chosen[group.get_attribute("aria-label") or ""] = colour
    return chosen


def _choose_again(form: Locator, chosen: dict[str, str]) -> None:
    for name, colour in chosen.items():
        form.get_by_role("radiogroup", name=name, exact=True).get_by_text(colour).click()


def _expected_after_saving(
    database_url: str, before: Ratings, email: str, reference: str, chosen: dict[str, str]
) -> Ratings:
    """The ratings as they must be once the family's save has gone in, exactly once: this practitioner's rating of
    each child in the new colour, one version on (or a first version), everything else as it was."""
    engine = make_engine(database_url)
    try:
        with reading(engine) as s:
            practitioner = s.scalars(select(User.id).where(User.email == email)).one()
            case_reference = reference.split(" · ")[0]  # the form names the family by reference and name
            family = s.scalars(select(Family).where(Family.case_reference == case_reference)).one()
            meeting = s.scalars(
                select(Meeting.id).where(Meeting.team_id == family.team_id, Meeting.status == MeetingStatus.OPEN)
            ).one()
            children = {c.first_name: c.id for c in family.children}
    finally:
        engine.dispose()
    expected = {(m, p, c): (rag, v) for m, p, c, rag, v in before}
    for group_name, colour in chosen.items():
        key = (meeting, practitioner, children[group_name.split(",")[0]])
        _rag, version = expected.get(key, ("", 0))
        expected[key] = (colour.lower(), version + 1)
    return sorted((m, p, c, rag, v) for (m, p, c), (rag, v) in expected.items())


@pytest.mark.postgres
def test_an_app_process_killed_mid_save_leaves_nothing_half_written_and_the_other_process_serves_the_next_save(
    browser: Browser, two_servers_one_doomed: dict[str, str]
) -> None:
    app = two_servers_one_doomed
    chair, practitioner = _page(browser, 1600), _page(browser, 1200)
    try:
        sign_in(chair, app["b"], app["team manager"])
        sign_in(practitioner, app["a"], app["social worker"])
        form, reference = _family_of_several_children(practitioner)
        chosen = _change_every_child(form)
        before, audited = _ratings(app["database_url"])

        _save(practitioner, reference)  # process A dies between the statements of this save
        wait_for(lambda: not _answers(app["a"]), "process A dying in the middle of the save")
        expect(practitioner.get_by_role("heading", name="Connection error")).to_be_visible(timeout=30_000)
        assert _ratings(app["database_url"]) == (before, audited)  # all or nothing: nothing

        # the chair, on the other process, goes on refreshing as if nothing happened
        _refreshes(chair)
        _no_crash(chair)

        # the proxy sends the practitioner to the process still running: they sign in and save again
        sign_in(practitioner, app["b"], app["social worker"])
        wait_for_every_form(practitioner)
        form = practitioner.get_by_test_id("stForm").filter(has_text=f"Save ratings for {reference}")
        _choose_again(form, chosen)
        _save(practitioner, reference)
        expect(_saved_confirmation(practitioner, reference)).to_contain_text(f"{len(chosen)} saved")
        expected = _expected_after_saving(app["database_url"], before, app["social worker"], reference, chosen)
        assert _ratings(app["database_url"]) == (expected, audited + len(chosen))
    finally:
        chair.context.close()
        practitioner.context.close()


# --- SQLite: the disk fills up, then fails and turns read-only ------------------------------------------------------


@pytest.fixture
def meeting_on_a_small_disk() -> Iterator[tuple[SmallDisk, dict[str, str]]]:
    with small_disk() as disk:
        url = f"sqlite:///{disk.path / 'fsdash.db'}"
        accounts = _seed(url)
        with running_app(_env(url)) as app:
            yield disk, {"url": app, "database_url": url, **accounts}


def test_a_full_disk_and_then_a_read_only_one_refuse_saves_in_words_and_the_meeting_still_reads(
    browser: Browser, meeting_on_a_small_disk: tuple[SmallDisk, dict[str, str]]
) -> None:
    disk, app = meeting_on_a_small_disk
    chair, practitioner = _page(browser, 1600), _page(browser, 1200)
    try:
        sign_in(chair, app["url"], app["team manager"])
        expect(chair.get_by_text(STILL_TO_COME).first).to_be_visible()
        sign_in(practitioner, app["url"], app["social worker"])
        group, _form, reference = _choose_red(practitioner)
        before, audited = _ratings(app["database_url"])

        disk.fill()
        _save(practitioner, reference)
        expect(practitioner.get_by_text("The database's disk is full, so nothing was saved")).to_be_visible()
        expect(group.get_by_role("radio", name=re.compile("Red"))).to_be_checked()
        _refreshes(chair)  # reading goes on
        _no_crash(chair, practitioner)
        screenshot(practitioner, "74-full-disk-save-refused")
        assert _ratings(app["database_url"]) == (before, audited)

        disk.make_room()  # what the service desk does
        _save(practitioner, reference)
        expect(_saved_confirmation(practitioner, reference)).to_be_visible()
        saved, audited = _ratings(app["database_url"])
        assert [(r[-2], r[-1]) for r in _new_ratings(before, saved)] == [("red", 1)]

        wait_for_app(practitioner)  # the family's form redrawn after the save, not only its confirmation
        family = practitioner.get_by_test_id("stExpander").filter(has_text=reference)
        if family.locator("details").get_attribute("open") is None:
            family.locator("summary").click()
        group = family.get_by_role("radiogroup").first
        group.get_by_text("Amber").click()  # the practitioner changes their mind
        disk.fail()  # the disk reports an error and the kernel makes it read-only
        _save(practitioner, reference)
        expect(practitioner.get_by_text("can be read but not written")).to_be_visible()
        expect(group.get_by_role("radio", name=re.compile("Amber"))).to_be_checked()
        _refreshes(chair)
        practitioner.get_by_role("link", name="Caseload").click()  # another page, read from the read-only disk
        wait_for_app(practitioner)
        expect(practitioner.get_by_role("heading", name="Caseload").first).to_be_visible()
        expect(practitioner.get_by_text(re.compile(r"\d+ of \d+ families"))).to_be_visible()
        wait_for_app(practitioner)
        _no_crash(chair, practitioner)
        screenshot(practitioner, "75-read-only-disk-caseload-still-reads")
        assert _ratings(app["database_url"]) == (saved, audited)
    finally:
        chair.context.close()
        practitioner.context.close()
