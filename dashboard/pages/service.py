"""Service overview for service leads: how each team's caseload stands month by month, from stored scores.

Aggregates only. No family or child is named on this page, and the queries return none. The office filter is
applied in the queries (which also enforce the lead's own office), not by hiding rows here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.components.chart_text import show_figures
from dashboard.components.charts import element_height
from dashboard.components.downloads import download_button
from dashboard.components.grids import show_grid
from dashboard.components.heatmaps import (
    BAND_SEGMENTS,
    CELL,
    SEVERITY_PARTS,
    figures_by_month,
    heatmap,
    heatmap_height,
    monthly_bars,
    outcomes_chart,
    role_severity_chart,
    team_comparison,
)
from dashboard.components.text import md
from dashboard.state import engine, require_user
from db.errors import ServiceError
from db.exports.heatmap_files import chart_png, chart_svg, heatmap_csv
from db.exports.outcome_files import outcomes_csv, outcomes_xlsx
from db.models import User
from db.queries.baseline_figures import days_looked_after, looked_after, new_plans, plans_started_since
from db.queries.calibration import rater_agreement, role_severity
from db.queries.outcomes import LEVELS, changes_since, outcome_counts, outcome_totals, outcomes_report
from db.queries.ratings_access import ratings_access_grants
from db.queries.service import (
    FiguresVersion,
    figures_version,
    office_month_scores,
    team_month_scores,
    visible_offices,
)
from risk.outcomes import ALPHA_RELIABLE, ALPHA_TENTATIVE, OUTCOME_STATUSES, agreement_in_words, baseline_choice
from risk.presentation import band_text
from risk.vocabulary import BAND_PRIORITY, BANDS, RATED_BANDS, Band

ALL_OFFICES = "All offices"
ALL_TEAMS = "All teams shown"
EXPORT_CELL_PX = 48  # a downloaded heatmap has no page to stretch to: each month column is this wide
STATUS_COLUMNS = [status.short for status in OUTCOME_STATUSES]  # as the outcome figures name the plans
OUTCOME_MONTHS = 60  # five years of month ends to choose a baseline from


def _month_label(month: Any) -> str:
    return pd.Timestamp(month).strftime("%m/%Y")


def _database() -> str:
    """Which database the figures came from, for the cache keys (never the password)."""
    return engine().url.render_as_string(hide_password=True)


# The service figures are cached under `FiguresVersion`, which moves when a meeting in scope closes (or its
# scores are stored again) and, for the outcomes, with any recorded change: a lead clicking around the page
# is served from the cache, and a closing shows on the next click. `_user` is left out of the key (the
# version holds the scope itself) but each query still checks them.
@st.cache_data(max_entries=64, show_spinner=False)
def _team_months(
    _user: User, version: FiguresVersion, database: str, months: int, office_id: int | None
) -> pd.DataFrame:
    return team_month_scores(engine(), _user, months, office_id=office_id)


@st.cache_data(max_entries=64, show_spinner=False)
def _agreement(_user: User, version: FiguresVersion, database: str, months: int, office_id: int | None) -> pd.DataFrame:
    return rater_agreement(engine(), _user, months, office_id=office_id)


@st.cache_data(max_entries=64, show_spinner=False)
def _severity(_user: User, version: FiguresVersion, database: str, months: int, office_id: int | None) -> pd.DataFrame:
    return role_severity(engine(), _user, months, office_id=office_id)


@st.cache_data(max_entries=64, show_spinner=False)
def _outcomes(_user: User, version: tuple, database: str, today: dt.date, office_id: int | None) -> pd.DataFrame:
    return outcome_counts(engine(), _user, OUTCOME_MONTHS, today, office_id=office_id)


@st.cache_data(max_entries=256, show_spinner=False)
def _spec(key: tuple, _build: Callable[[], tuple[alt.TopLevelMixin, int]]) -> tuple[dict, int]:
    """A chart's Vega-Lite spec and height, drawn once per `key` (the figures' version and every choice that shapes
    the chart): drawing (Altair's schema checks and serialising the data) costs more than reading the figures."""
    chart, height = _build()
    return chart.to_dict(), height


def _chart(cache_key: tuple, build: Callable[[], tuple[alt.TopLevelMixin, int]], **kwargs: Any) -> Any:
    """Show the chart `build` draws (cached under `cache_key`); returns what st.vega_lite_chart returns (the
    selection when `on_select` is given)."""
    spec, height = _spec(cache_key, build)
    return st.vega_lite_chart(spec=spec, width="stretch", height=height, **kwargs)


def _heatmap(frame: pd.DataFrame, row: str, value: str, title: str, **kwargs: Any) -> tuple[alt.LayerChart, int]:
    chart = heatmap(frame, row, value, title, **kwargs)
    return chart, heatmap_height(chart)


def _sized(chart: alt.LayerChart) -> tuple[alt.LayerChart, int]:
    return chart, element_height(chart)


def _choose_office(user: User) -> int | None:
    """The office to show (None: every office in scope). Offered only when the user can see more than one."""
    offices = visible_offices(engine(), user)
    if not offices:
        st.info(
            "There are no service figures for your account: they are for service leads and team staff. "
            "Ask an administrator if you need access."
        )
        st.stop()
    if len(offices) == 1:
        return None
    names = {o.id: o.name for o in offices}
    return st.selectbox(
        "Office", [None, *names], format_func=lambda i: ALL_OFFICES if i is None else names[i], key="office"
    )


def _offer(details: dict[str, Any], *files: tuple[Any, str, bytes | Callable[[], bytes], str, str, str]) -> None:
    """(column, label, bytes or a callable making them, file name, mime type, what) per file; each is handed over
    only after the session is re-checked and the download audited, in one step."""
    for column, label, data, name, mime, what in files:

        def build(_checked: User, data: bytes | Callable[[], bytes] = data) -> bytes:
            return data() if callable(data) else data

        download_button(
            column,
            label,
            build,
            what=what,
            entity_id=None,
            details=details,
            file_name=name,
            mime=mime,
            key=what,
        )


def _download_row(
    user: User, frame: pd.DataFrame, chart: Callable[[], alt.LayerChart], months: int, office_id: int | None
) -> None:
    """CSV of the figures shown and the red-share heatmap as PNG and SVG; each download is audited (what was
    asked for, never the figures themselves). The images are drawn only when their button is pressed."""
    details = {"months": months, "office_id": office_id, "rows": len(frame)}
    csv, png, svg = st.columns(3)
    _offer(
        details,
        (csv, "Figures (CSV)", heatmap_csv(frame), "service-heatmap.csv", "text/csv", "service_heatmap_csv"),
        (png, "Heatmap (PNG)", lambda: chart_png(chart()), "service-heatmap.png", "image/png", "service_heatmap_png"),
        (
            svg,
            "Heatmap (SVG)",
            lambda: chart_svg(chart()),
            "service-heatmap.svg",
            "image/svg+xml",
            "service_heatmap_svg",
        ),
    )


def _picked_cell(event: Any, months: list[dt.date]) -> tuple[str, dt.date] | None:
    """The (team, month) of the heatmap cell the user clicked, if any."""
    picked = (event or {}).get("selection", {}).get(CELL) or []
    if not picked:
        return None
    label = picked[0].get("month_label")
    month = next((m for m in months if _month_label(m) == label), None)
    return (picked[0].get("team"), month) if month is not None else None


def _follow_click(picked: tuple[str, dt.date] | None, teams: list[str], months: list[dt.date]) -> None:
    """Point the team and month boxes at a newly clicked cell; otherwise keep the user's own choice (a stale
    choice, e.g. after fewer months are shown, falls back to the first team and the latest month)."""
    if picked is not None and picked != st.session_state.get("clicked_cell") and picked[0] in teams:
        st.session_state["clicked_cell"] = picked
        st.session_state["detail_team"], st.session_state["detail_month"] = picked
    if st.session_state.get("detail_team") not in teams:
        st.session_state["detail_team"] = teams[0]
    if st.session_state.get("detail_month") not in months:
        st.session_state["detail_month"] = months[-1]


def _detail(frame: pd.DataFrame, counts: pd.DataFrame, agreement: pd.DataFrame, team: str, month: dt.date) -> None:
    """One team's figures for one month: families by band, mean score, children by legal status and how alike
    its professionals rated."""
    st.markdown(f"**{md(team)} · {_month_label(month)}**")
    row = frame[(frame["team"] == team) & (frame["month"] == month)]
    if row.empty:
        st.info("That team closed no meeting that month. Choose another month.")
        return
    r = row.iloc[0]
    figures: list[tuple[str, int | str]] = [(band_text(band), int(r[band.value])) for band in BANDS]
    figures.append(("Mean score", f"{r['mean_score']:.1f}" if pd.notna(r["mean_score"]) else "–"))
    for col, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(label, value)
    children = counts[(counts["team"] == team) & (counts["month"] == month) & (counts["children"] > 0)]
    if children.empty:
        st.caption("No child of this team had an open legal status at the end of that month.")
    else:
        by_status = dict(zip(children["status"], children["children"], strict=True))
        st.caption(
            "Children by legal status at the end of that month: "
            + ", ".join(f"{s} {by_status[s]}" for s in STATUS_COLUMNS if s in by_status)
        )
    alike = agreement[(agreement["team"] == team) & (agreement["month"] == month)]
    if not alike.empty:
        a = alike.iloc[0]
        figure = "–" if pd.isna(a["alpha"]) else f"{a['alpha']:.2f}"
        st.caption(
            f"Agreement between raters: {figure} over {_children(int(a['children']))} rated by two or more "
            f"professionals ({agreement_in_words(None if pd.isna(a['alpha']) else float(a['alpha']))})."
        )


def _initial(band: Band) -> str:
    """'R', or 'N for not yet rated': how a segment of the team comparison names its band."""
    letter = band.label[0]
    return letter if band in RATED_BANDS else f"{letter} for {band.label.lower()}"


def _children(n: int) -> str:
    return f"{n} child" if n == 1 else f"{n} children"


def _severity_sentence(severity: pd.DataFrame) -> str:
    """The greenest and the most severe role, in words (the chart has every role)."""
    greenest, severest = severity.iloc[0], severity.iloc[-1]  # the query puts the greenest role first
    return (
        f"{greenest['role']}: less severe than a colleague in {greenest['less_severe']:.0%} of comparisons and more "
        f"severe in {greenest['more_severe']:.0%}. {severest['role']}: more severe in {severest['more_severe']:.0%} "
        f"and less severe in {severest['less_severe']:.0%}."
    )


def _areas(counts: pd.DataFrame) -> list[tuple[str, str]]:
    """(level, name) of every area the outcomes can be shown for: the whole service, each office, each team."""
    areas = [("service", "Whole service")]
    if counts["office"].nunique() > 1:
        areas += [("office", o) for o in sorted(counts["office"].unique())]
    return areas + [("team", t) for t in sorted(counts["team"].unique())]


def _area_label(area: tuple[str, str]) -> str:
    level, name = area
    return name if level != "office" else f"{name} (every team)"


def _outcomes_section(
    user: User, counts: pd.DataFrame, office_id: int | None, version: tuple, first_meeting: dt.date | None
) -> None:
    """Outcomes against a baseline the lead chooses: sentences, the trend with the baseline marked, days looked
    after and new plans per month, and the files for the performance team."""
    st.subheader("Outcomes against a baseline")
    if counts.empty:
        st.info("No child has been on a plan in these years.")
        return
    month_values = sorted(counts["month"].unique())
    latest = month_values[-1]
    left, right = st.columns(2)
    area = left.selectbox("Area", _areas(counts), format_func=_area_label, key="outcome_area")
    offered = baseline_choice(month_values, first_meeting)
    baseline = right.selectbox(
        "Baseline month",
        offered.choices,
        index=offered.choices.index(offered.default),
        format_func=_month_label,
        key="baseline",
    )
    if offered.too_early(baseline):
        st.warning(
            f"The first supervision meeting recorded here was in {_month_label(offered.records_begin)}. Before then "
            "the records may hold only the cases still open when the service began, so a baseline this early can "
            "understate."
        )
    totals = outcome_totals(counts, area[0])
    chosen = totals[totals["area"] == area[1]]
    as_of = chosen[chosen["month"] == latest]["as_of"].iloc[0]
    st.markdown(
        f"**{md(area[1])}: children on each plan at the end of {_month_label(baseline)} and on {as_of:%d/%m/%Y}**"
    )
    st.markdown("\n".join(f"- {md(c.words)}" for c in changes_since(totals, area[1], baseline, latest)))

    shown = chosen[chosen["month"] >= offered.context_start(baseline)]
    key = (version, area, baseline)
    _chart(("trend", *key), lambda: _sized(outcomes_chart(shown, baseline)))
    st.caption(
        "Children on each plan at the end of each month (the current month: as of today); the dashed line marks "
        "the baseline. A child of a family closed on or before a month end is not counted."
    )
    show_figures(figures_by_month(shown, "status", "children"))

    in_care = looked_after(shown)
    days = days_looked_after(chosen, baseline)
    st.markdown("**Days spent looked after, per month**")
    _chart(("days", *key), lambda: _sized(monthly_bars(in_care, "days", "Child-days looked after")))
    st.caption(
        f"Child-days in care each month (each child looked after counts one a day): {days.then:,} in "
        f"{_month_label(baseline)}, {days.now:,} in {_month_label(days.last_full)}. The current month runs to today."
    )
    show_figures(figures_by_month(in_care, "status", "days", "{:,.0f}"))

    flows = new_plans(shown)
    st.markdown("**New plans started, per month**")
    _chart(("started", *key), lambda: _sized(monthly_bars(flows, "started", "Plans started", colour_by="status")))
    since = plans_started_since(chosen, baseline)
    st.caption(
        f"Child protection plans, pre-proceedings and care proceedings that began each month. Since "
        f"{_month_label(baseline)}: " + ", ".join(f"{s} {n:,}" for s, n in since.items()) + "."
    )
    show_figures(figures_by_month(flows, "status", "started"))

    def every_area() -> pd.DataFrame:
        levels = [level for level in LEVELS if level != "office" or counts["office"].nunique() > 1]
        return pd.concat([outcome_totals(counts, level) for level in levels])

    def report() -> pd.DataFrame:
        return outcomes_report(every_area(), baseline, latest)

    # the files are put together only when a button is pressed; the audit says what was asked for
    areas = 1 + (counts["office"].nunique() if counts["office"].nunique() > 1 else 0) + counts["team"].nunique()
    details = {"baseline": baseline.isoformat(), "office_id": office_id, "rows": areas * len(STATUS_COLUMNS)}
    csv, xlsx = st.columns(2)
    _offer(
        details,
        (
            csv,
            "Outcomes (CSV)",
            lambda: outcomes_csv(report()),
            "service-outcomes.csv",
            "text/csv",
            "service_outcomes_csv",
        ),
        (
            xlsx,
            "Outcomes (Excel)",
            lambda: outcomes_xlsx(report(), every_area()),
            "service-outcomes.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "service_outcomes_xlsx",
        ),
    )
    st.caption("Both files hold every area (the service, each office, each team) against this baseline.")

    last = counts[counts["month"] == latest]
    table = last.pivot_table(index="team", columns="status", values="children", aggfunc="sum", fill_value=0)
    st.caption(f"Children by legal status per team on {as_of:%d/%m/%Y}")
    show_grid(
        table.reindex(columns=[c for c in STATUS_COLUMNS if c in table.columns]).rename_axis("Team").reset_index()
    )


user = require_user()
st.title("Service overview")
st.caption(
    "Figures per team and month, from the scores stored when each team's supervision meeting closed. "
    "No family or child is named on this page."
)
try:
    office_id = _choose_office(user)
    months = st.slider("Months shown", min_value=1, max_value=24, value=12, key="months")
    version = figures_version(engine(), user, office_id)
    team_months = _team_months(user, version, _database(), months, office_id)
    if team_months.empty:
        if office_id is None:
            st.info("No meeting has closed yet: figures appear once teams close their first meeting.")
        else:
            st.info("No meeting has closed in this office yet. Choose All offices to see the rest of the service.")
        st.stop()
    today = dt.date.today()
    outcomes_version = (version.team_ids, version.records, today)
    counts = _outcomes(user, outcomes_version, _database(), today, office_id)
    agreement = _agreement(user, version, _database(), months, office_id)
    severity = _severity(user, version, _database(), months, office_id)
except ServiceError as exc:
    st.error(md(str(exc)))
    st.stop()

st.subheader("Share of families rated red, by team and month")
figures_key = (version, _database(), months, office_id)
event = _chart(
    ("red", *figures_key),
    lambda: _heatmap(team_months, "team", "red_share", "Share red", percent=True),
    on_select="rerun",
    key="red-map",
)
st.caption("Share of the families with a rating that were red. Click a cell to see that team's month below.")
show_figures(figures_by_month(team_months, "team", "red_share", "{:.0%}"))

teams = sorted(team_months["team"].unique())
month_values = sorted(team_months["month"].unique())
_follow_click(_picked_cell(event, month_values), teams, month_values)
left, right = st.columns(2)
team = left.selectbox("Team", teams, key="detail_team")
month = right.selectbox("Month", month_values, format_func=_month_label, key="detail_month")
_detail(team_months, counts, agreement, team, month)

st.markdown("**Download these figures**")
_download_row(
    user,
    team_months,
    lambda: heatmap(team_months, "team", "red_share", "Share red", percent=True).properties(
        width=alt.Step(EXPORT_CELL_PX)
    ),
    months,
    office_id,
)

st.subheader("Mean family score, by team and month")
_chart(("score", *figures_key), lambda: _heatmap(team_months, "team", "mean_score", "Mean score"))
st.caption("Mean of the rated families' scores (0 to 100); a cell with no rated family shows '–'.")
show_figures(figures_by_month(team_months, "team", "mean_score"))

st.subheader("Agreement between raters, by team and month")
if agreement.empty:
    st.info("No child was rated by two or more professionals at a closed meeting in these months.")
else:
    _chart(
        ("agreement", *figures_key),
        lambda: _heatmap(
            agreement, "team", "alpha", "Agreement", agreement=True, count=("children", "Children rated by 2 or more")
        ),
    )
    st.caption(
        "How alike the professionals who rated the same child at the same meeting rated them (Krippendorff's "
        f"alpha for ordered ratings: 1 is full agreement, 0 no more than chance). From {ALPHA_RELIABLE} up the "
        f"team rates alike; below {ALPHA_TENTATIVE} its professionals often see the same child differently, so "
        "a red or a green says as much about who rated as about the child: worth a supervision discussion about "
        "what each colour means. Each cell's tooltip gives the number of children it rests on; '–' where it "
        "cannot be measured."
    )
    show_figures(figures_by_month(agreement, "team", "alpha", "{:.2f}"))

if office_id is None and team_months["office"].nunique() > 1:
    st.subheader("Share of families rated red, by office and month")
    _chart(
        ("offices", *figures_key),
        lambda: _heatmap(office_month_scores(team_months), "office", "red_share", "Share red", percent=True),
    )
    show_figures(figures_by_month(office_month_scores(team_months), "office", "red_share", "{:.0%}"))

latest_month = team_months["month"].max()
latest = team_months[team_months["month"] == latest_month]
st.subheader(f"Teams compared, {_month_label(latest_month)}")
_chart(("compare", *figures_key), lambda: _sized(team_comparison(latest)))
st.caption(
    "Families in each band, as a share of the team's caseload; each segment is labelled with its band's initial "
    f"({', '.join(_initial(band) for band in BAND_PRIORITY)}) and its number of families."
)
show_figures(latest[["team", *(b for b, _ in BAND_SEGMENTS)]].rename(columns={"team": "Team", **dict(BAND_SEGMENTS)}))

st.subheader("How each role rates beside colleagues")
if severity.empty:
    st.info("No child was rated by two or more professionals at a closed meeting in these months.")
else:
    _chart(("roles", *figures_key), lambda: _sized(role_severity_chart(severity)))
    st.caption(
        "Every rating compared with each other professional's rating of the same child at the same meeting, over "
        "the months shown, by role (never by person). " + _severity_sentence(severity)
    )
    shares = {k: label for k, label in SEVERITY_PARTS}
    show_figures(
        severity[["role", "comparisons", *shares]]
        .assign(**{k: severity[k].map("{:.0%}".format) for k in shares})
        .rename(columns={"role": "Role", "comparisons": "Comparisons", **shares})
    )

_outcomes_section(user, counts, office_id, (outcomes_version, _database(), office_id), version.first_meeting)

st.subheader("Accounts given access to ratings, last 90 days")
grants = ratings_access_grants(engine(), user, dt.date.today() - dt.timedelta(days=90))
if not grants:
    st.info("No account was given access to your teams' ratings in the last 90 days.")
else:
    show_grid(
        pd.DataFrame(
            [
                {
                    "When (UTC)": f"{g.on:%d/%m/%Y %H:%M}",
                    "Account": g.account,
                    "Role": g.role.label,
                    "Team": g.team or "their office's teams",
                    "By": g.by,
                    "How": g.how,
                }
                for g in grants
            ]
        )
    )
    st.caption(
        "Every account that can read a team's ratings, new or changed, with the administrator who did it: an "
        "administrator sees no ratings, so an account made or reset by one should be one you expect."
    )
