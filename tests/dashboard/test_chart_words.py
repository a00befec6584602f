"""Service overview charts never rely on colour alone (WCAG 1.4.1) and keep their words readable (1.4.3): the words
each chart writes on itself, read from the chart's own specification."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.components.heatmaps import (
    SEVERITY_COLOURS,
    figures_by_month,
    heatmap,
    monthly_bars,
    outcomes_chart,
    role_severity_chart,
    team_comparison,
)
from risk.presentation import BAND_COLOUR, BAND_INK, MARK_OUTLINE
from risk.vocabulary import Band
from tests.risk.test_presentation import contrast


def _layer_rows(chart: object) -> list[dict]:
    spec = chart.to_dict()  # type: ignore[attr-defined]
    return [row for rows in spec["datasets"].values() for row in rows]


def test_each_team_comparison_segment_says_its_band_in_the_ink_for_its_colour() -> None:
    latest = pd.DataFrame({"team": ["Oak team"], "red": [2], "amber": [5], "unrated": [0], "green": [9]})
    chart = team_comparison(latest)
    rows = {row["band"]: row for row in _layer_rows(chart)}
    assert rows["Red"]["label"] == "R 2" and rows["Amber"]["label"] == "A 5" and rows["Green"]["label"] == "G 9"
    assert rows["Red"]["ink"] == BAND_INK[Band.RED] and rows["Amber"]["ink"] == BAND_INK[Band.AMBER]
    spec = chart.to_dict()
    bars, words = spec["layer"]
    assert words["encoding"]["text"]["field"] == "label"
    assert words["encoding"]["color"] == {"field": "ink", "scale": None, "type": "nominal"}
    assert bars["mark"]["stroke"] == MARK_OUTLINE, "amber and grey segments stand out from the white page"
    assert BAND_COLOUR[Band.AMBER] in spec["layer"][0]["encoding"]["color"]["scale"]["range"]


def test_the_outcomes_chart_names_each_plan_at_the_end_of_its_line() -> None:
    totals = pd.DataFrame(
        {
            "month": [dt.date(2026, 9, 30), dt.date(2026, 10, 31), dt.date(2026, 9, 30), dt.date(2026, 10, 31)],
            "status": ["CP", "CP", "CLA", "CLA"],
            "children": [12, 10, 4, 5],
        }
    )
    spec = outcomes_chart(totals, dt.date(2026, 9, 1)).to_dict()
    ends = next(layer for layer in spec["layer"] if layer["encoding"].get("text", {}).get("field") == "end")
    assert ends["mark"]["color"] == "black"
    words = {row["end"] for row in _layer_rows(outcomes_chart(totals, dt.date(2026, 9, 1))) if "end" in row}
    assert words == {"CP 10", "CLA 5"}


def test_a_heatmaps_labels_turn_black_on_faded_unselected_cells() -> None:
    frame = pd.DataFrame({"team": ["Oak team"], "month": [dt.date(2026, 10, 31)], "share": [0.9], "families": [10]})
    spec = heatmap(frame, "team", "share", "Red", percent=True).to_dict()
    labels = spec["layer"][1]["encoding"]["color"]
    assert labels["condition"]["param"] == "cell" and labels["value"] == "black"


def test_a_heatmaps_figures_table_has_a_row_per_team_and_a_column_per_month_as_labelled() -> None:
    frame = pd.DataFrame(
        {
            "team": ["Oak team", "Oak team", "Ash team"],
            "month": [dt.date(2026, 9, 30), dt.date(2026, 10, 31), dt.date(2026, 10, 31)],
            "red_share": [0.25, None, 0.5],
        }
    )
    table = figures_by_month(frame, "team", "red_share", "{:.0%}")
    assert table.columns.tolist() == ["Team", "09/2026", "10/2026"]
    assert table.set_index("Team").to_dict("index") == {
        "Ash team": {"09/2026": "–", "10/2026": "50%"},
        "Oak team": {"09/2026": "25%", "10/2026": "–"},
    }


def test_bars_in_light_colours_are_outlined() -> None:
    severity = pd.DataFrame(
        {"role": ["Social worker"], "ratings": [10], "comparisons": [20], "more_severe": [0.2], "same": [0.7],
         "less_severe": [0.1]}
    )  # fmt: skip
    assert role_severity_chart(severity).to_dict()["layer"][0]["mark"]["stroke"] == MARK_OUTLINE
    flows = pd.DataFrame({"month": [dt.date(2026, 10, 31)], "status": ["PLO"], "started": [3]})
    assert (
        monthly_bars(flows, "started", "Plans started", colour_by="status").to_dict()["layer"][0]["mark"]["stroke"]
        == MARK_OUTLINE
    )


def test_each_role_comparison_label_reads_on_its_segment() -> None:
    """WCAG 1.4.3: a label of the "How each role rates" bars in black on the red or green segment was 3.7-4.1:1."""
    severity = pd.DataFrame(
        {"role": ["Social worker"], "ratings": [10], "comparisons": [20], "more_severe": [0.3], "same": [0.4],
         "less_severe": [0.3]}
    )  # fmt: skip
    spec = role_severity_chart(severity).to_dict()
    text = spec["layer"][1]
    assert text["encoding"]["color"] == {"field": "ink", "type": "nominal", "scale": None}
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    fills = dict(zip(SEVERITY_COLOURS.domain, SEVERITY_COLOURS.range, strict=True))
    assert {row["part"] for row in rows} == set(fills)
    for row in rows:
        assert contrast(row["ink"], fills[row["part"]]) >= 4.5, row
