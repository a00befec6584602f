"""Audit trail page: searched by person, family, record, kind of event and dates; its export is itself audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent, User
from db.queries.audit_search import PAGE_SIZE
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.dashboard.conftest import PageRunner
from tests.dashboard.made_files import made_files_fixture  # noqa: F401 (a fixture)
from tests.db.factories import Team1, make_team

TODAY = dt.datetime.combine(dt.date.today(), dt.time(9), dt.UTC)  # the page searches from the local date


@pytest.fixture
def trail(app_engine: Engine) -> tuple[User, Team1, Team1]:
    with transaction(app_engine) as s:
        ours, theirs = make_team(s), make_team(s, name="Hitchin B", ref="F-2")
        administrator = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(administrator)
        s.flush()
        for team in (ours, theirs):
            s.add_all(
                [
                    AuditEvent(
                        actor_id=team.social_worker.id,
                        verb="view",
                        entity_type="family",
                        entity_id=str(team.family.id),
                        occurred_at=TODAY,
                    ),
                    AuditEvent(
                        actor_id=team.manager.id,
                        verb="meeting.open",
                        entity_type="meeting",
                        entity_id=str(team.meeting.id),
                        occurred_at=TODAY - dt.timedelta(days=60),
                    ),
                ]
            )
    return administrator, ours, theirs


def _search(at: AppTest, **boxes: object) -> AppTest:
    for key, value in boxes.items():
        widget = (
            at.text_input(key=key)
            if key in {"audit-person", "audit-family", "audit-child", "audit-entity-id"}
            else None
        )
        if widget is not None:
            widget.input(value)
        elif key in {"audit-since", "audit-until"}:
            at.date_input(key=key).set_value(value)
        else:
            at.selectbox(key=key).set_value(value)
    return next(b for b in at.button if b.label == "Search").click().run()


def _whats(at: AppTest) -> list[str]:
    return at.dataframe[0].value["What"].tolist() if at.dataframe else []


def _said(elements: object, text: str) -> bool:
    return any(text in e.value.replace("\\", "") for e in elements)  # type: ignore[attr-defined]


def test_the_last_thirty_days_show_newest_first(run_page: PageRunner, trail: tuple[User, Team1, Team1]) -> None:
    administrator, _, _ = trail
    at = run_page("audit.py", administrator)
    assert _whats(at) == ["view", "view"]
    assert _said(at.caption, "2 events match · page 1 of 1")
    at = _search(at, **{"audit-since": TODAY.date() - dt.timedelta(days=90)})
    assert _whats(at) == ["view", "view", "meeting.open", "meeting.open"]


def test_a_family_a_person_a_record_and_a_kind_of_event_narrow_the_search(
    run_page: PageRunner, trail: tuple[User, Team1, Team1]
) -> None:
    administrator, ours, _ = trail
    at = run_page("audit.py", administrator)
    at = _search(at, **{"audit-family": "f-2", "audit-since": TODAY.date() - dt.timedelta(days=90)})
    assert at.dataframe[0].value["Who"].tolist() == ["SW Hitchin B <sw.hitchin-b@example.org>"]
    at = _search(at, **{"audit-family": "", "audit-person": "manager stevenage"})
    assert at.dataframe[0].value["Entity"].tolist() == [f"meeting {ours.meeting.id}"]
    at = _search(at, **{"audit-person": "", "audit-entity": "meeting", "audit-entity-id": str(ours.meeting.id)})
    assert _whats(at) == ["meeting.open"]
    at = _search(at, **{"audit-entity": "Any kind of record", "audit-entity-id": "", "audit-verb": "view"})
    assert _whats(at) == ["view", "view"]
    at = _search(at, **{"audit-family": "F-404"})
    assert _said(at.info, "No event matches") and not at.download_button


def test_a_childs_case_reference_finds_the_events_about_that_child(
    run_page: PageRunner, app_engine: Engine, trail: tuple[User, Team1, Team1]
) -> None:
    administrator, ours, theirs = trail
    with transaction(app_engine) as s:
        s.add_all(
            AuditEvent(
                actor_id=administrator.id,
                verb="records.subject_access",
                entity_type="child",
                entity_id=str(team.child.id),
                after={"subject": f"child {team.child.case_reference}"},
                occurred_at=TODAY,
            )
            for team in (ours, theirs)
        )
    at = run_page("audit.py", administrator)
    at = _search(at, **{"audit-child": " f-1-1 "})
    assert at.dataframe[0].value["Entity"].tolist() == [f"child {ours.child.id}"]
    at = _search(at, **{"audit-child": "F-1"})  # a family's reference is not a child's
    assert _said(at.info, "No event matches")


def test_dates_the_wrong_way_round_are_explained(run_page: PageRunner, trail: tuple[User, Team1, Team1]) -> None:
    administrator, _, _ = trail
    at = run_page("audit.py", administrator)
    at = _search(at, **{"audit-since": TODAY.date(), "audit-until": TODAY.date() - dt.timedelta(days=1)})
    assert _said(at.error, "'From' date is after the 'Until' date") and not at.dataframe


def test_a_long_trail_is_paged_and_a_page_past_the_end_says_so(
    run_page: PageRunner, app_engine: Engine, trail: tuple[User, Team1, Team1]
) -> None:
    administrator, _, _ = trail
    with transaction(app_engine) as s:
        s.add_all(
            AuditEvent(actor_id=None, verb="bulk", entity_type="test", entity_id=str(i), occurred_at=TODAY)
            for i in range(PAGE_SIZE)
        )
    at = run_page("audit.py", administrator)
    assert len(at.dataframe[0].value) == PAGE_SIZE and _said(at.caption, "202 events match · page 1 of 2")
    at.number_input(key="audit-page").set_value(2).run()
    assert len(at.dataframe[0].value) == 2
    at.number_input(key="audit-page").set_value(3).run()
    assert _said(at.info, "only 2 pages") and not at.dataframe


def test_the_export_is_recorded_with_its_filters(
    run_page: PageRunner,
    app_engine: Engine,
    trail: tuple[User, Team1, Team1],
    made_files: dict[str, Callable[[], bytes]],
) -> None:
    administrator, _, _ = trail
    at = run_page("audit.py", administrator)
    at = _search(at, **{"audit-verb": "view"})
    assert at.download_button[0].label == "Download all 2 matching events (CSV)"
    saved = made_files["audit_csv"]()  # pressing the button: the server makes the file and audits it
    assert saved.count(b",view,") == 2
    with reading(app_engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "download")).one()
    assert (event.actor_id, event.entity_type, event.after["rows"]) == (administrator.id, "audit_csv", 2)
    assert event.after["filters"]["verb"] == "view" and "person" not in event.after["filters"]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_every_other_role_sees_a_refusal_and_no_events(
    run_page: PageRunner, app_engine: Engine, trail: tuple[User, Team1, Team1], role: Role
) -> None:
    _, ours, _ = trail
    with transaction(app_engine) as s:
        someone = User(display_name="Someone", email="someone@example.org", role=role, team_id=ours.team.id)
        s.add(someone)
    at = run_page("audit.py", someone)
    assert "Only administrators" in at.error[0].value
    assert not at.dataframe and not at.download_button and not at.text_input
