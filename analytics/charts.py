"""Small server-side SVG charts: no JavaScript, readable in print.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>``, its
axis labels and values as text, and no meaning carried by colour alone (the
two trend lines differ in dash and marker, and the legend names them). Only
presentation attributes (``fill``, ``stroke``) and CSS classes are used: the
site's Content-Security-Policy forbids inline styles, and WeasyPrint draws
the same markup in the PDF. Text goes through ElementTree, which escapes it.
The page shows a table with the same numbers under every chart.
"""

from __future__ import annotations

import math
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from analytics.figures import Compliance, MonthlyPercentage, Verzuimduur
from analytics.presentation import milestone_label, number

FONT = "Hervat Sans, DejaVu Sans, Arial, sans-serif"
INK = "#111111"
MUTED = "#555555"
GRID = "#c8ccd4"
PRIMARY = "#0b3a6e"
SECONDARY = "#b35c00"
FONT_SIZE = 12
# Characters of a bar label per line in the horizontal bar chart.
LABEL_CHARS = 40


@dataclass(frozen=True)
class Series:
    """One line of a line chart; ``dashed`` and ``marker`` tell it apart
    without colour."""

    label: str
    values: Sequence[Decimal | None]
    colour: str
    dashed: bool = False
    marker: str = "circle"  # or "square"


def _svg(*, name: str, width: int, height: int, title: str, desc: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{name}-title {name}-desc",
            "class": f"chart chart-{name}",
            "font-family": FONT,
            "font-size": str(FONT_SIZE),
        },
    )
    ET.SubElement(svg, "title", {"id": f"{name}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{name}-desc"}).text = desc
    return svg


def _text(
    parent: ET.Element,
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    css: str = "",
    fill: str = INK,
    size: int | None = None,
) -> ET.Element:
    attrs = {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": anchor, "fill": fill}
    if css:
        attrs["class"] = css
    if size:
        attrs["font-size"] = str(size)
    element = ET.SubElement(parent, "text", attrs)
    element.text = text
    return element


def _line(
    parent: ET.Element, x1: float, y1: float, x2: float, y2: float, **attrs: str
) -> None:
    ET.SubElement(
        parent,
        "line",
        {
            "x1": f"{x1:.1f}",
            "y1": f"{y1:.1f}",
            "x2": f"{x2:.1f}",
            "y2": f"{y2:.1f}",
            "stroke": GRID,
            **attrs,
        },
    )


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 x 10^n)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover - 10 always fits


def _marker(
    parent: ET.Element, kind: str, x: float, y: float, colour: str, tip: str, css: str
) -> None:
    if kind == "square":
        element = ET.SubElement(
            parent,
            "rect",
            {
                "x": f"{x - 4:.1f}",
                "y": f"{y - 4:.1f}",
                "width": "8",
                "height": "8",
                "fill": "none",
                "stroke": colour,
                "stroke-width": "2",
                "class": css,
            },
        )
    else:
        element = ET.SubElement(
            parent,
            "circle",
            {
                "cx": f"{x:.1f}",
                "cy": f"{y:.1f}",
                "r": "4",
                "fill": colour,
                "class": css,
            },
        )
    ET.SubElement(element, "title").text = tip


def _render(svg: ET.Element) -> SafeString:
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308 - escaped by ElementTree


