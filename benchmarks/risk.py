"""Risk engine timings: ranking, the service heatmap and a full score rebuild, against the naive way (every rating
row read into pandas and grouped there); and the service lead's other figures (outcomes against a baseline, rater
agreement, each role beside its colleagues), each computed in full as on a page opened after a meeting closed."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pandas as pd
from sqlalchemy import Engine, func, select

from benchmarks.timing import median_ms, print_table
from db.models import Child, Family, Meeting, Rating, Team, User
from db.queries.calibration import rater_agreement, role_severity
from db.queries.caseload import ranked_caseload
from db.queries.outcomes import LEVELS, changes_since, outcome_counts, outcome_totals
from db.queries.service import office_month_scores, team_month_scores
from db.services.scores import rebuild_scores
from db.session import reading
from risk.months import months_back
from risk.vocabulary import RAG, MeetingStatus, Role

SEVERITY = {rag.value: rag.severity for rag in RAG}
LEVEL = {rag.value: rag.level for rag in RAG}


def _all_ratings(engine: Engine) -> pd.DataFrame:
    query = (
        select(Meeting.team_id, Meeting.held_on, Rating.meeting_id, Child.family_id, Rating.child_id, Rating.rag)
        .join(Meeting, Meeting.id == Rating.meeting_id)
        .join(Child, Child.id == Rating.child_id)
    )
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["rag"] = frame["rag"].astype(str)
    return frame


def _naive_family_scores(ratings: pd.DataFrame) -> pd.DataFrame:
    ratings = ratings.assign(level=ratings["rag"].map(LEVEL), severity=ratings["rag"].map(SEVERITY))
    families = ratings.groupby(["team_id", "held_on", "meeting_id", "family_id"], as_index=False).agg(
        band=("level", "max"), mean=("severity", "mean")
    )
    families["score"] = (100 / 3) * (families["band"] - 1 + families["mean"])
    return families


def naive_heatmap(engine: Engine) -> pd.DataFrame:
    families = _naive_family_scores(_all_ratings(engine))
    families["month"] = pd.to_datetime(families["held_on"]).dt.to_period("M")
    return families.groupby(["team_id", "month"]).agg(
        red_share=("band", lambda b: (b == 3).mean()), mean_score=("score", "mean")
    )


def naive_ranking(engine: Engine, meeting_id: int) -> pd.DataFrame:
    ratings = _all_ratings(engine)
    families = _naive_family_scores(ratings[ratings["meeting_id"] == meeting_id])
    return families.sort_values(["band", "score"], ascending=False)


def _outcomes_against_baseline(engine: Engine, head: User, today: dt.date) -> list[str]:
    """What the Service overview computes for its outcomes: five years of month ends for every team, rolled up to
    offices and the service, and the service's change against the month two years back."""
    counts = outcome_counts(engine, head, 60, today)
    totals = {level: outcome_totals(counts, level) for level in LEVELS}
    latest = counts["month"].max()
    baseline = months_back(latest, 25)[0]
    return [c.words for c in changes_since(totals["service"], "Whole service", baseline, latest)]


def run_risk_benchmarks(engine: Engine, repeat: int, today: dt.date | None = None, rebuilds: int = 3) -> None:
    """Print the risk engine's table; `rebuilds` full score rebuilds give its median (0 leaves that row out: on
    `large` one rebuild takes minutes)."""
    with reading(engine) as s:
        latest = (
            select(Meeting.team_id, func.max(Meeting.held_on).label("held_on")).group_by(Meeting.team_id).subquery()
        )
        meetings = s.execute(
            select(Meeting.id, Meeting.team_id, Meeting.status).join(
                latest, (latest.c.team_id == Meeting.team_id) & (latest.c.held_on == Meeting.held_on)
            )
        ).all()
        busiest_team = s.scalar(
            select(Family.team_id)
            .where(Family.closed_on.is_(None))
            .group_by(Family.team_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        managers = {
            u.team_id: u for u in s.scalars(select(User).where(User.role == Role.TEAM_MANAGER, User.active.is_(True)))
        }
        head = s.scalars(select(User).where(User.role == Role.SERVICE_LEAD, User.office_id.is_(None))).first()
        counts = {
            "teams": s.scalar(select(func.count()).select_from(Team)),
            "meetings": s.scalar(select(func.count()).select_from(Meeting)),
            "ratings": s.scalar(select(func.count()).select_from(Rating)),
        }
    one = next(m for m in meetings if m.team_id == busiest_team)
    state = "open, ranked live" if one.status is MeetingStatus.OPEN else "closed, read from stored scores"
    print(
        f"\nData: {counts['teams']} teams, {counts['meetings']:,} meetings, {counts['ratings']:,} ratings; "
        f"one team = the busiest, at its latest meeting ({state})"
    )

    rank_one = median_ms(lambda: ranked_caseload(engine, managers[one.team_id], one.id), repeat)
    rank_all = median_ms(
        lambda: [ranked_caseload(engine, managers[m.team_id], m.id) for m in meetings], max(3, repeat // 2)
    )
    heatmap = median_ms(lambda: office_month_scores(team_month_scores(engine, head, 24)), repeat)
    today = today or dt.date.today()
    outcomes = median_ms(lambda: _outcomes_against_baseline(engine, head, today), repeat)
    agreement = median_ms(lambda: rater_agreement(engine, head, 24), repeat)
    severity = median_ms(lambda: role_severity(engine, head, 24), repeat)
    naive_rank = median_ms(lambda: naive_ranking(engine, one.id), 3)
    naive_heat = median_ms(lambda: naive_heatmap(engine), 3)
    rebuild_times = []
    result = None
    for _ in range(rebuilds):
        started = time.perf_counter()
        result = rebuild_scores(engine, actor=None)
        rebuild_times.append(time.perf_counter() - started)

    print_table(
        f"Risk engine on {engine.dialect.name} (median ms)",
        [
            (
                "rank one team's caseload",
                f"{rank_one:.1f}",
                "30" if engine.dialect.name == "sqlite" else "40",
                f"{naive_rank:.0f}",
                f"{naive_rank / rank_one:.0f}×",
            ),
            ("rank every team", f"{rank_all:.0f}", "", "", ""),
            (
                "service heatmap, 24 months",
                f"{heatmap:.1f}",
                "300",
                f"{naive_heat:.0f}",
                f"{naive_heat / heatmap:.0f}×",
            ),
            ("outcomes, 60 months, against a baseline 24 months back", f"{outcomes:.1f}", "", "", ""),
            ("rater agreement per team and month, 24 months", f"{agreement:.1f}", "", "", ""),
            ("each role beside its colleagues, 24 months", f"{severity:.1f}", "", "", ""),
        ]
        + (
            [
                (
                    f"rebuild all stored scores ({result.scores:,} in {result.meetings} meetings)",
                    f"{statistics.median(rebuild_times) * 1000:.0f}",
                    "20000",
                    "",
                    "",
                )
            ]
            if result is not None
            else []
        ),
        ("what", "ms", "target ms", "naive ms", "faster than naive"),
    )
