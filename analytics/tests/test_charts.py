"""The SVG charts, parsed back: the bars, points and labels a reader sees."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from django.utils import translation

from analytics.charts import (
    Series,
    compliance_chart,
    duration_chart,
    hbar_chart,
    line_chart,
    trend_chart,
)
from analytics.tests.ui_samples import sample_dashboard

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{NS}text")]


def test_trend_chart_draws_both_series_and_breaks_at_a_missing_month():
    dashboard = sample_dashboard()
    with translation.override("nl"):
        root = parse(trend_chart(dashboard.trend))
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Verzuimpercentage per maand"
    assert "gestreepte lijn" in root.find(f"{NS}desc").text
    # 3 of 4 months have a value: 3 circles for the first series, 3 squares
    # for the second, and each line is broken by the empty month.
    first = root.find(f"{NS}g[@class='series series-0']")
    second = root.find(f"{NS}g[@class='series series-1']")
    assert len(first.findall(f"{NS}circle")) == 3
    assert len(second.findall(f"{NS}rect")) == 3
    assert len(first.findall(f"{NS}polyline")) == 2
    assert all(p.get("stroke-dasharray") for p in second.findall(f"{NS}polyline"))
    tips = [t.text for t in first.iter(f"{NS}title")]
    assert "Verzuimpercentage, Feb 2026: 5,6%" in tips
    labels = texts(root)
    assert {"Jan", "Feb", "Mrt", "Apr"} <= set(labels)
    assert labels.count("2026") == 1  # the year once, under its first month
    assert "Zonder zwangerschap" in labels  # the legend names the dashed line
    # No inline style anywhere (the CSP forbids it).
    assert not any(el.get("style") for el in root.iter())
    assert root.find(f"{NS}style") is None


def test_trend_chart_speaks_english():
    with translation.override("en"):
        root = parse(trend_chart(sample_dashboard().trend))
    labels = texts(root)
    assert "Without pregnancy" in labels
    assert "Feb" in labels
    tips = [t.text for t in root.iter(f"{NS}title")]
    assert "Absence rate, Feb 2026: 5.6%" in tips


def test_higher_value_is_drawn_higher():
    svg = line_chart(
        name="t",
        title="t",
        desc="d",
        x_labels=["a", "b"],
        series=[Series("s", [Decimal("1"), Decimal("9")], "#000")],
        y_label="y",
    )
    circles = parse(svg).findall(f".//{NS}circle")
    assert float(circles[1].get("cy")) < float(circles[0].get("cy"))


def test_empty_trend_says_so():
    with translation.override("nl"):
        root = parse(
            line_chart(
                name="t",
                title="t",
                desc="d",
                x_labels=["jan"],
                series=[Series("s", [None], "#000")],
                y_label="y",
            )
        )
    assert "Geen gegevens in deze periode" in texts(root)
    assert root.find(f".//{NS}g[@class='series series-0']/{NS}circle") is None


def test_duration_chart_has_a_bar_per_class_with_count_and_share():
    with translation.override("nl"):
        root = parse(duration_chart(sample_dashboard().verzuimduur))
    bars = [r for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]
    assert len(bars) == 4
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] > heights[1] == heights[2] > heights[3] == 0
    labels = texts(root)
    assert {"3 (60,0%)", "1 (20,0%)", "0 (0,0%)"} <= set(labels)
    assert {"kort", "middellang", "lang", "extra lang", "(1-14 dagen)"} <= set(labels)
    assert {"0", "1", "2", "3", "4", "5"} <= set(labels)  # whole-number ticks
    assert "0,4" not in labels


def test_compliance_chart_writes_percentage_and_counts_and_geen():
    with translation.override("nl"):
        root = parse(compliance_chart(sample_dashboard().compliance))
    bars = [r for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]
    tracks = [r for r in root.iter(f"{NS}rect") if r.get("class") == "track"]
    assert len(tracks) == 3  # one per milestone
    assert len(bars) == 2  # the milestone with nothing due has no bar
    assert float(bars[1].get("width")) == float(tracks[1].get("width"))  # 100%
    labels = texts(root)
    assert "Probleemanalyse bedrijfsarts" in labels
    assert "75,0% (3/4)" in labels
    assert "geen (0 verschuldigd)" in labels


def test_text_is_escaped():
    svg = hbar_chart(
        name="x",
        title="<script>alert(1)</script>",
        desc="a & b",
        labels=['<img src=x onerror="1">'],
        values=[Decimal("50")],
        value_labels=["50%"],
    )
    assert "<script>" not in svg and "<img" not in svg
    root = parse(svg)
    assert root.find(f"{NS}title").text == "<script>alert(1)</script>"


def test_long_bar_labels_wrap_onto_two_lines_instead_of_clipping():
    label = "Problem analysis by the company doctor (probleemanalyse)"
    root = parse(
        hbar_chart(
            name="x",
            title="t",
            desc="d",
            labels=[label],
            values=[Decimal("50")],
            value_labels=["50%"],
        )
    )
    lines = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "y-label"]
    assert lines == ["Problem analysis by the company doctor", "(probleemanalyse)"]
