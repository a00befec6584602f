"""Service-level pictures for service leads: team × month and office × month from stored scores, and children
by legal status per team per month (the outcomes framework). Aggregates only, never a name.

The grouping happens in the database (one row per meeting and band), so the cost grows with the number of
meetings, not with the number of ratings or children.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from db.access import aggregate_team_ids, scoped_team_ids
from db.models import AuditEvent, FamilyRiskScore, LegalStatusPeriod, Meeting, Office, Team, User
from db.queries.outcomes import outcome_counts
from db.session import reading
from risk.months import month_start, months_back
from risk.vocabulary import BANDS, Band

BAND_COLUMNS = [band.value for band in BANDS]
"""A column per band (families in it), the rated bands most severe first, then unrated: red, amber, green, unrated."""
HEATMAP_COLUMNS = ["office", "team", "team_id", "month", "families", *BAND_COLUMNS]


@dataclass(frozen=True)
class OfficeRef:
    id: int
    name: str


def visible_offices(engine: Engine, actor: User | None) -> list[OfficeRef]:
    """Offices with a team whose aggregates the actor may see, by name (the office filter's choices)."""
    with reading(engine) as session:
        team_ids = aggregate_team_ids(session, actor)
        rows = session.execute(
            select(Office.id, Office.name).join(Team).where(Team.id.in_(team_ids)).distinct().order_by(Office.name)
        )
        return [OfficeRef(*row) for row in rows]


def team_month_scores(
    engine: Engine, actor: User | None, months: int = 24, *, office_id: int | None = None
) -> pd.DataFrame:
    """Per team and month (closed meetings only): families by band, share red and mean score.

    The months run back from the latest closed meeting in scope. Mean score and share red are over rated
    families (a family with no rating yet has no score). A team that met twice in a month is shown by its later
    meeting, as its caseload stood then.

    Columns: office, team, team_id, month, families, BAND_COLUMNS (red, amber, green, unrated), rated, red_share,
    mean_score.
    """
    with reading(engine) as session:
        team_ids = scoped_team_ids(session, actor, office_id)
        if not team_ids:
            return _empty_heatmap()
        closed_in_scope = and_(Meeting.team_id.in_(team_ids), Meeting.closed_at.is_not(None))
        latest = session.scalar(select(func.max(Meeting.held_on)).where(closed_in_scope))
        if latest is None:
            return _empty_heatmap()
        since = months_back(latest, months)[0]
        # grouped by ids only (names are joined below): narrow rows group in memory, where grouping by the names
        # made PostgreSQL sort on disk; the (meeting, band, score) index answers it without reading the scores'
        # explanations
        rows = session.execute(
            select(
                Meeting.team_id,
                Meeting.held_on,
                FamilyRiskScore.band,
                func.count().label("families"),
                func.sum(FamilyRiskScore.score).label("score_sum"),
            )
            .join(Meeting, Meeting.id == FamilyRiskScore.meeting_id)
            .where(closed_in_scope, Meeting.held_on >= since)
            .group_by(Meeting.team_id, Meeting.held_on, FamilyRiskScore.band)
        ).all()
        names = {
            team_id: (office, team)
            for team_id, team, office in session.execute(
                select(Team.id, Team.name, Office.name).join(Office).where(Team.id.in_(team_ids))
            )
        }
    if not rows:
        return _empty_heatmap()
    frame = pd.DataFrame(rows, columns=["team_id", "held_on", "band", "families", "score_sum"])
    frame.insert(0, "team", frame["team_id"].map(lambda t: names[t][1]))
    frame.insert(0, "office", frame["team_id"].map(lambda t: names[t][0]))
    frame["band"] = frame["band"].map(lambda b: Band(b).value)
    frame["month"] = frame["held_on"].map(month_start)
    # A team that met twice in a month is shown by its later meeting.
    last_in_month = frame.groupby(["team_id", "month"])["held_on"].transform("max")
    frame = frame[frame["held_on"] == last_in_month]
    wide = frame.pivot_table(
        index=["office", "team", "team_id", "month"], columns="band", values="families", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=BAND_COLUMNS, fill_value=0)
    wide["score_sum"] = frame.groupby(["office", "team", "team_id", "month"])["score_sum"].sum()
    result = wide.reset_index()
    result.columns.name = None
    result["families"] = result[BAND_COLUMNS].sum(axis=1)
    return _with_shares(result)


def office_month_scores(team_months: pd.DataFrame) -> pd.DataFrame:
    """Roll the team × month figures up to office × month (weighted by families, not by teams)."""
    if team_months.empty:
        return team_months.drop(columns=["team", "team_id"], errors="ignore")
    frame = team_months.assign(score_sum=team_months["mean_score"] * team_months["rated"])
    grouped = frame.groupby(["office", "month"], as_index=False)[["families", *BAND_COLUMNS, "score_sum"]].sum()
    return _with_shares(grouped)


def _with_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Add rated families, share red and mean score (over rated families) from the counts and `score_sum`.

    Where no family is rated yet both are missing rather than 0, so a heatmap cell says '–' instead of a
    reassuring green 0%."""
    frame = frame.copy()
    frame["rated"] = frame["families"] - frame[Band.UNRATED.value]
    rated = frame["rated"].where(frame["rated"] > 0)
    frame["red_share"] = (frame[Band.RED.value] / rated).round(4)  # no rated family: no share (NaN), not 0%
    frame["mean_score"] = (frame.pop("score_sum") / rated).round(2)
    return frame.sort_values(["office", "month"] + (["team"] if "team" in frame else [])).reset_index(drop=True)


def _empty_heatmap() -> pd.DataFrame:
    return pd.DataFrame(columns=[*HEATMAP_COLUMNS, "rated", "red_share", "mean_score"])


def legal_status_counts(
    engine: Engine, actor: User | None, months: int = 24, today: dt.date | None = None, *, office_id: int | None = None
) -> pd.DataFrame:
    """Children by legal status per team at the end of each month (the current month: as of today), leaving out
    plans nobody is on. The stock figures of `db.queries.outcomes.outcome_counts`, which holds the counting rules
    (a child of a family closed on or before the month end is not counted).

    Columns: office, team, month, status, children.
    """
    counts = outcome_counts(engine, actor, months, today, office_id=office_id)
    counts = counts[counts["children"] > 0]
    return counts[["office", "team", "month", "status", "children"]].reset_index(drop=True)


OUTCOME_RECORDS = ("caseload_file", "ssd_extract", "team", "office", "database", "retention_rule")
"""The audit trail's record types whose events can change the outcome counts: the imports (the only writers of
the plan history and of which team holds a family), teams and offices, a restore and an anonymisation."""


@dataclass(frozen=True)
class FiguresVersion:
    """Marks that move whenever the service figures could change, for a page to cache the figures under.

    `closings` moves when a meeting in scope closes, a closed meeting's scores are stored again (a correction or
    a rebuild writes a 'scores.store' event on the meeting) or scores are added: the heatmaps and the raters'
    agreement come only from closed meetings, so between closings they are served from the cache and a closing
    shows on the next click. `records` moves with what the outcome counts are made of, and only that: the plan
    history (any legal status period added or ended, which only the imports do, audited as one event on the
    file), the teams and offices (their names, which office a team is in) and a restore or anonymisation. The
    outcomes come from the plan history, never from ratings, so a meeting closing leaves them cached.
    `team_ids` is the scope itself, so two people with different scopes never share figures.
    """

    team_ids: tuple[int, ...]
    closings: tuple[object, ...]
    records: tuple[object, ...]
    first_meeting: dt.date | None
    """The first meeting any team in scope held: the service's records begin there (see the outcomes)."""


def figures_version(engine: Engine, actor: User | None, office_id: int | None = None) -> FiguresVersion:
    """The actor's scope and the marks above: a few indexed look-ups, far cheaper than the figures."""
    with reading(engine) as session:
        team_ids = scoped_team_ids(session, actor, office_id)
        closed = session.execute(
            select(
                func.count(Meeting.closed_at),
                func.max(Meeting.closed_at),
                func.min(Meeting.held_on),
            ).where(Meeting.team_id.in_(team_ids))
        ).one()
        stored = session.execute(
            select(
                select(func.max(AuditEvent.id)).where(AuditEvent.entity_type == "meeting").scalar_subquery(),
                select(func.max(FamilyRiskScore.id)).scalar_subquery(),
                select(func.max(AuditEvent.id)).where(AuditEvent.entity_type.in_(OUTCOME_RECORDS)).scalar_subquery(),
                select(func.max(LegalStatusPeriod.id)).scalar_subquery(),
                select(func.count()).select_from(LegalStatusPeriod).scalar_subquery(),
            )
        ).one()
    return FiguresVersion(tuple(sorted(team_ids)), (*closed[:2], *stored[:2]), tuple(stored[2:]), closed[2])
