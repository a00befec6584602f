"""Admin page: offices, teams, accounts and involvement, through the forms an administrator uses."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard.components.text import WORD_JOINER
from db.models import AuditEvent, ChoiceItem, FamilyRiskScore, Involvement, Office, Rating, Team, User
from db.services import mfa
from db.services.accounts import hash_password
from db.services.meetings import close_meeting
from db.session import reading, transaction
from risk.policies import POLICIES
from risk.vocabulary import RAG, Role
from tests.dashboard.conftest import PageRunner
from tests.db.factories import Team1, make_team

PASSWORD = "correct horse battery"
RATIONALE = "Private rationale about Amy"


@pytest.fixture
def people(app_engine: Engine) -> tuple[User, Team1]:
    with transaction(app_engine) as s:
        team = make_team(s)
        administrator = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(administrator)
        s.add(
            Rating(
                meeting=team.meeting,
                child=team.child,
                practitioner=team.social_worker,
                rag=RAG.RED,
                rationale=RATIONALE,
            )
        )
        s.get_one(User, team.social_worker.id).password_hash = hash_password(PASSWORD)
    return administrator, team


def _shown(at: AppTest) -> str:
    """Everything the page put on screen as text: tables, markdown, captions, messages."""
    parts = [frame.value.to_string() for frame in at.dataframe]
    parts += [e.value for e in [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning]]
    return "\n".join(str(p) for p in parts)


def _said(elements: object, text: str) -> bool:
    """True when one of these messages says `text` (messages are markdown-escaped, so backslashes are dropped, and
    the invisible word joiners that keep an address from becoming a link too)."""
    return any(text in e.value.replace("\\", "").replace(WORD_JOINER, "") for e in elements)  # type: ignore[attr-defined]


def _button(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def _selectbox(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(s for s in at.selectbox if s.label == label)


def _verbs(engine: Engine) -> list[str]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent.verb).order_by(AuditEvent.id)))


def test_the_page_lists_teams_and_accounts_but_no_ratings(run_page: PageRunner, people: tuple[User, Team1]) -> None:
    administrator, _ = people
    at = run_page("admin.py", administrator)
    shown = _shown(at)
    assert "Stevenage A" in shown and "sw.stevenage-a@example.org" in shown
    for rule in POLICIES.values():  # the words of the rules a team may use ("one red is a red") rate nobody
        shown = shown.replace(rule.description, "")
    assert RATIONALE not in shown and re.search(r"\b(red|amber|green)\b", shown, re.IGNORECASE) is None


def test_an_office_is_added_and_renamed_and_a_duplicate_is_explained(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, _ = people
    at = run_page("admin.py", administrator)
    at.text_input(key="office-name").input("north")
    _button(at, "Add office")
    assert _said(at.error, "already an office called 'North'")
    assert at.text_input(key="office-name").value == "north"  # kept to be corrected
    at.text_input(key="office-name").input("South")
    _button(at, "Add office")
    assert _said(at.success, "Office South added")
    assert at.text_input(key="office-name").value == ""  # emptied after success
    with reading(app_engine) as s:
        south = s.scalars(select(Office).where(Office.name == "South")).one()
    at.selectbox(key="rename-office").set_value(south.id)
    at.text_input(key="rename-office-name").input("South and West")
    _button(at, "Rename office")
    assert _said(at.success, "South and West")
    assert _verbs(app_engine) == ["office.create", "office.update"]


def test_a_team_is_added_to_an_office_and_renamed_in_place(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, team = people
    at = run_page("admin.py", administrator)
    at.text_input(key="team-name").input("Hitchin B")
    _button(at, "Add team")
    assert _said(at.error, "Choose the office")
    at.selectbox(key="team-office").set_value(team.team.office_id)
    _button(at, "Add team")
    assert _said(at.success, "Team Hitchin B added")
    _selectbox(at, "Team to rename or move").set_value(team.team.id).run()
    at.text_input(key=f"edit-team-name-{team.team.id}").input("Stevenage Central")
    _button(at, "Save team")
    assert _said(at.success, "Team Stevenage Central saved")
    with reading(app_engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "team.update")).one()
    assert event.before == {"name": "Stevenage A", "office_id": team.team.office_id}
    assert event.after == {"name": "Stevenage Central", "office_id": team.team.office_id}  # office kept


def test_a_teams_risk_rule_is_changed_and_its_closed_record_kept_unless_rebuilt(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, team = people
    close_meeting(app_engine, team.manager, team.meeting.id)  # stored under the worst rule
    at = run_page("admin.py", administrator)
    assert _said(at.caption, "Stevenage A uses the worst rule: a child's rating is the most severe any professional")
    rule = next(r for r in at.radio if r.label == "Rule")
    assert rule.options == [f"{p.name}: {p.description}" for p in POLICIES.values()]

    rule.set_value("median")
    _button(at, "Save rule")

    assert _said(at.success, "Stevenage A now uses the median rule.")
    with reading(app_engine) as s:
        assert s.get_one(Team, team.team.id).policy == "median"
        assert set(s.scalars(select(FamilyRiskScore.policy))) == {"worst"}  # the closed meeting's record is kept
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "team.policy")).one()
    assert (event.actor_id, event.after) == (administrator.id, {"policy": "median", "version": 1})

    next(c for c in at.checkbox if c.label.startswith("Also rebuild")).check()
    _button(at, "Save rule")
    assert _said(at.success, "Stevenage A now uses the median rule. Its stored scores were rebuilt under it.")
    with reading(app_engine) as s:
        assert set(s.scalars(select(FamilyRiskScore.policy))) == {"median"}


def test_a_team_role_without_a_team_is_explained(run_page: PageRunner, people: tuple[User, Team1]) -> None:
    administrator, _ = people
    at = run_page("admin.py", administrator)
    at.text_input(key="new-name").input("Sam Patel")
    at.text_input(key="new-email").input("sam.patel@example.org")
    at.selectbox(key="new-role").set_value(Role.TEAM_MANAGER)
    at.text_input(key="new-password").input(PASSWORD)
    _button(at, "Create account")
    assert _said(at.error, "team manager belongs to a team: choose one")
    at.text_input(key="new-email").input("SW.Stevenage-A@example.org")
    at.selectbox(key="new-team").set_value("Stevenage A")
    _button(at, "Create account")
    assert _said(at.error, "already an account for SW.Stevenage-A@example.org")
    assert at.text_input(key="new-name").value == "Sam Patel"


def test_a_deactivated_account_loses_access_at_its_next_click(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, team = people
    page_of_sw = run_page("account.py", team.social_worker)
    assert not page_of_sw.warning
    at = run_page("admin.py", administrator)
    at.text_input(key="user-search").input("sw.stevenage").run()
    assert at.dataframe[1].value["Email"].tolist() == ["sw.stevenage-a@example.org"]
    next(c for c in at.checkbox if c.label.startswith("Active")).uncheck()
    _button(at, "Save account")
    assert _said(at.success, "Account of SW Stevenage A saved")
    page_of_sw.run()
    assert "Please sign in" in page_of_sw.warning[0].value
    assert not page_of_sw.text_input  # no password form, nothing of theirs shown
    with reading(app_engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "user.update")).one()
    assert (event.before["active"], event.after["active"]) == (True, False)


def test_a_locked_account_is_found_and_unlocked(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, team = people
    with transaction(app_engine) as s:
        s.get_one(User, team.social_worker.id).locked_until = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    at = run_page("admin.py", administrator)
    at.selectbox(key="filter-status").set_value("locked").run()
    assert at.dataframe[1].value["Name"].tolist() == ["SW Stevenage A"]
    assert _said(at.warning, "is locked out")
    _button(at, "Unlock (keeps their password)")
    assert _said(at.success, "unlocked")
    assert _said(at.caption, "No account matches these filters")
    assert "user.unlock" in _verbs(app_engine)


def test_a_password_reset_needs_a_long_enough_password(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, _ = people
    at = run_page("admin.py", administrator)
    _selectbox(at, "Account to change").set_value(administrator.id).run()
    at.text_input(key="reset-password").input("short")
    _button(at, "Set password")
    assert _said(at.error, "at least 12 characters")
    at.text_input(key="reset-password").input(PASSWORD)
    _button(at, "Set password")
    assert _said(at.success, "Password of Admin set")
    assert _verbs(app_engine) == ["user.password_reset"]


def test_involvement_is_added_and_ended_from_the_family_chosen(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, team = people
    at = run_page("admin.py", administrator)
    at.selectbox(key="inv-team").set_value(team.team.id).run()
    at.selectbox(key="inv-family").set_value(team.family.id).run()
    table = next(d.value for d in at.dataframe if "Professional" in d.value.columns)
    assert table["Professional"].tolist() == ["MH Stevenage A", "SW Stevenage A"]
    _selectbox(at, "Professional").set_value(team.manager.id)
    at.date_input[0].set_value(dt.date(2026, 3, 2))
    _button(at, "Add")
    assert _said(at.success, "added to F-1")
    assert (
        "Manager Stevenage A"
        in next(d.value for d in at.dataframe if "Professional" in d.value.columns)["Professional"].tolist()
    )
    end_form = [s for s in at.selectbox if s.label == "Professional"][-1]
    with reading(app_engine) as s:
        involvement_id = s.scalar(select(Involvement.id).where(Involvement.practitioner_id == team.manager.id))
    end_form.set_value(involvement_id)
    at.date_input[1].set_value(dt.date(2026, 3, 1))
    _button(at, "End")
    assert _said(at.error, "the end must be after that")
    at.date_input[1].set_value(dt.date(2026, 4, 30))
    _button(at, "End")
    assert _said(at.success, "no longer works with F-1")
    assert _verbs(app_engine) == ["involvement.create", "involvement.end"]
    assert RATIONALE not in _shown(at)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_every_other_role_sees_a_refusal_and_no_data(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1], role: Role
) -> None:
    _, team = people
    with transaction(app_engine) as s:
        someone = User(display_name="Someone", email="someone@example.org", role=role, team_id=team.team.id)
        s.add(someone)
    at = run_page("admin.py", someone)
    assert "Only administrators" in at.error[0].value
    assert not at.dataframe and not at.tabs and not at.text_input and not at.selectbox


def test_an_account_for_single_sign_on_only_is_created_without_a_password(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, _ = people
    at = run_page("admin.py", administrator)
    at.text_input(key="new-name").input("Sam Patel")
    at.text_input(key="new-email").input("sam.patel@example.org")
    at.selectbox(key="new-role").set_value(Role.SOCIAL_WORKER)
    at.selectbox(key="new-team").set_value("Stevenage A")
    at.checkbox(key="new-sso-only").check()
    _button(at, "Create account")
    assert _said(at.success, "They sign in with their council account")
    with reading(app_engine) as s:
        sam = s.scalars(select(User).where(User.email == "sam.patel@example.org")).one()
    assert sam.password_hash is None and not sam.must_change_password
    at.text_input(key="user-search").input("sam.patel").run()
    assert at.dataframe[1].value["Signs in with"].tolist() == ["council account"]


def test_two_step_sign_in_is_reset_with_a_reason_and_sessions_ended_everywhere(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, team = people
    with reading(app_engine) as s:
        sw = s.get_one(User, team.social_worker.id)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    mfa.enrol(app_engine, sw, secret, pyotp.TOTP(secret).now())
    page_of_sw = run_page("account.py", team.social_worker)
    at = run_page("admin.py", administrator)
    _selectbox(at, "Account to change").set_value(team.social_worker.id).run()
    _button(at, "Reset two-step sign-in")
    assert _said(at.error, "Say why")
    at.text_input(key="mfa-reset-reason").input("New phone, confirmed by a call")
    _button(at, "Reset two-step sign-in")
    assert _said(at.success, "Two-step sign-in of SW Stevenage A reset")
    page_of_sw.run()
    assert "Please sign in" in page_of_sw.warning[0].value
    assert "reset your account's two-step sign-in" in page_of_sw.session_state["signed_out_message"]
    _selectbox(at, "Account to change").set_value(administrator.id).run()
    assert "Reset two-step sign-in" not in [b.label for b in at.button], "never one's own"
    at = _button(at, "Sign Admin out everywhere")
    assert _verbs(app_engine)[-2:] == ["user.sign_out_everywhere", "auth.sign_out"]  # this session too
    assert "Please sign in" in at.warning[0].value


def test_the_supervision_lists_are_kept_here_and_a_retired_entry_is_offered_again(
    run_page: PageRunner, app_engine: Engine, people: tuple[User, Team1]
) -> None:
    administrator, _ = people
    at = run_page("admin.py", administrator)
    assert "Home visit" in _shown(at) and "Recommend closure" in _shown(at)
    at.text_input(key="choice-label-work_kind").input("Family group conference")
    at.button(key="add-choice-button-work_kind").click().run()
    assert _said(at.success, "Family group conference is offered in kinds of work.")
    at.selectbox(key="choice-outcome").select_index(4)  # "Recommend closure"
    at.button(key="retire-choice-button-outcome").click().run()
    assert _said(at.success, "Retired")
    with reading(app_engine) as s:
        closure = s.scalars(select(ChoiceItem).where(ChoiceItem.label == "Recommend closure")).one()
        assert closure.retired_at is not None
    at.selectbox(key="choice-outcome").select_index(4)
    at.button(key="retire-choice-button-outcome").click().run()
    assert _said(at.success, "Offered again.")
    assert _verbs(app_engine)[-3:] == ["choice.add", "choice.retire", "choice.restore"]