def line_chart(
    *,
    name: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    unit: str = "%",
    x_sublabels: Sequence[str] | None = None,
) -> SafeString:
    """A line chart of ``series`` over ``x_labels``; a None value breaks the
    line there. ``x_sublabels`` (the year under the months) are written on a
    second line where they change; the tooltips name both."""
    width, height = 680, 320
    left, right, top, bottom = 64, 16, 52, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    svg = _svg(name=name, width=width, height=height, title=title, desc=desc)

    known = [float(v) for s in series for v in s.values if v is not None]
    y_max = _nice_max(max(known) * 1.1 if known else 0)
    ticks = 5
    for i in range(ticks + 1):
        value = y_max * i / ticks
        y = top + plot_h - plot_h * i / ticks
        _line(svg, left, y, left + plot_w, y, **{"class": "grid"})
        _text(
            svg, left - 6, y + 4, number(Decimal(str(value))), anchor="end", fill=MUTED
        )
    # y-axis title, turned
    axis_title = _text(
        svg,
        14,
        top + plot_h / 2,
        f"{y_label} ({unit})",
        anchor="middle",
        css="axis-title",
    )
    axis_title.set("transform", f"rotate(-90 14 {top + plot_h / 2:.1f})")

    count = len(x_labels)
    step_x = plot_w / max(count, 1)

    def x_at(index: int) -> float:
        return left + step_x * (index + 0.5)

    every = max(1, math.ceil(count / 12))
    previous_sub: str | None = None
    for index, label in enumerate(x_labels):
        _line(svg, x_at(index), top + plot_h, x_at(index), top + plot_h + 4, stroke=INK)
        if index % every == 0:
            _text(
                svg,
                x_at(index),
                top + plot_h + 18,
                label,
                anchor="middle",
                css="x-label",
            )
        sub = x_sublabels[index] if x_sublabels else None
        if sub and sub != previous_sub:
            _text(
                svg,
                x_at(index),
                top + plot_h + 34,
                sub,
                anchor="middle",
                css="x-sublabel",
                fill=MUTED,
            )
        previous_sub = sub

    def point_label(index: int) -> str:
        if x_sublabels:
            return f"{x_labels[index]} {x_sublabels[index]}"
        return x_labels[index]

    _line(svg, left, top + plot_h, left + plot_w, top + plot_h, stroke=INK)
    _line(svg, left, top, left, top + plot_h, stroke=INK)

    def y_at(value: Decimal) -> float:
        return top + plot_h - plot_h * float(value) / y_max

    for number_, line in enumerate(series):
        group = ET.SubElement(svg, "g", {"class": f"series series-{number_}"})
        segment: list[str] = []
        segments: list[list[str]] = []
        for index, value in enumerate(line.values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_at(index):.1f},{y_at(value):.1f}")
        if segment:
            segments.append(segment)
        for points in segments:
            attrs = {
                "points": " ".join(points),
                "fill": "none",
                "stroke": line.colour,
                "stroke-width": "2.5",
            }
            if line.dashed:
                attrs["stroke-dasharray"] = "7 4"
            ET.SubElement(group, "polyline", attrs)
        for index, value in enumerate(line.values):
            if value is not None:
                _marker(
                    group,
                    line.marker,
                    x_at(index),
                    y_at(value),
                    line.colour,
                    f"{line.label}, {point_label(index)}: {number(value)}{unit}",
                    "point",
                )
        # legend: line sample, marker and name
        lx = left + number_ * (plot_w / 2)
        legend = ET.SubElement(svg, "g", {"class": "legend"})
        sample = {
            "x1": f"{lx:.1f}",
            "y1": "18",
            "x2": f"{lx + 36:.1f}",
            "y2": "18",
            "stroke": line.colour,
            "stroke-width": "2.5",
        }
        if line.dashed:
            sample["stroke-dasharray"] = "7 4"
        ET.SubElement(legend, "line", sample)
        _marker(
            legend, line.marker, lx + 18, 18, line.colour, line.label, "legend-marker"
        )
        _text(legend, lx + 44, 22, line.label)

    if not known:
        _text(
            svg,
            left + plot_w / 2,
            top + plot_h / 2,
            _("Geen gegevens in deze periode"),
            anchor="middle",
            fill=MUTED,
        )
    return _render(svg)


def bar_chart(
    *,
    name: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[int],
    value_labels: Sequence[str],
    y_label: str,
) -> SafeString:
    """Vertical bars, each with its value written above it and its label
    (two lines when it has a part in brackets) below."""
    width, height = 680, 300
    left, right, top, bottom = 64, 16, 24, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    svg = _svg(name=name, width=width, height=height, title=title, desc=desc)
    # Counts: at least 0..5, so the five ticks are whole numbers.
    y_max = max(_nice_max(max(values, default=0) * 1.15), 5.0)
    ticks = 5
    for i in range(ticks + 1):
        value = y_max * i / ticks
        y = top + plot_h - plot_h * i / ticks
        _line(svg, left, y, left + plot_w, y, **{"class": "grid"})
        tick = f"{value:g}" if value == int(value) else number(Decimal(str(value)))
        _text(svg, left - 6, y + 4, tick, anchor="end", fill=MUTED)
    axis_title = _text(
        svg, 14, top + plot_h / 2, y_label, anchor="middle", css="axis-title"
    )
    axis_title.set("transform", f"rotate(-90 14 {top + plot_h / 2:.1f})")
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.6
    for index, (label, value, value_label) in enumerate(
        zip(labels, values, value_labels, strict=True)
    ):
        x = left + slot * index + (slot - bar_w) / 2
        bar_h = plot_h * value / y_max
        rect = ET.SubElement(
            svg,
            "rect",
            {
                "x": f"{x:.1f}",
                "y": f"{top + plot_h - bar_h:.1f}",
                "width": f"{bar_w:.1f}",
                "height": f"{bar_h:.1f}",
                "fill": PRIMARY,
                "stroke": INK,
                "stroke-width": "0.5",
                "class": "bar",
            },
        )
        ET.SubElement(rect, "title").text = f"{label}: {value_label}"
        centre = x + bar_w / 2
        _text(
            svg,
            centre,
            top + plot_h - bar_h - 6,
            value_label,
            anchor="middle",
            css="value",
        )
        head, _sep, tail = label.partition(" (")
        _text(svg, centre, top + plot_h + 18, head, anchor="middle", css="x-label")
        if tail:
            _text(
                svg,
                centre,
                top + plot_h + 34,
                f"({tail}",
                anchor="middle",
                css="x-label",
                fill=MUTED,
            )
    _line(svg, left, top + plot_h, left + plot_w, top + plot_h, stroke=INK)
    _line(svg, left, top, left, top + plot_h, stroke=INK)
    return _render(svg)


