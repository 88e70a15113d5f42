"""The statistics pages (/t/<slug>/statistieken/...): thin, a selector and a
template. Who may see what is asked of ``accounts.access``."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import (
    Action,
    can,
    cases_visible_to,
    employers_with_statistics_for,
    reads_statistics,
)
from analytics import charts, exports, presentation, report
from analytics.forms import DashboardForm, ReportForm, employer_departments
from analytics.periods import Period, Scope
from analytics.selectors import dashboard as dashboard_selector
from analytics.selectors import verzuimpercentage_by_month
from cases.models import Employer
from cases.selectors import employer_get

EXPORT_FORMATS = ("csv", "xlsx")


def _employer(request: HttpRequest, pk: int) -> Employer:
    """The employer whose figures ``request.user`` may read, else 404 (not
    found and forbidden look the same)."""
    employer = employer_get(actor=request.user, employer_id=pk)
    if not can(request.user, Action.STATISTICS, employer):
        raise Http404
    return employer


def statistics_index(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The employers whose figures the user may open."""
    if not reads_statistics(request.user):
        raise Http404
    employers = employers_with_statistics_for(request.user).order_by("name")
    return render(request, "analytics/index.html", {"employers": employers})


def _scope_and_period(
    request: HttpRequest, employer: Employer, today: dt.date
) -> tuple[DashboardForm, Scope | None, Period | None]:
    form = DashboardForm(
        request.GET or None, departments=employer_departments(employer), today=today
    )
    if form.is_bound and not form.is_valid():
        return form, None, None
    period, department = form.result()
    return form, Scope(employer, department), period


def statistics_dashboard(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    """One employer's figures over the chosen period, with charts, tables,
    definitions and formulas."""
    employer = _employer(request, pk)
    today = timezone.localdate()
    form, scope, period = _scope_and_period(request, employer, today)
    context: dict[str, object] = {
        "employer": employer,
        "form": form,
        "report_form": ReportForm(today=today),
        "table_keys": presentation.TABLE_KEYS,
    }
    if scope is not None and period is not None:
        dashboard = dashboard_selector(scope, period, as_of=today)
        context.update(_figures(dashboard, period))
        context["at_risk"] = (
            _at_risk_cases(request, scope, today)
            if dashboard.compliance.at_risk_cases
            else []
        )
        context["query"] = request.GET.urlencode()
    return render(
        request,
        "analytics/dashboard.html",
        context,
        status=200 if scope is not None else 400,
    )


def _figures(dashboard: object, period: Period) -> dict[str, object]:
    """What the page and the PDF show of one dashboard."""
    tables = presentation.tables(dashboard)
    return {
        "dashboard": dashboard,
        "cards": presentation.cards(dashboard, period),
        "tables": tables,
        "trend_svg": charts.trend_chart(dashboard.trend),
        "duration_svg": charts.duration_chart(dashboard.verzuimduur),
        "compliance_svg": charts.compliance_chart(dashboard.compliance),
    }


def _at_risk_cases(request: HttpRequest, scope: Scope, today: dt.date) -> list:
    """The cases at risk of a loonsanctie by name, with what their
    re-integratieverslag misses: only the cases the user may open (none for
    the tenant admin, who reads aggregates only)."""
    from analytics.compliance import cases_at_risk

    visible_cases = cases_visible_to(request.user)
    if not visible_cases.exists():
        return []  # spares the re-integratieverslag check of every case
    at_risk = cases_at_risk(scope, as_of=today)
    visible = set(
        visible_cases.filter(pk__in=[item.case.pk for item in at_risk]).values_list(
            "pk", flat=True
        )
    )
    return [item for item in at_risk if item.case.pk in visible]


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request, "analytics/problem.html", {"message": message}, status=status
    )


def statistics_export(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The dashboard's figures as XLSX (all, or one ``figure``) or CSV (one
    ``figure``), for the same period parameters as the page."""
    employer = _employer(request, pk)
    today = timezone.localdate()
    file_format = request.GET.get("format", "xlsx")
    figure = request.GET.get("figure", "")
    if file_format not in EXPORT_FORMATS:
        return _problem(request, _("Kies als bestandsformaat csv of xlsx."), status=400)
    if figure and figure not in presentation.TABLE_KEYS:
        return _problem(request, _("Dit cijfer bestaat niet."), status=404)
    if file_format == "csv" and not figure:
        return _problem(
            request, _("Een CSV-bestand bevat één cijfer: kies welk."), status=400
        )
    params = request.GET.copy()
    for name in ("format", "figure"):
        params.pop(name, None)
    form = DashboardForm(
        params or None, departments=employer_departments(employer), today=today
    )
    if form.is_bound and not form.is_valid():
        return _problem(
            request,
            _("De periode klopt niet: %(errors)s")
            % {"errors": " ".join(str(e) for e in form.errors.values())},
            status=400,
        )
    period, department = form.result()
    dashboard = dashboard_selector(Scope(employer, department), period, as_of=today)
    tables = presentation.tables(dashboard)
    if file_format == "csv":
        content = exports.table_csv(tables[figure])
        name = exports.filename(dashboard, "csv", figure)
        content_type = exports.CSV_CONTENT_TYPE
    else:
        keys = [figure] if figure else list(presentation.TABLE_KEYS)
        content = exports.dashboard_xlsx(dashboard, [tables[key] for key in keys])
        name = exports.filename(dashboard, "xlsx", figure)
        content_type = exports.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _months_before(first: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` before the month of ``first``."""
    index = first.year * 12 + first.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def statistics_report(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The monthly PDF report of one employer (the whole employer)."""
    employer = _employer(request, pk)
    today = timezone.localdate()
    form = ReportForm(request.GET or None, today=today)
    if form.is_bound and not form.is_valid():
        return _problem(
            request,
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
        )
    if form.is_bound:
        period = form.cleaned_data["period"]
    else:
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        period = Period.month(last_month.year, last_month.month)
    scope = Scope(employer)
    dashboard = dashboard_selector(scope, period, as_of=today)
    trend = verzuimpercentage_by_month(
        scope, Period.custom(_months_before(period.start, 11), period.end), as_of=today
    )
    pdf = report.monthly_report_pdf(dashboard=dashboard, period=period, trend=trend)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = exports.filename(dashboard, "pdf").replace(
        "verzuimcijfers", "verzuimrapport"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
