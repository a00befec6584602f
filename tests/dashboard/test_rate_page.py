"""The Rate page: a professional rates the children they work with, and a save never overwrites silently."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard.components.text import md
from db.access import AccessDenied
from db.models import Child, Involvement, LegalStatusPeriod, Meeting, Rating, SupervisionUpdate, User, utcnow
from db.queries.rating_form import MyRating, age_on, rating_form
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_family_form, save_ratings
from db.services.scores import store_meeting_scores
from db.services.supervision import UpdateEntry
from db.session import reading, transaction
from risk.vocabulary import RAG, LegalStatus, MeetingStatus
from tests.dashboard.conftest import PageRunner
from tests.db.factories import MEETING_DAY, Team1, make_team

NASTY = "**bold** [x](javascript:alert(1))"


def rag_key(meeting_id: int, child_id: int) -> str:
    """The key the page gives a child's red/amber/green choice (stable, so typed values survive a rerun)."""
    return f"rag-{meeting_id}-{child_id}"


def why_key(meeting_id: int, child_id: int) -> str:
    return f"why-{meeting_id}-{child_id}"


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    with transaction(app_engine) as s:
        return make_team(s)


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _saved(at: AppTest) -> list[str]:
    return [s.value for s in at.success]


def _stored(engine: Engine, team: Team1, who: User) -> Rating | None:
    with reading(engine) as s:
        return s.scalars(
            select(Rating).where(Rating.child_id == team.child.id, Rating.practitioner_id == who.id)
        ).one_or_none()


def _save_button(at: AppTest, team: Team1):  # type: ignore[no-untyped-def]
    return at.button(key=f"save-{team.meeting.id}-{team.family.id}")


def test_a_practitioner_sees_the_children_they_rate_with_nothing_chosen_yet(run_page: PageRunner, team: Team1) -> None:
    at = run_page("rate.py", team.social_worker)
    assert "1 child in 1 family you work with" in _markdown(at)
    assert [e.label for e in at.expander] == ["F\\-1 · 0 of 1 rated"]
    radio = at.radio(key=rag_key(team.meeting.id, team.child.id))
    assert (radio.label, radio.value, radio.horizontal) == ("Amy, 8 · CP", None, True)
    assert radio.options == ["🔴 Red", "🟠 Amber", "🟢 Green"]
    assert _save_button(at, team).label == "Save ratings for F\\-1"
    assert "Last month: not rated by you" in [c.value for c in at.caption]


def test_rating_a_child_through_the_form_stores_it_and_updates_the_count(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("rate.py", team.social_worker)
    at.radio(key=rag_key(team.meeting.id, team.child.id)).set_value(RAG.RED)
    at.text_input(key=why_key(team.meeting.id, team.child.id)).input("Police called twice this month")
    _save_button(at, team).click().run()

    assert not at.exception
    assert _saved(at) == ["Your ratings for F\\-1\\: 1 saved\\. Every child you work with is rated\\."]
    assert [e.label for e in at.expander] == ["F\\-1 · 1 of 1 rated"]
    rating = _stored(app_engine, team, team.social_worker)
    assert (rating.rag, rating.rationale, rating.version) == (RAG.RED, "Police called twice this month", 1)

    # Changing it later is saved against the version now on screen.
    at.radio(key=rag_key(team.meeting.id, team.child.id)).set_value(RAG.AMBER)
    _save_button(at, team).click().run()
    assert not at.error
    rating = _stored(app_engine, team, team.social_worker)
    assert (rating.rag, rating.version) == (RAG.AMBER, 2)


def test_a_saved_rating_is_shown_as_chosen_when_the_page_opens(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN, "Settled")])
    at = run_page("rate.py", team.social_worker)
    assert at.radio(key=rag_key(team.meeting.id, team.child.id)).value is RAG.GREEN
    assert at.text_input(key=why_key(team.meeting.id, team.child.id)).value == "Settled"
    assert [e.label for e in at.expander] == ["F\\-1 · 1 of 1 rated"]


def test_a_stale_save_is_refused_keeps_the_typed_choice_and_offers_the_latest(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("rate.py", team.social_worker)
    # Meanwhile the same professional rates on another device.
    save_ratings(app_engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])

    at.radio(key=rag_key(team.meeting.id, team.child.id)).set_value(RAG.RED)
    _save_button(at, team).click().run()

    [error] = at.error
    assert error.value.startswith("Your rating of Amy was changed elsewhere \\(another tab or device\\)")
    assert _stored(app_engine, team, team.social_worker).rag is RAG.GREEN
    assert at.radio(key=rag_key(team.meeting.id, team.child.id)).value is RAG.RED  # what was typed stays

    at.button(key=f"reload-{team.meeting.id}-{team.family.id}").click().run()
    assert at.radio(key=rag_key(team.meeting.id, team.child.id)).value is RAG.GREEN
    at.radio(key=rag_key(team.meeting.id, team.child.id)).set_value(RAG.RED)
    _save_button(at, team).click().run()
    assert not at.error
    assert _stored(app_engine, team, team.social_worker).rag is RAG.RED


