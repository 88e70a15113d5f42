"""Print one case's Poortwachter timeline and tasks, for humans."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.scoping import all_tenants, tenant_scope
from cases.models import AbsenceCase
from poortwachter.rules import MILESTONES, RulesInputError
from poortwachter.selectors import chain_tasks
from poortwachter.services import chain_timeline

LABELS = {m.code: m.label for m in MILESTONES}


class Command(BaseCommand):
    help = "Toon de Poortwachter-tijdlijn en taken van één verzuimdossier."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", type=int, help="het id van het verzuimdossier")

    def handle(self, *args: Any, **options: Any) -> None:
        with all_tenants("an operator names a case by id"):
            case = (
                AbsenceCase.objects.select_related("tenant")
                .filter(pk=options["case"])
                .first()
            )
        if case is None:
            raise CommandError(f"Verzuimdossier {options['case']} bestaat niet.")
        with tenant_scope(case.tenant):
            case = AbsenceCase.objects.select_related("employee").get(pk=case.pk)
            try:
                chain, timeline = chain_timeline(case=case)
            except RulesInputError as exc:
                raise CommandError(
                    f"De feiten van dit dossier kloppen niet: {exc}"
                ) from exc
            tasks = list(chain_tasks(root=chain[0]))
        out = self.stdout.write
        out(f"{case.employee.display_name} — {case.tenant.name}, dossier {case.pk}")
        out(
            f"Uitkomst: {timeline.outcome.value}; telling vanaf "
            f"{timeline.counted_period_first_sick_day:%d-%m-%Y}, "
            f"{timeline.days_excluded_from_counter} dagen niet meegeteld "
            f"(regels {timeline.rules_version})"
        )
        for span in timeline.spans:
            end = f"{span.end:%d-%m-%Y}" if span.end else "nu"
            out(f"  ziek {span.start:%d-%m-%Y} tot {end}")
        out("\nWettelijke termijnen")
        for m in timeline.milestones:
            state = "" if m.applies else "  (vervallen)"
            opens = f"vanaf {m.opens:%d-%m-%Y} " if m.opens else ""
            label = LABELS.get(m.code, m.code)
            out(f"  {m.due:%a %d-%m-%Y}  {opens}{label}{state}")
        today = timezone.localdate()
        out("\nTaken")
        if not tasks:
            out("  (nog geen; draai poortwachter_refresh)")
        for task in tasks:
            late = (
                " VERLOPEN" if task.status == "open" and task.due_date < today else ""
            )
            who = task.assignee or task.get_assignee_role_display()
            out(
                f"  {task.due_date:%d-%m-%Y}  [{task.get_status_display()}{late}] "
                f"{task.title} — {who}"
            )
