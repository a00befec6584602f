"""A supervision record per family: each holds its own family and nothing of any other (read back from the PDF
as a case system's search would), the zip's manifest matches its files, and a record is a draft while the meeting
is open, final once closed, and re-issued with the reason when a rating is corrected."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select, update

from db.access import AccessDenied
from db.errors import InvalidInput
from db.exports.supervision_records import (
    file_stem,
    supervision_records,
    supervision_records_zip,
    write_supervision_records,
)
from db.models import (
    Action,
    AuditEvent,
    Child,
    ChoiceItem,
    Family,
    FamilyDecision,
    Meeting,
    Rating,
    SupervisionUpdate,
    User,
)
from db.services.actions import add_action
from db.services.corrections import correct_rating
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_family_form, save_ratings
from db.services.scores import rebuild_scores
from db.services.supervision import UpdateEntry, correct_decision, record_decision
from db.session import reading, transaction
from risk.supervision import ChoiceKind
from risk.vocabulary import RAG, MeetingStatus, Role
from seed import load_seed
from tests.db.factories import MEETING_DAY, Team1, make_team

TODAY = dt.date(2026, 10, 14)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def family_pdf(engine: Engine, actor: User, meeting_id: int, reference: str) -> str:
    _, records = supervision_records(engine, actor, meeting_id)
    return pdf_text(next(r.pdf for r in records if r.case_reference == reference))


def _words(family_id: int) -> dict[str, set[str]]:
    return {"children": set(), "reasons": set(), "actions": set(), "updates": set(), "decisions": set()}


KINDS = ("children", "reasons", "actions", "updates", "decisions")


def test_each_familys_record_holds_its_own_family_and_nothing_of_any_other(engine: Engine) -> None:
    """A busy seeded meeting, every child, reason and action given words found nowhere else, so any of them in
    another family's record is a leak, not a coincidence of common names."""
    load_seed(engine, "demo", random_seed=1, today=TODAY)
    rebuild_scores(engine, None)
    with transaction(engine) as s:
        meeting = s.scalars(
            select(Meeting).where(Meeting.status == MeetingStatus.CLOSED).order_by(Meeting.held_on.desc())
        ).first()
        assert meeting is not None
        chair = s.scalars(select(User).where(User.team_id == meeting.team_id, User.role == Role.TEAM_MANAGER)).first()
        words: dict[int, dict[str, set[str]]] = {}
        for family in s.scalars(select(Family).where(Family.team_id == meeting.team_id)):
            mine = words.setdefault(family.id, _words(family.id))
            for child in family.children:
                s.execute(update(Child).where(Child.id == child.id).values(first_name=f"Kidname{child.id}x"))
                mine["children"].add(f"Kidname{child.id}x")
                for rating in s.scalars(
                    select(Rating).where(Rating.child_id == child.id, Rating.meeting_id == meeting.id)
                ):
                    s.execute(update(Rating).where(Rating.id == rating.id).values(rationale=f"Reasonword{rating.id}q"))
                    mine["reasons"].add(f"Reasonword{rating.id}q")
            for action in s.scalars(
                select(Action).where(Action.family_id == family.id, Action.meeting_id == meeting.id)
            ):
                s.execute(update(Action).where(Action.id == action.id).values(text=f"Actionword{action.id}z"))
                mine["actions"].add(f"Actionword{action.id}z")
            for written in s.scalars(
                select(SupervisionUpdate).where(
                    SupervisionUpdate.family_id == family.id, SupervisionUpdate.meeting_id == meeting.id
                )
            ):
                s.execute(
                    update(SupervisionUpdate)
                    .where(SupervisionUpdate.id == written.id)
                    .values(text=f"Updateword{written.id}u")
                )
                mine["updates"].add(f"Updateword{written.id}u")
            for decided in s.scalars(
                select(FamilyDecision).where(
                    FamilyDecision.family_id == family.id, FamilyDecision.meeting_id == meeting.id
                )
            ):
                s.execute(
                    update(FamilyDecision)
                    .where(FamilyDecision.id == decided.id)
                    .values(text=f"Decisionword{decided.id}d")
                )
                mine["decisions"].add(f"Decisionword{decided.id}d")
            s.execute(update(Family).where(Family.id == family.id).values(display_name=f"Surnameword{family.id}s"))
            mine["children"].add(f"Surnameword{family.id}s")
        references = {
            f.id: f.case_reference for f in s.scalars(select(Family).where(Family.team_id == meeting.team_id))
        }

    summary, records = supervision_records(engine, chair, meeting.id)

    assert len(records) >= 5, "the seeded meeting should be busy"
    by_reference = {ref: family_id for family_id, ref in references.items()}
    assert sum(bool(w["reasons"]) for w in words.values()) >= 3 and any(w["actions"] for w in words.values())
    assert any(w["updates"] for w in words.values()) and any(w["decisions"] for w in words.values())
    for record in records:
        text = pdf_text(record.pdf)
        own = by_reference[record.case_reference]
        assert f"Group supervision record: {record.case_reference}" in text
        assert f"Team: {summary.team}" in text and "OFFICIAL-SENSITIVE" in text and "Final" in text
        for kind in KINDS:
            for word in words[own][kind]:
                assert word in text, f"{record.case_reference} is missing its own {kind}: {word}"
        for other, theirs in words.items():
            if other == own:
                continue
            assert not re.search(rf"\b{re.escape(references[other])}\b", text), (
                f"{references[other]} in {record.case_reference}"
            )
            for kind in KINDS:
                leaked = {word for word in theirs[kind] if word in text}
                assert not leaked, f"{record.case_reference}'s record holds another family's {kind}: {leaked}"


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
        team.child.first_name = "Zoë"
    save_ratings(
        engine, team.social_worker, team.meeting.id, [RatingEntry(team.child.id, RAG.GREEN, "Settled at school")]
    )
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED, "Mother relapsed")])
    add_action(
        engine, team.manager, team.meeting.id, team.family.id, '=HYPERLINK("x") joint visit', team.mental_health.id,
        MEETING_DAY + dt.timedelta(days=14),
    )  # fmt: skip
    return team