def test_a_reason_without_a_colour_is_refused_and_nothing_is_saved(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("rate.py", team.social_worker)
    at.text_input(key=why_key(team.meeting.id, team.child.id)).input("Not sure yet")
    _save_button(at, team).click().run()
    assert "Choose red, amber or green for Amy" in at.error[0].value
    assert _stored(app_engine, team, team.social_worker) is None


def test_a_team_manager_not_involved_is_told_there_is_nobody_to_rate(run_page: PageRunner, team: Team1) -> None:
    at = run_page("rate.py", team.manager)
    assert "not recorded as working with any family" in at.info[0].value
    assert not at.radio


def test_a_team_manager_involved_with_a_family_rates_too(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    with transaction(app_engine) as s:
        s.add(Involvement(family_id=team.family.id, practitioner_id=team.manager.id, started_on=dt.date(2026, 2, 1)))
    at = run_page("rate.py", team.manager)
    at.radio(key=rag_key(team.meeting.id, team.child.id)).set_value(RAG.AMBER)
    _save_button(at, team).click().run()
    assert [e.label for e in at.expander] == ["F\\-1 · 1 of 1 rated"]
    assert _stored(app_engine, team, team.manager).rag is RAG.AMBER


def test_a_practitioner_from_another_team_sees_none_of_this_teams_families(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    with transaction(app_engine) as s:
        other = make_team(s, "Hitchin B", ref="F-2")
    at = run_page("rate.py", other.social_worker)
    assert [e.label for e in at.expander] == ["F\\-2 · 0 of 1 rated"]
    assert rag_key(team.meeting.id, team.child.id) not in [r.key for r in at.radio]
    assert "F\\-1" not in _markdown(at) + "".join(c.value for c in at.caption)


def test_with_no_open_meeting_the_page_says_who_opens_one(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    close_meeting(app_engine, team.manager, team.meeting.id)
    at = run_page("rate.py", team.social_worker)
    assert [i.value for i in at.info] == ["No meeting is open. A team manager opens one on the Meeting page."]


def test_a_save_after_the_chair_closed_the_meeting_is_refused_in_words_and_keeps_what_was_typed(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("rate.py", team.social_worker)
    at.radio(key=rag_key(team.meeting.id, team.child.id)).set_value(RAG.RED)
    close_meeting(app_engine, team.manager, team.meeting.id)  # on the chair's screen, perhaps on another server

    _save_button(at, team).click().run()

    assert [e.value for e in at.error] == [
        md(
            f"The meeting of {MEETING_DAY:%d/%m/%Y} has closed, so its ratings are locked. "
            "A team manager can record a correction with a reason."
        )
    ]
    assert "while you were rating" in at.warning[0].value
    assert at.radio(key=rag_key(team.meeting.id, team.child.id)).value is RAG.RED
    assert _stored(app_engine, team, team.social_worker) is None
    at.run()  # told once: from now on the page says no meeting is open
    assert [i.value for i in at.info] == ["No meeting is open. A team manager opens one on the Meeting page."]


def test_a_save_by_an_account_deactivated_since_the_page_opened_is_not_made(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("rate.py", team.social_worker)
    at.radio(key=rag_key(team.meeting.id, team.child.id)).set_value(RAG.RED)
    with transaction(app_engine) as s:
        s.get_one(User, team.social_worker.id).active = False

    _save_button(at, team).click().run()

    assert _stored(app_engine, team, team.social_worker) is None
    assert not at.radio


def test_last_months_rating_is_shown_beside_the_choice(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    _last_month(app_engine, team, RAG.AMBER)
    at = run_page("rate.py", team.social_worker)
    assert "Last month: 🟠 Amber" in [c.value for c in at.caption]


def test_names_typed_by_users_are_shown_escaped(run_page: PageRunner, app_engine: Engine, team: Team1) -> None:
    with transaction(app_engine) as s:
        s.get_one(Child, team.child.id).first_name = NASTY
    at = run_page("rate.py", team.social_worker)
    radio = at.radio(key=rag_key(team.meeting.id, team.child.id))
    assert md(NASTY) in radio.label and NASTY not in radio.label
    label = at.text_input(key=why_key(team.meeting.id, team.child.id)).label
    assert md(NASTY) in label and NASTY not in label


def _last_month(engine: Engine, team: Team1, rag: RAG) -> None:
    """A closed meeting a month earlier at which the social worker rated the child (its scores stored)."""
    with transaction(engine) as s:
        meeting = Meeting(
            team_id=team.team.id,
            held_on=dt.date(2026, 9, 16),
            status=MeetingStatus.CLOSED,
            chair_id=team.manager.id,
            closed_at=utcnow(),
        )
        s.add(meeting)
        s.flush()
        s.add(Rating(meeting_id=meeting.id, child_id=team.child.id, practitioner_id=team.social_worker.id, rag=rag))
        s.flush()
        store_meeting_scores(s, None, meeting)


# The query behind the page, on SQLite and PostgreSQL.


@pytest.fixture
def db_team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        return make_team(s)


def test_the_form_lists_my_families_children_oldest_first_without_closed_cases(engine: Engine, db_team: Team1) -> None:
    with transaction(engine) as s:
        ben = Child(
            family_id=db_team.family.id, case_reference="F-1-2", first_name="Ben", date_of_birth=dt.date(2021, 10, 14)
        )
        cal = Child(
            family_id=db_team.family.id, case_reference="F-1-3", first_name="Cal", date_of_birth=dt.date(2016, 1, 1)
        )
        s.add_all([ben, cal])
        s.flush()
        s.add(LegalStatusPeriod(child_id=cal.id, status=LegalStatus.CLOSED, started_on=dt.date(2026, 2, 1)))
    save_ratings(engine, db_team.social_worker, db_team.meeting.id, [RatingEntry(ben.id, RAG.AMBER, "Nursery worried")])
    save_ratings(engine, db_team.mental_health, db_team.meeting.id, [RatingEntry(db_team.child.id, RAG.RED)])
    _last_month(engine, db_team, RAG.GREEN)

    [family] = rating_form(engine, db_team.social_worker, db_team.meeting.id)

    assert (family.case_reference, family.rated) == ("F-1", 1)
    assert [(c.first_name, c.age, c.legal_status, c.current, c.last_month) for c in family.children] == [
        ("Amy", 8, LegalStatus.CP, None, RAG.GREEN),  # the mental health practitioner's rating is not mine
        ("Ben", 5, None, MyRating(RAG.AMBER, "Nursery worried", 1), None),  # five on the meeting day
    ]


def test_the_form_is_empty_for_someone_not_involved_and_refused_to_another_team(engine: Engine, db_team: Team1) -> None:
    assert rating_form(engine, db_team.manager, db_team.meeting.id) == []
    with transaction(engine) as s:
        other = make_team(s, "Hitchin B", ref="F-2")
    with pytest.raises(AccessDenied):
        rating_form(engine, other.social_worker, db_team.meeting.id)


def test_age_counts_a_birthday_on_the_day() -> None:
    assert age_on(dt.date(2018, 10, 14), MEETING_DAY) == 8
    assert age_on(dt.date(2018, 10, 15), MEETING_DAY) == 7
    assert age_on(dt.date(2020, 2, 29), dt.date(2021, 2, 28)) == 0


def _update(engine: Engine, team: Team1, who: User) -> SupervisionUpdate | None:
    with reading(engine) as s:
        return s.scalars(
            select(SupervisionUpdate).where(
                SupervisionUpdate.family_id == team.family.id, SupervisionUpdate.author_id == who.id
            )
        ).one_or_none()


def test_the_update_for_supervision_is_saved_with_the_ratings_and_shown_again(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("rate.py", team.social_worker)
    update = at.text_area(key=f"update-{team.meeting.id}-{team.family.id}")
    assert update.label == "Your update for supervision (optional)"
    kind = at.selectbox(key=f"work-kind-{team.meeting.id}-{team.family.id}")
    assert kind.options[:2] == ["Home visit", "Direct work with the child"]
    at.radio(key=rag_key(team.meeting.id, team.child.id)).set_value(RAG.AMBER)
    update.input(f"Two home visits. {NASTY}")
    kind.select_index(0)
    _save_button(at, team).click().run()
    assert not at.exception and not at.error
    assert _saved(at)[0].startswith("Your ratings for F\\-1\\: 1 saved; your update saved")
    stored = _update(app_engine, team, team.social_worker)
    assert stored is not None and stored.text == f"Two home visits. {NASTY}" and stored.work_kind_id is not None
    again = run_page("rate.py", team.social_worker)
    assert again.text_area(key=f"update-{team.meeting.id}-{team.family.id}").value == f"Two home visits. {NASTY}"
    assert again.selectbox(key=f"work-kind-{team.meeting.id}-{team.family.id}").value == stored.work_kind_id


def test_an_update_saved_on_another_device_is_never_overwritten_from_the_page(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("rate.py", team.social_worker)
    save_family_form(app_engine, team.social_worker, team.meeting.id, [], UpdateEntry(team.family.id, "On my phone"))
    at.text_area(key=f"update-{team.meeting.id}-{team.family.id}").input("On my laptop")
    _save_button(at, team).click().run()
    [error] = at.error
    assert error.value.startswith("Your update for this family was changed elsewhere")
    stored = _update(app_engine, team, team.social_worker)
    assert stored is not None and stored.text == "On my phone"
    assert at.text_area(key=f"update-{team.meeting.id}-{team.family.id}").value == "On my laptop"  # kept on screen
