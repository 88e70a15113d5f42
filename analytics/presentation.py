"""What a person reads on the dashboard, in the export and in the report.

The figures (``analytics.figures``) are numbers; this module turns one
``Dashboard`` into *cards* (a value, its definition and the formula with the
actual numbers filled in) and *tables* (the same numbers as rows, for the
table under each chart, the CSV and XLSX exports and the PDF). The page, the
exports and the report all read from here, so they never disagree.

Texts are translated when the functions run (the active language), and
numbers are formatted for that language (decimal comma in Dutch).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analytics.figures import Dashboard, MonthlyPercentage
from analytics.periods import Period, PeriodKind
from poortwachter.labels import MILESTONE_LABELS

# A value in a table cell: text, a count, a decimal figure, a date or nothing.
Cell = str | int | Decimal | dt.date | None

# What a missing figure (no denominator) looks like.
NO_VALUE = "-"


def number(value: Decimal | int | None, decimals: int = 1) -> str:
    """``value`` for the active language (``4,3`` in Dutch), ``-`` for None."""
    if value is None:
        return NO_VALUE
    if isinstance(value, int):
        return str(value)
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=decimals)


def milestone_label(code: str) -> str:
    return str(MILESTONE_LABELS.get(code, code))


@dataclass(frozen=True)
class Card:
    """One figure as shown: its value, what it means, how it is computed."""

    key: str  # the table (export) holding its numbers
    title: str
    value: str
    unit: str
    definition: str
    formula: str  # in words
    filled: str  # the same with this period's numbers


@dataclass(frozen=True)
class Table:
    """One figure's numbers as rows: a sheet of the XLSX, a CSV file, the
    table under a chart."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def shown(self) -> list[list[tuple[str, bool]]]:
        """The rows as the page and the PDF show them: (text, is a number)."""
        return [
            [(display(cell), not isinstance(cell, str | dt.date)) for cell in row]
            for row in self.rows
        ]


# The figures of a dashboard, in the order of the page; the ``figure``
# parameter of the export takes these keys.
TABLE_KEYS = (
    "verzuimpercentage",
    "trend",
    "meldingsfrequentie",
    "verzuimduur",
    "duurklassen",
    "nulverzuim",
    "frequent_verzuim",
    "naleving",
    "naleving_mijlpalen",
)


def _annualisation_text(period: Period, as_of: dt.date) -> str:
    """How the meldingsfrequentie became a yearly figure (as the selector
    does it): x12, x4, x1 for a closed month, quarter, year, otherwise
    x 365 / the days counted so far."""
    if period.is_closed(as_of):
        if period.kind == PeriodKind.MONTH:
            return "x 12"
        if period.kind == PeriodKind.QUARTER:
            return "x 4"
        if period.kind == PeriodKind.YEAR:
            return "x 1"
    counted = (period.until(as_of) - period.start).days + 1
    return _("x 365 / %(days)s dagen") % {"days": counted}


