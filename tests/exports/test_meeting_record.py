"""The meeting record PDF: what goes on file after supervision, read back as text the way a search would."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, delete, select

from db.access import AccessDenied
from db.exports import pdf_document
from db.exports.meeting_record import meeting_record_pdf
from db.models import Action, Family, FamilyDiscussion, Meeting, User
from db.queries.caseload import ranked_caseload
from db.services.actions import add_action
from db.services.discussions import mark_discussed, run_the_clock, set_meeting_length
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.services.scores import rebuild_scores
from db.session import reading, transaction
from risk.vocabulary import RAG, MeetingStatus, Role
from seed import load_seed
from tests.db.factories import MEETING_DAY, make_team
from tests.db.months_of_ratings import PERSISTENT_WORDS, months_of_disagreement

TODAY = dt.date(2026, 10, 14)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_record_of_a_seeded_meeting_lists_every_family_in_rank_order_with_band_words_and_actions(
    engine: Engine,
) -> None:
    load_seed(engine, "demo", random_seed=1, today=TODAY)
    rebuild_scores(engine, None)
    with reading(engine) as s:
        meeting = s.scalars(
            select(Meeting).where(Meeting.status == MeetingStatus.CLOSED).order_by(Meeting.held_on.desc())
        ).first()
        assert meeting is not None
        chair = s.scalars(select(User).where(User.team_id == meeting.team_id, User.role == Role.TEAM_MANAGER)).first()
        actions = s.execute(select(Action.family_id, Action.text).where(Action.meeting_id == meeting.id)).all()
    summary, entries = ranked_caseload(engine, chair, meeting.id)

    text = pdf_text(meeting_record_pdf(engine, chair, meeting.id))

    assert f"Team: {summary.team}" in text
    assert f"Date: {meeting.held_on:%d/%m/%Y}" in text
    assert f"Chair: {summary.chair}" in text
    headings = re.findall(r"^(\d+)\. (\S+ · .+?) · (Red|Amber|Green|Not yet rated) ·", text, flags=re.MULTILINE)
    # the seeded families have names: "F-100038 · Name"
    assert [(int(rank), label, band) for rank, label, band in headings] == [
        (e.rank, e.label(), e.band.label) for e in entries
    ]
    assert actions, "the seeded meeting should have actions to print"
    starts = [text.index(f"{e.rank}. {e.label()} ·") for e in entries] + [len(text)]
    section = {e.family_id: text[starts[i] : starts[i + 1]] for i, e in enumerate(entries)}
    for family_id, action_text in actions:
        assert " ".join(action_text.split()[:4]) in " ".join(section[family_id].split())


@pytest.fixture
def closed_meeting(engine: Engine):  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        team = make_team(s)
        team.child.first_name = "Zoë"
        team.social_worker.display_name = "Siân O’Brien"
    save_ratings(engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN)])
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    add_action(
        engine,
        team.manager,
        team.meeting.id,
        team.family.id,
        '=HYPERLINK("x") then book a joint visit',
        team.mental_health.id,
        MEETING_DAY + dt.timedelta(days=14),
    )
    close_meeting(engine, team.manager, team.meeting.id)
    return team


def test_the_grid_carries_words_for_every_rating_and_names_who_rated(engine: Engine, closed_meeting) -> None:  # type: ignore[no-untyped-def]
    team = closed_meeting
    text = pdf_text(meeting_record_pdf(engine, team.manager, team.meeting.id))

    assert "Attendees (professionals who rated): Siân O’Brien (social worker); MH Stevenage A" in " ".join(text.split())
    assert "1. F-1 · Red ·" in text
    assert re.search(r"Zoë \(\d+\) Child Protection plan Red Green Red", text)
    assert '=HYPERLINK("x") then book a joint visit' in text
    assert "Status: closed; this record is locked." in text


def test_without_dejavu_the_record_falls_back_to_a_built_in_font(
    engine: Engine,
    closed_meeting,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(pdf_document, "FONT_DIR", tmp_path)
    text = pdf_text(meeting_record_pdf(engine, closed_meeting.manager, closed_meeting.meeting.id))
    assert "Siân O'Brien" in text  # Latin-1 letters kept, the curly apostrophe made plain
    assert "1. F-1 · Red ·" in text


def test_someone_from_another_team_cannot_print_the_record(engine: Engine, closed_meeting) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        other = make_team(s, "Stevenage B", ref="F-9")
    with pytest.raises(AccessDenied):
        meeting_record_pdf(engine, other.manager, closed_meeting.meeting.id)


def test_the_record_flags_persistent_disagreement_and_says_who_and_how_often(engine: Engine) -> None:
    team = months_of_disagreement(engine, rate_now=True)
    close_meeting(engine, team.manager, team.meeting.id)

    text = " ".join(pdf_text(meeting_record_pdf(engine, team.manager, team.meeting.id)).split())

    first, second = text.index("1. F-1 ·"), text.index("2. F-2 ·")  # amber, then the family nobody rated
    assert "Flags: Persistent disagreement over recent meetings" in text[first:second]
    assert PERSISTENT_WORDS in text[first:second]
    assert "Persistent disagreement" not in text[second:]


def test_the_record_says_which_families_were_discussed_for_how_long_and_which_were_not(engine: Engine) -> None:
    with transaction(engine) as s:
        team = make_team(s)
        second = Family(team=team.team, case_reference="F-2", opened_on=team.family.opened_on)
        s.add(second)
        s.flush()
        second_id = second.id
    run_the_clock(engine, team.manager, team.meeting.id, team.family.id, running=True)
    with transaction(engine) as s:  # the card was open for seven minutes
        s.get_one(Meeting, team.meeting.id).focus_opened_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=7)
    mark_discussed(engine, team.manager, team.meeting.id, team.family.id, then_open=second_id)
    set_meeting_length(engine, team.manager, team.meeting.id, 60)
    close_meeting(engine, team.manager, team.meeting.id)

    text = " ".join(pdf_text(meeting_record_pdf(engine, team.social_worker, team.meeting.id)).split())

    assert "Discussed: 1 of 2, in 7 minutes of the 60 minutes planned" in text
    assert "Not discussed: F-2" in text
    assert re.search(r"1\. F-1 · .*Discussed: yes, 7 minutes", text)
    assert re.search(r"2\. F-2 · .*Discussed: no", text)


def test_closing_without_marking_anyone_lists_every_family_as_not_discussed(engine: Engine, closed_meeting) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(pdf_text(meeting_record_pdf(engine, closed_meeting.manager, closed_meeting.meeting.id)).split())
    assert "Discussed: 0 of 1" in text and "Not discussed: F-1" in text


def test_a_record_of_a_meeting_held_before_discussions_were_kept_says_nothing_of_them(
    engine: Engine, closed_meeting
) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:  # as a meeting closed before the record of discussion existed
        s.execute(delete(FamilyDiscussion).where(FamilyDiscussion.meeting_id == closed_meeting.meeting.id))
    text = pdf_text(meeting_record_pdf(engine, closed_meeting.manager, closed_meeting.meeting.id))
    assert "Discussed" not in text and "Not discussed" not in text
