"""The Meeting page: the chair works down the ranked caseload on a shared screen; everyone else watches."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard.components.family_card import rating_grid
from dashboard.components.text import md
from db.models import (
    Action,
    AuditEvent,
    Child,
    ChoiceItem,
    Family,
    FamilyDecision,
    FamilyDiscussion,
    FamilyRiskScore,
    Involvement,
    LegalStatusPeriod,
    Meeting,
    SupervisionUpdate,
    User,
)
from db.queries.family_card import CardChild, CardProfessional, CardRating, FamilyCard
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_family_form, save_ratings
from db.services.supervision import UpdateEntry, record_decision
from db.session import reading, transaction
from risk.supervision import ChoiceKind
from risk.vocabulary import RAG, Band, LegalStatus, MeetingStatus, Role
from tests.dashboard.conftest import PageRunner
from tests.db.factories import MEETING_DAY, Team1, make_team

NASTY = "**bold** [x](javascript:alert(1))"
NEXT_MONTH = dt.date(2026, 11, 11)
CHAIR_CONTROLS = {"open-meeting-button", "add-action-button", "complete-action-button", "close-meeting-button"}


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        return make_team(s)


def _rate(engine: Engine, team: Team1, who: User, rag: RAG, meeting_id: int | None = None) -> None:
    save_ratings(engine, who, meeting_id or team.meeting.id, [RatingEntry(team.child.id, rag)])


def _ranking(at: AppTest):  # type: ignore[no-untyped-def]
    return at.dataframe[0].value


def action_key(field: str, team: Team1) -> str:
    """The page's widget keys for the family's action forms."""
    return f"action-{field}-{team.meeting.id}-{team.family.id}"


def _button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def _shown_as_markdown(at: AppTest) -> str:
    """Everything Streamlit reads as Markdown: markdown, captions, messages and widget labels."""
    parts = [e.value for kind in (at.markdown, at.caption, at.success, at.info, at.error) for e in kind]
    parts += [w.label for kind in (at.selectbox, at.button, at.checkbox, at.text_area, at.toggle) for w in kind]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


def test_the_chair_sees_the_ranked_caseload_the_card_and_the_controls(run_page: PageRunner, team: Team1) -> None:
    at = run_page("meeting.py", team.manager)
    ranking = _ranking(at)
    assert list(ranking.columns) == [
        "Rank",
        "Case",
        "Discussed",
        "Band",
        "Score",
        "Trend",
        "Disagree",
        "Over months",
        "Missing",
        "Drift",
        "Overdue",
        "Legal",
        "Social worker",
        "Why",
    ]
    assert ranking.iloc[0][["Rank", "Case", "Discussed", "Band", "Trend", "Missing", "Legal"]].tolist() == [
        1,
        "F-1",
        "Not yet",
        "⚪ Not yet rated",
        "… Not rated",
        2,
        "CP",
    ]
    assert any("1 family · ⚪ Not yet rated: 1 (greyed, ranked after amber)" in c.value for c in at.caption)
    assert at.selectbox(key="family-" + str(team.meeting.id)).value == team.family.id
    assert "F\\-1 · ⚪ Not yet rated" in [h.value for h in at.subheader]
    assert {"add-action-button", "close-meeting-button"} <= _button_keys(at)
    assert "open-meeting-button" not in _button_keys(at)  # a meeting is already open


def test_a_practitioner_sees_the_same_screen_read_only(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    _rate(app_engine, team, team.mental_health, RAG.RED)
    at = run_page("meeting.py", team.social_worker)
    assert _ranking(at)["Band"].tolist() == ["🔴 Red"]
    assert "F\\-1 · 🔴 Red" in [h.value for h in at.subheader]
    assert not _button_keys(at) & CHAIR_CONTROLS
    assert not at.checkbox and not at.text_area

    close_meeting(app_engine, team.manager, team.meeting.id)
    at = run_page("meeting.py", team.social_worker)
    assert not _button_keys(at) & CHAIR_CONTROLS  # no "open a meeting" either


def test_the_chair_opens_a_meeting_rates_come_in_and_closing_stores_the_scores(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    _rate(app_engine, team, team.social_worker, RAG.AMBER)
    close_meeting(app_engine, team.manager, team.meeting.id)  # last month's
    at = run_page("meeting.py", team.manager)
    assert "close-meeting-button" not in _button_keys(at)
    at.date_input(key="open-date").set_value(NEXT_MONTH)
    at.button(key="open-meeting-button").click().run()

    assert at.success[0].value.startswith("The meeting of 11/11/2026 is open")
    with reading(app_engine) as s:
        meeting = s.scalars(select(Meeting).where(Meeting.held_on == NEXT_MONTH)).one()
    assert at.selectbox(key="meeting-id").value == meeting.id

    _rate(app_engine, team, team.social_worker, RAG.GREEN, meeting.id)
    _rate(app_engine, team, team.mental_health, RAG.RED, meeting.id)
    at.run()
    row = _ranking(at).iloc[0]
    assert [row["Band"], row["Disagree"], row["Missing"], row["Trend"]] == ["🔴 Red", "⚠ Disagree", 0, "▲ Worse"]
    grid = at.dataframe[1].value
    assert grid.iloc[0].tolist() == ["Amy (8)", "CP", "Red", "Green · was Amber", "Red"]

    at.button(key="mark-discussed").click().run()
    assert _ranking(at).iloc[0]["Discussed"] == "✓ Yes"
    assert "1 family is discussed without a decision recorded: F\\-1. You can still close." in [
        c.value for c in at.caption
    ]
    # the chair records the decision on the card: it is shown with the outcome and the next review
    key = f"{meeting.id}-{team.family.id}"
    at.text_area(key=f"decision-text-{key}").input("Keep the plan.\nReview the **drugs** work.")
    at.selectbox(key=f"decision-outcome-{key}").select_index(0)
    assert at.date_input(key=f"decision-review-{key}").value == NEXT_MONTH + dt.timedelta(days=28)
    at.button(key=f"decision-save-{key}").click().run()
    assert not at.error
    assert at.success[0].value == md("Decision recorded for F-1.")
    markdown = [m.value for m in at.markdown]
    assert (
        f"**Continue the plan** · next review {(NEXT_MONTH + dt.timedelta(days=28)):%d/%m/%Y} · recorded by "
        + md(team.manager.display_name)
        in markdown
    )
    assert md("Keep the plan.") + "  \n" + md("Review the **drugs** work.") in markdown
    assert not any("without a decision" in c.value for c in at.caption)
    at.button(key="close-meeting-button").click().run()
    assert at.warning[0].value.startswith("Tick the box")
    at.checkbox(key="close-confirm").check()
    at.button(key="close-meeting-button").click().run()

    assert [s.value for s in at.success] == [
        md("The meeting of 11/11/2026 is closed and its ratings are locked: 1 family score stored.")
    ]
    with reading(app_engine) as s:
        stored = s.scalars(select(FamilyRiskScore).where(FamilyRiskScore.meeting_id == meeting.id)).one()
        assert (stored.band, stored.score) == (Band.RED, 83.33)
        assert s.get_one(Meeting, meeting.id).status is MeetingStatus.CLOSED
    assert "close-meeting-button" not in _button_keys(at)
    assert _ranking(at)["Band"].tolist() == ["🔴 Red"]  # read back from the stored score
    assert "open-meeting-button" in _button_keys(at)


def test_an_action_recorded_by_the_chair_appears_on_the_card_and_can_be_marked_done(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("meeting.py", team.manager)
    assert "No open actions. The team manager records the actions agreed at supervision." in [
        c.value for c in at.caption
    ]
    at.text_area(key=action_key("text", team)).input("Book a core group meeting")
    at.selectbox(key=action_key("owner", team)).set_value(team.social_worker.id)
    at.date_input(key=action_key("due", team)).set_value(MEETING_DAY + dt.timedelta(days=14))
    at.button(key="add-action-button").click().run()

    assert [s.value for s in at.success] == [md("Action recorded for F-1.")]
    actions = at.dataframe[-1].value
    assert actions.iloc[0].tolist() == [
        "Book a core group meeting",
        "SW Stevenage A",
        "28/10/2026",
        "14/10/2026",
        "Open",
    ]
    assert at.text_area(key=action_key("text", team)).value == ""  # ready for the next one

    at.button(key="complete-action-button").click().run()
    assert at.success[0].value.startswith(md("Action for F-1 marked done on"))
    with reading(app_engine) as s:
        assert s.scalars(select(Action.completed_on)).one() == dt.date.today()
    assert "No open actions. The team manager records the actions agreed at supervision." in [
        c.value for c in at.caption
    ]


def test_an_action_without_an_owner_is_refused_and_keeps_the_words(run_page: PageRunner, team: Team1) -> None:
    at = run_page("meeting.py", team.manager)
    at.text_area(key=action_key("text", team)).input("Ask the school for attendance")
    at.button(key="add-action-button").click().run()
    assert at.error[0].value == "Choose who will do it before recording the action."
    assert at.text_area(key=action_key("text", team)).value == "Ask the school for attendance"


def test_next_family_steps_down_the_ranking(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    with transaction(app_engine) as s:
        family = Family(
            team_id=team.team.id,
            case_reference="F-2",
            social_worker_id=team.social_worker.id,
            opened_on=dt.date(2026, 3, 1),
        )
        child = Child(family=family, case_reference="F-2-1", first_name="Bea", date_of_birth=dt.date(2015, 5, 5))
        s.add_all(
            [
                family,
                child,
                Involvement(family=family, practitioner_id=team.social_worker.id, started_on=dt.date(2026, 3, 1)),
            ]
        )
        s.add(LegalStatusPeriod(child=child, status=LegalStatus.CIN, started_on=dt.date(2026, 3, 1)))
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(child.id, RAG.AMBER)])

    at = run_page("meeting.py", team.manager)
    assert _ranking(at)["Case"].tolist() == ["F-2", "F-1"]  # amber before not yet rated
    picker = f"family-{team.meeting.id}"
    assert at.selectbox(key=picker).value == family.id
    at.button(key="next-family").click().run()
    assert at.selectbox(key=picker).value == team.family.id
    assert "F\\-1 · ⚪ Not yet rated" in [h.value for h in at.subheader]
    assert at.button(key="next-family").disabled  # every other family is discussed
    assert _ranking(at)["Discussed"].tolist() == ["✓ Yes", "Not yet"]  # the chair's step marked the family left
    assert "1 family is not marked discussed" in " ".join(c.value for c in at.caption)

    at.run()  # opening a card is audited once per family, not at every rerun
    with reading(app_engine) as s:
        viewed = s.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.verb == "view", AuditEvent.actor_id == team.manager.id)
        ).all()
    assert sorted(viewed) == sorted([str(family.id), str(team.family.id)])


def test_names_typed_by_users_are_shown_escaped_or_inside_tables(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    with transaction(app_engine) as s:
        s.get_one(Child, team.child.id).first_name = NASTY
        s.get_one(User, team.social_worker.id).display_name = NASTY
    _rate(app_engine, team, team.mental_health, RAG.RED)

    at = run_page("meeting.py", team.manager)

    shown = _shown_as_markdown(at)
    assert md(NASTY) in shown  # in the explanation and the social worker caption, escaped
    assert NASTY not in shown
    assert NASTY in _ranking(at)["Why"].iloc[0]  # a dataframe cell is plain text
    grid = at.dataframe[1].value
    assert f"Social worker · {NASTY}" in grid.columns
    assert grid["Child"].tolist() == [f"{NASTY} (8)"]
    assert f"{NASTY} (social worker)" in at.selectbox(key=action_key("owner", team)).options  # options are plain text

    at.toggle(key="presentation").set_value(True).run()
    assert not at.exception
    assert any(m.value.startswith("<style>") for m in at.markdown)
    tables = [t.value for t in at.table]  # st.table reads Markdown, so every cell is escaped there
    assert tables[0]["Social worker"].tolist() == [md(NASTY)]
    assert "Why" not in tables[0].columns  # each family's explanation is on its card, not in the projected ranking
    assert f"Social worker · {md(NASTY)}" in tables[1].columns
    assert all(NASTY not in str(cell) for table in tables for cell in [*table.columns, *table.to_numpy().ravel()])


def test_a_manager_of_another_team_sees_only_their_own_caseload(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    with transaction(app_engine) as s:
        make_team(s, "Hitchin B", ref="F-2")
    with reading(app_engine) as s:
        other_manager = s.scalars(select(User).where(User.email == "tm.hitchin-b@example.org")).one()
    at = run_page("meeting.py", other_manager)
    assert _ranking(at)["Case"].tolist() == ["F-2"]
    assert team.meeting.id not in at.selectbox(key="meeting-id").options


def test_with_no_meetings_the_chair_can_open_the_first_and_others_are_told_who_can(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    with transaction(app_engine) as s:
        s.delete(s.get_one(Meeting, team.meeting.id))
    at = run_page("meeting.py", team.manager)
    assert "open-meeting-button" in _button_keys(at)
    assert at.info[0].value == "This team has no meetings yet. Open the first one above."
    at = run_page("meeting.py", team.social_worker)
    assert at.info[0].value == "No meeting is open. A team manager opens one on the Meeting page."
    assert not at.dataframe


def test_every_coloured_cell_also_says_its_word() -> None:
    card = FamilyCard(
        meeting_id=1,
        held_on=MEETING_DAY,
        meeting_open=True,
        previous_held_on=None,
        family_id=1,
        case_reference="F-1",
        social_worker=None,
        band=Band.RED,
        score=100.0,
        trend="new",
        previous_band=None,
        explanation="",
        children=(CardChild(1, "Amy", 8, LegalStatus.CP, RAG.RED), CardChild(2, "Ben", 3, None, None)),
        professionals=(
            CardProfessional(7, "Sam", Role.SOCIAL_WORKER, True),
            CardProfessional(8, "Sam", Role.SOCIAL_WORKER, True),
        ),
        ratings={(1, 7): CardRating(RAG.RED, None)},
        last_month={(1, 8): RAG.GREEN},
    )
    cells, styles = rating_grid(card)
    assert cells.columns.tolist() == [
        "Child",
        "Legal status",
        "Child's rating",
        "Social worker · Sam",
        "Social worker · Sam (2)",
    ]
    assert cells.to_numpy().tolist() == [
        ["Amy (8)", "CP", "Red", "Red", "— · was Green"],
        ["Ben (3)", "—", "—", "—", "—"],
    ]
    assert styles.iloc[0, 2].startswith("background-color: #c62828; color: #ffffff")
    assert styles.iloc[1, 3].startswith("background-color: #f2f2f2")


def test_the_chair_corrects_a_closed_meetings_rating_with_a_reason(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    _rate(app_engine, team, team.social_worker, RAG.RED)
    close_meeting(app_engine, team.manager, team.meeting.id)
    at = run_page("meeting.py", team.manager)
    form_button = next(b for b in at.button if b.label == "Record correction")
    [radio] = [r for r in at.radio if r.label == "Correct it to"]
    radio.set_value(RAG.GREEN)
    form_button.click().run()
    assert any("Say why" in e.value for e in at.error)  # no reason: refused, nothing changed
    [radio] = [r for r in at.radio if r.label == "Correct it to"]
    radio.set_value(RAG.GREEN)
    at.text_area[0].input("Rated the wrong child by mistake")
    next(b for b in at.button if b.label == "Record correction").click().run()
    assert any("corrected from Red to Green" in s.value for s in at.success)
    with reading(app_engine) as s:
        assert s.scalars(select(FamilyRiskScore.band)).one() is Band.GREEN

    assert not [b for b in run_page("meeting.py", team.social_worker).button if b.label == "Record correction"]


def test_a_practitioner_follows_the_chair(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    at = run_page("meeting.py", team.social_worker)
    assert not {"mark-discussed", "meeting-clock"} & _button_keys(at)  # the record is the chair's to keep
    at.toggle(key="follow-the-chair").set_value(True).run()
    assert at.info[0].value.startswith("The chair has not opened a family yet")
    assert f"family-{team.meeting.id}" not in {s.key for s in at.selectbox}  # no picker: the chair chooses

    chair = run_page("meeting.py", team.manager)
    chair.button(key="meeting-clock").click().run()  # starts the clock on the family on the chair's screen

    at.run()
    assert f"Following the chair: {md(team.family.case_reference)}" in [c.value for c in at.caption]
    assert any(h.value.startswith("F\\-1") for h in at.subheader)
    assert "meeting clock running" in " ".join(c.value for c in at.caption)
    assert not {"mark-discussed", "meeting-clock", "add-action-button"} & _button_keys(at)


def test_a_chair_deactivated_after_the_page_was_drawn_cannot_mark_a_family(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("meeting.py", team.manager)
    with transaction(app_engine) as s:
        s.get_one(User, team.manager.id).active = False
    at.button(key="mark-discussed").click().run()  # the click's callback runs before the page's own check
    with reading(app_engine) as s:
        assert s.scalars(select(FamilyDiscussion)).all() == []
    assert not at.dataframe  # the page ended the session instead of showing the caseload


def test_after_closing_the_manager_corrects_an_update_and_the_decision_with_a_reason(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    save_family_form(app_engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "Visited once"))
    with reading(app_engine) as s:
        outcomes = s.scalars(select(ChoiceItem.id).where(ChoiceItem.kind == ChoiceKind.OUTCOME)).all()
    record_decision(app_engine, team.manager, team.meeting.id, team.family.id, "Keep going", outcomes[0], None, None)
    close_meeting(app_engine, team.manager, team.meeting.id)
    key = f"{team.meeting.id}-{team.family.id}"
    at = run_page("meeting.py", team.manager)
    assert not [k for k in _button_keys(at) if k.startswith("decision-save")]  # locked: no decision form
    at.text_area(key=f"decision-correct-update-text-{key}").input("Visited twice")
    at.text_area(key=f"decision-update-reason-{key}").input("short")
    at.button(key=f"decision-correct-update-save-{key}").click().run()
    assert at.error and "Say why" in at.error[0].value
    at.text_area(key=f"decision-update-reason-{key}").input("The second visit was left out")
    at.button(key=f"decision-correct-update-save-{key}").click().run()
    assert not at.error
    at.selectbox(key=f"decision-correct-decision-outcome-{key}").set_value(outcomes[3])
    at.text_area(key=f"decision-decision-reason-{key}").input("The outcome was recorded wrongly")
    at.button(key=f"decision-correct-decision-save-{key}").click().run()
    assert not at.error
    with reading(app_engine) as s:
        update = s.scalars(select(SupervisionUpdate)).one()
        decision = s.scalars(select(FamilyDecision)).one()
    assert (update.text, update.correction_reason) == ("Visited twice", "The second visit was left out")
    assert (decision.outcome_id, decision.correction_reason) == (outcomes[3], "The outcome was recorded wrongly")
    assert "Corrected after the meeting closed: The outcome was recorded wrongly" in [c.value for c in at.caption]