def cards(dashboard: Dashboard, period: Period) -> list[Card]:
    """The figure cards of ``dashboard`` (computed over ``period``)."""
    vp = dashboard.verzuimpercentage
    mf = dashboard.meldingsfrequentie
    duur = dashboard.verzuimduur
    nul = dashboard.nulverzuim
    freq = dashboard.frequent_absence
    comp = dashboard.compliance
    no_denominator = _("geen waarde: de noemer is 0")

    def filled(result: Decimal | None, text: str, unit: str = "") -> str:
        if result is None:
            return f"{text} - {no_denominator}"
        return f"{text} = {number(result)}{unit}"

    late_text = _(
        "%(value)s dagen, gemiddeld over %(steps)s te late of gemiste stappen"
    )
    vp_formula = _(
        "100 x som van de ziektedagen (deeltijdfactor x AO-factor) / som van "
        "de dienstverbanddagen (deeltijdfactor), in kalenderdagen"
    )
    return [
        Card(
            key="verzuimpercentage",
            title=_("Verzuimpercentage"),
            value=number(vp.percentage),
            unit="%",
            definition=_(
                "Het deel van de beschikbare kalenderdagen dat werknemers ziek "
                "waren, gewogen naar deeltijdfactor en mate van "
                "arbeidsongeschiktheid (Vernet). Dagen na vandaag tellen nog niet."
            ),
            formula=vp_formula,
            filled=filled(
                vp.percentage,
                f"100 x {number(vp.sick_days)} / {number(vp.employment_days)}",
                "%",
            ),
        ),
        Card(
            key="verzuimpercentage",
            title=_("Verzuimpercentage zonder zwangerschap"),
            value=number(vp.percentage_excl_pregnancy),
            unit="%",
            definition=_(
                "Hetzelfde, zonder de verzuimgevallen met een vangnet wegens "
                "zwangerschap of bevalling, zoals Vernet het toont."
            ),
            formula=vp_formula,
            filled=filled(
                vp.percentage_excl_pregnancy,
                f"100 x {number(vp.sick_days_excl_pregnancy)} / "
                f"{number(vp.employment_days)}",
                "%",
            ),
        ),
        Card(
            key="meldingsfrequentie",
            title=_("Meldingsfrequentie per jaar"),
            value=number(mf.annualised, 2),
            unit="",
            definition=_(
                "Het aantal ziekmeldingen (verzuimgevallen met de eerste "
                "ziektedag in de periode) per werknemer, omgerekend naar een "
                "jaar. Niet gewogen naar deeltijd."
            ),
            formula=_(
                "ziekmeldingen / gemiddelde personeelssterkte, maal het aantal "
                "perioden per jaar"
            ),
            filled=(
                f"{mf.reports} / {number(mf.average_headcount)} "
                f"{_annualisation_text(period, dashboard.as_of)} = "
                f"{number(mf.annualised, 2)}"
                if mf.annualised is not None
                else f"{mf.reports} / {number(mf.average_headcount)} - {no_denominator}"
            ),
        ),
        Card(
            key="verzuimduur",
            title=_("Gemiddelde verzuimduur"),
            value=number(duur.mean_days),
            unit=_("dagen"),
            definition=_(
                "De gemiddelde lengte van de verzuimgevallen die in de periode "
                "eindigden (hersteldatum in de periode), in kalenderdagen van "
                "de eerste ziektedag tot de hersteldatum, hooguit 730."
            ),
            formula=_("som van de verzuimduren / aantal beëindigde verzuimgevallen"),
            filled=filled(duur.mean_days, f"{duur.total_days} / {duur.ended_cases}"),
        ),
        Card(
            key="nulverzuim",
            title=_("Nulverzuim"),
            value=number(nul.percentage),
            unit="%",
            definition=_(
                "Het deel van de werknemers in dienst in de periode zonder "
                "ziekmelding in de periode."
            ),
            formula=_(
                "100 x werknemers zonder ziekmelding / werknemers in dienst in "
                "de periode"
            ),
            filled=filled(
                nul.percentage, f"100 x {nul.without_report} / {nul.employees}", "%"
            ),
        ),
        Card(
            key="frequent_verzuim",
            title=_("Frequent verzuim"),
            value=str(freq.employees),
            unit=ngettext("werknemer", "werknemers", freq.employees),
            definition=_(
                "Werknemers met 3 of meer ziekmeldingen in de 12 maanden tot "
                "en met de laatste getelde dag. Alleen het aantal, nooit namen."
            ),
            formula=_("aantal werknemers met 3 of meer ziekmeldingen in 12 maanden"),
            filled=_(
                "%(count)s werknemers, ziekmeldingen van %(start)s tot en met %(end)s"
            )
            % {
                "count": freq.employees,
                "start": formats.date_format(freq.window_start, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(freq.window_end, "SHORT_DATE_FORMAT"),
            },
        ),
        Card(
            key="naleving",
            title=_("Verlopen wettelijke stappen"),
            value=str(comp.overdue_now),
            unit="",
            definition=_(
                "Open wettelijke stappen (Poortwachter) waarvan de termijn "
                "vandaag verstreken is."
            ),
            formula=_("aantal open wettelijke stappen met een termijn vóór vandaag"),
            filled=str(comp.overdue_now),
        ),
        Card(
            key="naleving",
            title=_("Risico op een loonsanctie"),
            value=str(comp.at_risk_cases),
            unit=ngettext("dossier", "dossiers", comp.at_risk_cases),
            definition=_(
                "Open dossiers voorbij de 42e-weeksmelding waarvan het "
                "re-integratieverslag niet compleet is."
            ),
            formula=_(
                "dossiers met een onvolledig re-integratieverslag / open "
                "dossiers voorbij week 42"
            ),
            filled=f"{comp.at_risk_cases} / {comp.open_long_cases}",
        ),
        Card(
            key="naleving",
            title=_("Gemiddeld aantal dagen te laat"),
            value=number(comp.average_days_late),
            unit=_("dagen"),
            definition=_(
                "Over elke wettelijke stap die te laat gedaan is of nog open "
                "staat na de termijn: de dagen tussen de termijn en de "
                "uitvoering (of vandaag)."
            ),
            formula=_("som van de dagen te laat / aantal te late of gemiste stappen"),
            filled=(
                late_text
                % {
                    "value": number(comp.average_days_late),
                    "steps": sum(m.late + m.missed for m in comp.milestones),
                }
                if comp.average_days_late is not None
                else no_denominator
            ),
        ),
    ]


def trend_table(trend: Sequence[MonthlyPercentage]) -> Table:
    """The verzuimpercentage per month, with and without pregnancy."""
    return Table(
        "trend",
        _("Verzuimpercentage per maand"),
        (
            _("Maand"),
            _("Verzuimpercentage (%)"),
            _("Zonder zwangerschap (%)"),
        ),
        tuple(
            (
                f"{month.month:%Y-%m}",
                month.percentage,
                month.percentage_excl_pregnancy,
            )
            for month in trend
        ),
    )


def tables(dashboard: Dashboard) -> dict[str, Table]:
    """Every figure of ``dashboard`` as a table, keyed as ``TABLE_KEYS``."""
    vp = dashboard.verzuimpercentage
    mf = dashboard.meldingsfrequentie
    duur = dashboard.verzuimduur
    nul = dashboard.nulverzuim
    freq = dashboard.frequent_absence
    comp = dashboard.compliance
    name, value = _("Grootheid"), _("Waarde")
    out = [
        Table(
            "verzuimpercentage",
            _("Verzuimpercentage"),
            (name, value),
            (
                (_("Verzuimpercentage (%)"), vp.percentage),
                (
                    _("Verzuimpercentage zonder zwangerschap (%)"),
                    vp.percentage_excl_pregnancy,
                ),
                (_("Ziektedagen (gewogen)"), vp.sick_days),
                (
                    _("Ziektedagen zonder zwangerschap (gewogen)"),
                    vp.sick_days_excl_pregnancy,
                ),
                (_("Dienstverbanddagen (naar deeltijdfactor)"), vp.employment_days),
            ),
        ),
        trend_table(dashboard.trend),
        Table(
            "meldingsfrequentie",
            _("Meldingsfrequentie"),
            (name, value),
            (
                (_("Ziekmeldingen"), mf.reports),
                (_("Gemiddelde personeelssterkte"), mf.average_headcount),
                (_("Meldingsfrequentie in de periode"), mf.frequency),
                (_("Meldingsfrequentie per jaar"), mf.annualised),
            ),
        ),
        Table(
            "verzuimduur",
            _("Gemiddelde verzuimduur"),
            (name, value),
            (
                (_("Beëindigde verzuimgevallen"), duur.ended_cases),
                (_("Som van de verzuimduren (dagen)"), duur.total_days),
                (_("Gemiddelde verzuimduur (dagen)"), duur.mean_days),
            ),
        ),
        Table(
            "duurklassen",
            _("Duurklassen"),
            (
                _("Duurklasse"),
                _("Van (dagen)"),
                _("Tot en met (dagen)"),
                _("Verzuimgevallen"),
                _("Aandeel (%)"),
            ),
            tuple(
                (
                    row.duration_class.label,
                    row.duration_class.bounds[0],
                    row.duration_class.bounds[1],
                    row.cases,
                    row.share,
                )
                for row in duur.classes
            ),
        ),
        Table(
            "nulverzuim",
            _("Nulverzuim"),
            (name, value),
            (
                (_("Werknemers in dienst"), nul.employees),
                (_("Werknemers zonder ziekmelding"), nul.without_report),
                (_("Nulverzuim (%)"), nul.percentage),
            ),
        ),
        Table(
            "frequent_verzuim",
            _("Frequent verzuim"),
            (name, value),
            (
                (_("Werknemers met 3 of meer ziekmeldingen"), freq.employees),
                (_("Ziekmeldingen vanaf"), freq.window_start),
                (_("Ziekmeldingen tot en met"), freq.window_end),
            ),
        ),
        Table(
            "naleving",
            _("Naleving Poortwachter"),
            (name, value),
            (
                (_("Verlopen wettelijke stappen nu"), comp.overdue_now),
                (_("Open dossiers voorbij week 42"), comp.open_long_cases),
                (_("Dossiers met risico op een loonsanctie"), comp.at_risk_cases),
                (_("Gemiddeld aantal dagen te laat"), comp.average_days_late),
            ),
        ),
        Table(
            "naleving_mijlpalen",
            _("Op tijd per mijlpaal"),
            (
                _("Mijlpaal"),
                _("Verschuldigd"),
                _("Op tijd"),
                _("Te laat"),
                _("Gemist"),
                _("Op tijd (%)"),
                _("Gemiddeld dagen te laat"),
            ),
            tuple(
                (
                    milestone_label(m.milestone),
                    m.due,
                    m.on_time,
                    m.late,
                    m.missed,
                    m.percentage_on_time,
                    m.average_days_late,
                )
                for m in comp.milestones
            ),
        ),
    ]
    return {table.key: table for table in out}


def display(cell: Cell, decimals: int = 1) -> str:
    """A table cell for the page and the PDF."""
    if isinstance(cell, Decimal | int) or cell is None:
        return number(cell, decimals)
    if isinstance(cell, dt.date):
        return formats.date_format(cell, "SHORT_DATE_FORMAT")
    return cell