def test_a_record_is_a_draft_while_open_final_once_closed_and_reissued_when_corrected(
    engine: Engine, team: Team1
) -> None:
    draft = family_pdf(engine, team.manager, team.meeting.id, "F-1")
    assert "DRAFT: the meeting is still open" in draft
    assert re.search(r"SW Stevenage A \(social worker\) Green Settled at school", draft)
    assert re.search(r"MH Stevenage A \(mental health practitioner\) Red Mother relapsed", draft)
    assert '=HYPERLINK("x") joint visit' in draft

    close_meeting(engine, team.manager, team.meeting.id)
    final = family_pdf(engine, team.manager, team.meeting.id, "F-1")
    assert "Final: the meeting is closed" in final and "DRAFT" not in final

    with reading(engine) as s:
        rating = s.scalars(select(Rating).where(Rating.practitioner_id == team.social_worker.id)).one()
    correct_rating(engine, team.manager, rating.id, RAG.AMBER, "Missed the school's report of absences", 1)
    again = family_pdf(engine, team.manager, team.meeting.id, "F-1")
    assert "re-issued after a correction" in again
    assert "SW Stevenage A (social worker)'s rating of Zoë from Green to Amber" in again
    assert "Missed the school's report of absences" in again


def test_the_zip_holds_a_pdf_per_family_and_a_manifest_that_matches_it(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        second = Family(team_id=team.team.id, case_reference="F/2 b", social_worker_id=team.social_worker.id,
                        opened_on=dt.date(2026, 1, 5))  # fmt: skip
        s.add(second)
        s.flush()
        s.add(Child(family_id=second.id, case_reference="C-2", first_name="Ali", date_of_birth=dt.date(2019, 3, 1)))
    close_meeting(engine, team.manager, team.meeting.id)

    data = supervision_records_zip(engine, team.manager, team.meeting.id)

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["F-1.pdf", "F_2_b.pdf", "manifest.csv", "manifest.json"]
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    described = json.loads(archive.read("manifest.json"))
    assert described["status"] == "final" and described["meeting_date"] == MEETING_DAY.isoformat()
    with reading(engine) as s:
        first_children = s.scalars(select(Child.case_reference).where(Child.family_id == team.family.id)).all()
    expected = {"F-1": ";".join(first_children), "F/2 b": "C-2"}
    assert {r["case_reference"]: r["child_references"] for r in rows} == expected
    for row, entry in zip(rows, described["records"], strict=True):
        assert row["sha256"] == hashlib.sha256(archive.read(row["file_name"])).hexdigest() == entry["sha256"]
        assert row["meeting_date"] == MEETING_DAY.isoformat()
    assert supervision_records_zip(engine, team.manager, team.meeting.id) == data, "the same meeting, the same bytes"


def test_file_names_keep_only_safe_characters() -> None:
    assert file_stem("F-100088") == "F-100088"
    assert file_stem("../../etc/passwd") == "etc_passwd"
    assert file_stem("F 1/2") == "F_1_2"


def test_someone_from_another_team_gets_no_record(engine: Engine, team: Team1) -> None:
    with transaction(engine) as s:
        other = make_team(s, "Stevenage B", ref="F-9")
    with pytest.raises(AccessDenied):
        supervision_records_zip(engine, other.manager, team.meeting.id)


def test_the_upload_job_gets_new_private_files_of_a_closed_meeting_only_and_it_is_audited(
    engine: Engine, team: Team1, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="still open"):
        write_supervision_records(engine, None, team.meeting.id, tmp_path)
    close_meeting(engine, team.manager, team.meeting.id)

    written = write_supervision_records(engine, None, team.meeting.id, tmp_path)

    assert sorted(p.name for p in written) == ["F-1.pdf", "manifest.csv", "manifest.json"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in written)
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "export.supervision_records")).one()
    assert event.actor_id is None and event.entity_id == str(team.meeting.id)
    assert event.after["sha256"] == {"F-1.pdf": hashlib.sha256((tmp_path / "F-1.pdf").read_bytes()).hexdigest()}
    with pytest.raises(InvalidInput, match=r"already holds F-1\.pdf"):
        write_supervision_records(engine, None, team.meeting.id, tmp_path)