def hbar_chart(
    *,
    name: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    value_labels: Sequence[str],
) -> SafeString:
    """Horizontal bars on a 0-100% scale, one row per label, each bar on a
    framed track (so an empty bar still reads in print) with its value
    written after it; a None value is written as "geen"."""
    row_h = 36
    left, right, top, bottom = 290, 150, 14, 34
    width = 680
    plot_w = width - left - right
    height = top + row_h * max(len(labels), 1) + bottom
    svg = _svg(name=name, width=width, height=height, title=title, desc=desc)
    plot_bottom = top + row_h * len(labels)
    for pct in (0, 25, 50, 75, 100):
        x = left + plot_w * pct / 100
        _line(svg, x, top, x, plot_bottom, **{"class": "grid"})
        _text(svg, x, plot_bottom + 16, f"{pct}%", anchor="middle", fill=MUTED)
    for index, (label, value, value_label) in enumerate(
        zip(labels, values, value_labels, strict=True)
    ):
        y = top + row_h * index
        # A long label (English milestone names) on two lines, never clipped.
        lines = textwrap.wrap(label, LABEL_CHARS) or [""]
        if len(lines) > 2:
            lines = [lines[0], " ".join(lines[1:])]
        first_y = y + row_h / 2 + 4 - 7 * (len(lines) - 1)
        for number_, line in enumerate(lines):
            _text(
                svg,
                left - 8,
                first_y + 14 * number_,
                line,
                anchor="end",
                css="y-label",
            )
        ET.SubElement(
            svg,
            "rect",
            {
                "x": str(left),
                "y": f"{y + 7:.1f}",
                "width": str(plot_w),
                "height": str(row_h - 14),
                "fill": "none",
                "stroke": GRID,
                "class": "track",
            },
        )
        if value is not None:
            bar = ET.SubElement(
                svg,
                "rect",
                {
                    "x": str(left),
                    "y": f"{y + 7:.1f}",
                    "width": f"{plot_w * min(float(value), 100) / 100:.1f}",
                    "height": str(row_h - 14),
                    "fill": PRIMARY,
                    "stroke": INK,
                    "stroke-width": "0.5",
                    "class": "bar",
                },
            )
            ET.SubElement(bar, "title").text = f"{label}: {value_label}"
        _text(svg, left + plot_w + 8, y + row_h / 2 + 4, value_label, css="value")
    if not labels:
        _text(
            svg,
            left + plot_w / 2,
            top + row_h / 2 + 4,
            _("Geen gegevens in deze periode"),
            anchor="middle",
            fill=MUTED,
        )
    return _render(svg)


def trend_chart(trend: Sequence[MonthlyPercentage]) -> SafeString:
    """The monthly verzuimpercentage, with and without pregnancy-related
    absence."""
    with_label = _("Verzuimpercentage")
    without_label = _("Zonder zwangerschap")
    return line_chart(
        name="trend",
        title=_("Verzuimpercentage per maand"),
        desc=_(
            "Lijn met cirkels: verzuimpercentage; gestreepte lijn met vierkanten: "
            "zonder zwangerschap. De tabel eronder geeft dezelfde getallen."
        ),
        x_labels=[formats.date_format(m.month, "M") for m in trend],
        x_sublabels=[str(m.month.year) for m in trend],
        series=[
            Series(with_label, [m.percentage for m in trend], PRIMARY),
            Series(
                without_label,
                [m.percentage_excl_pregnancy for m in trend],
                SECONDARY,
                dashed=True,
                marker="square",
            ),
        ],
        y_label=_("Verzuimpercentage"),
    )


def duration_chart(verzuimduur: Verzuimduur) -> SafeString:
    """The ended cases per duration class."""
    classes = verzuimduur.classes
    return bar_chart(
        name="duurklassen",
        title=_("Beëindigde verzuimgevallen per duurklasse"),
        desc=_("Staafdiagram: aantal verzuimgevallen per duurklasse, met hun aandeel."),
        labels=[c.duration_class.label for c in classes],
        values=[c.cases for c in classes],
        value_labels=[
            f"{c.cases} ({number(c.share)}%)" if c.share is not None else str(c.cases)
            for c in classes
        ],
        y_label=_("Verzuimgevallen"),
    )


def compliance_chart(compliance: Compliance) -> SafeString:
    """The share of legal milestones met on time, per milestone."""
    milestones = compliance.milestones
    return hbar_chart(
        name="naleving",
        title=_("Wettelijke stappen op tijd per mijlpaal"),
        desc=_(
            "Liggend staafdiagram: per mijlpaal het percentage dat op tijd is "
            "gedaan, met het aantal op tijd van het aantal verschuldigd."
        ),
        labels=[milestone_label(m.milestone) for m in milestones],
        values=[m.percentage_on_time for m in milestones],
        value_labels=[
            f"{number(m.percentage_on_time)}% ({m.on_time}/{m.due})"
            if m.percentage_on_time is not None
            else _("geen (0 verschuldigd)")
            for m in milestones
        ],
    )