def test_a_record_holds_each_professionals_update_the_decision_and_the_familys_name(
    engine: Engine, team: Team1
) -> None:
    with transaction(engine) as s:
        s.execute(update(Family).where(Family.id == team.family.id).values(display_name="Jones / Ahmed"))
        kind = s.scalars(
            select(ChoiceItem).where(ChoiceItem.kind == ChoiceKind.WORK_KIND).order_by(ChoiceItem.position)
        ).first()
        outcome = s.scalars(
            select(ChoiceItem).where(ChoiceItem.kind == ChoiceKind.OUTCOME).order_by(ChoiceItem.position)
        ).first()
        assert kind and outcome
        kind_label, outcome_label, outcome_id, kind_id = kind.label, outcome.label, outcome.id, kind.id
    save_family_form(
        engine, team.social_worker, team.meeting.id, [],
        UpdateEntry(team.family.id, "Two home visits; the children were seen alone.", kind_id),
    )  # fmt: skip
    decided = record_decision(
        engine, team.manager, team.meeting.id, team.family.id, "Keep weekly visits; review the safety plan.",
        outcome_id, MEETING_DAY + dt.timedelta(days=28), None,
    )  # fmt: skip

    text = family_pdf(engine, team.manager, team.meeting.id, "F-1")

    assert "Group supervision record: F-1 · Jones / Ahmed" in text
    assert f"SW Stevenage A (social worker) · {kind_label} Two home visits; the children were seen alone." in text
    review = (MEETING_DAY + dt.timedelta(days=28)).strftime("%d/%m/%Y")
    assert f"Decision (Manager Stevenage A): {outcome_label} · next review {review}" in text
    assert "Keep weekly visits; review the safety plan." in text

    close_meeting(engine, team.manager, team.meeting.id)
    assert "re-issued" not in family_pdf(engine, team.manager, team.meeting.id, "F-1")
    correct_decision(
        engine, team.manager, decided.id, "Keep weekly visits; add a school meeting.", outcome_id, None,
        "The school meeting was agreed but left out", decided.version,
    )  # fmt: skip
    corrected = family_pdf(engine, team.manager, team.meeting.id, "F-1")
    assert "Final, re-issued after a correction" in corrected
    assert "Keep weekly visits; add a school meeting." in corrected
    assert "Reason: The school meeting was agreed but left out" in corrected
