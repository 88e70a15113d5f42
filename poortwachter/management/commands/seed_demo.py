"""Load demo data: two tenants, users for every role, cases at every stage,
and three years of ended cases (with departments) for the statistics.

Idempotent: every row is looked up by its natural key before it is created,
so running the command again changes nothing. Only ``make demo`` calls it;
the demo logins exist nowhere else.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from base64 import b32decode
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Role, Tenant, User
from accounts.scoping import tenant_scope
from accounts.selectors import TWO_FACTOR_ROLES
from cases.models import AbsenceCase, Employee, Employer, VangnetCategory
from cases.services import (
    hersteldmelding_create,
    intervention_create,
    ziekmelding_create,
)
from poortwachter.models import Task, TaskSource, TaskStatus
from poortwachter.services import (
    case_chain,
    consult_record,
    deadlines_refresh_for_case,
    fml_record,
    probleemanalyse_record,
    task_complete,
    timelines_refresh,
)

DEMO_PASSWORD = "hervat-demo"  # noqa: S105 - documented demo login
# The demo accounts that must use two-factor login share this authenticator
# secret (base32), printed by this command: add it to an authenticator app,
# or run `manage.py demo_totp` for the current code. It exists only in a
# database where seed_demo ran, like the accounts themselves.
DEMO_TOTP_SECRET = "HERVATDEMOHERVATDEMOHERVATDEMO22"  # noqa: S105

FIRST_NAMES = [
    "Anna",
    "Bram",
    "Chantal",
    "Daan",
    "Eva",
    "Femke",
    "Gijs",
    "Hanna",
    "Iris",
    "Jeroen",
    "Kim",
    "Lars",
    "Maud",
    "Noah",
    "Olga",
    "Pieter",
    "Quinten",
    "Roos",
    "Sem",
    "Tess",
    "Umut",
    "Vera",
    "Wouter",
    "Yara",
    "Zeynep",
    "Mohamed",
    "Fatima",
    "Sanne",
    "Thijs",
    "Lotte",
]
SURNAMES = [
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Yilmaz",
    "El Amrani",
    "Kok",
    "Jacobs",
    "Vermeulen",
    "Schouten",
]
JOBS = [
    "Monteur",
    "Verpleegkundige",
    "Administratief medewerker",
    "Magazijnmedewerker",
    "Chauffeur",
    "Docent",
    "Servicemedewerker",
    "Teamleider",
    "Planner",
    "Schoonmaker",
]

# Departments per employer (by personnel number prefix), for the statistics
# per department; an employee's follows from their number.
DEPARTMENTS = {
    "BH": ("Uitvoering", "Werkvoorbereiding", "Kantoor"),
    "ZL": ("Verpleging", "Thuiszorg", "Facilitair"),
    "TD": ("Chauffeurs", "Planning", "Werkplaats"),
    "BZ": ("Bakkerij", "Winkel"),
}

# How long the demo's past cases last (first sick day to hersteldatum), drawn
# evenly from this list: mostly kort, some middellang, a few lang, rarely
# extra lang.
HISTORY_LENGTHS = [(2, 14)] * 30 + [(15, 91)] * 14 + [(92, 365)] * 5 + [(366, 600)]


@dataclass(frozen=True)
class CaseStage:
    """A demo case: sick for ``days`` (day 1 = first sick day) until today."""

    label: str
    days: int
    recovered_after: int | None = None


# The stages of the 104-week timeline the demo must show (issue 2).
STAGES = (
    CaseStage("dag 2", 2),
    CaseStage("week 5", 7 * 4 + 3),
    CaseStage("week 7", 7 * 6 + 3),
    CaseStage("week 9", 7 * 8 + 3),
    CaseStage("week 30", 7 * 29 + 3),
    CaseStage("week 43", 7 * 42 + 3),
    CaseStage("week 53", 7 * 52 + 3),
    CaseStage("week 90", 7 * 89 + 3),
    CaseStage("hersteld", 40, recovered_after=15),
)


def _morning_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))


def _valid_bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and (digits[0] or digits[1]):
            return "".join(map(str, digits)) + str(last)


DEMO_API_KEY_NAME = "Demo HR-systeem"


class Command(BaseCommand):
    help = "Laad demogegevens (twee organisaties, alle rollen, dossiers in elke fase)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        with transaction.atomic():
            tenant_a = self._tenant("arbo-noord", "Arbodienst Noord")
            tenant_b = self._tenant("verzuim-zuid", "Verzuimdienst Zuid")
            with tenant_scope(tenant_a):
                logins = self._seed_tenant_a(tenant_a, today)
            with tenant_scope(tenant_b):
                logins += self._seed_tenant_b(tenant_b, today)
        for tenant in (tenant_a, tenant_b):
            with tenant_scope(tenant):
                timelines_refresh(today=today)
                self._complete_past_tasks(today)
        with tenant_scope(tenant_a):
            api_key = self._api_key(tenant_a)
        self.stdout.write(self.style.SUCCESS("Demogegevens geladen."))
        self.stdout.write(f"Wachtwoord voor alle demo-accounts: {DEMO_PASSWORD}")
        self.stdout.write(
            "Tweestapsverificatie (bedrijfsarts, casemanager, regiehouder, hr, "
            f"tenant_admin): authenticator-sleutel {DEMO_TOTP_SECRET}, of "
            "'python manage.py demo_totp' voor de code van nu."
        )
        for email, role, tenant in logins:
            self.stdout.write(f"  {role:<15} {email:<36} ({tenant})")
        if api_key:
            self.stdout.write(
                "REST API (arbo-noord, alleen nu getoond): "
                f"Authorization: Bearer {api_key}  — docs: /api/v1/docs/"
            )

    def _api_key(self, tenant: Tenant) -> str | None:
        """A write key for every employer, made once; its full text is shown
        only by the run that made it (a later run makes none)."""
        from integrations.models import ApiKey
        from integrations.services import api_key_create

        if ApiKey.objects.filter(name=DEMO_API_KEY_NAME).exists():
            return None
        admin = User.objects.get(email=f"tenant_admin@{tenant.slug}.example")
        _key, secret = api_key_create(
            actor=admin,
            tenant=tenant,
            name=DEMO_API_KEY_NAME,
            scope="write",
            all_employers=True,
        )
        return secret

    def _tenant(self, slug: str, name: str) -> Tenant:
        tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": name})
        return tenant

    def _user(self, email: str, full_name: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        return user

    def _member(
        self,
        tenant: Tenant,
        role: Role,
        full_name: str,
        employers: list[Employer] = (),  # type: ignore[assignment]
        **extra: Any,
    ) -> User:
        user = self._user(f"{role.value}@{tenant.slug}.example", full_name)
        membership, created = Membership.objects.get_or_create(
            tenant=tenant, user=user, defaults={"role": role, **extra}
        )
        if created and employers:
            membership.employers.set(employers)
        if role in TWO_FACTOR_ROLES:
            self._demo_authenticator(user)
        return user

    def _demo_authenticator(self, user: User) -> None:
        """A confirmed authenticator with the documented demo secret, so the
        demo shows the real two-factor login (no bypass switch exists)."""
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return
        TOTPDevice.objects.create(
            user=user,
            name="demo",
            confirmed=True,
            key=b32decode(DEMO_TOTP_SECRET).hex(),
        )

    def _employees(
        self,
        tenant: Tenant,
        employer: Employer,
        count: int,
        rng: random.Random,
        prefix: str,
    ) -> list[Employee]:
        employees = []
        for number in range(1, count + 1):
            personnel_number = f"{prefix}{number:04d}"
            first = rng.choice(FIRST_NAMES)
            surname = rng.choice(SURNAMES)
            defaults = {
                "tenant": tenant,
                "first_name": first,
                "initials": f"{first[0]}.",
                "surname": surname,
                "date_of_birth": dt.date(
                    1960 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28)
                ),
                "bsn": _valid_bsn(rng),
                "email": f"{first.lower()}.{number}@{prefix.lower()}.example",
                "job_title": rng.choice(JOBS),
                "contract_hours": rng.choice([16, 24, 32, 36, 38, 40]),
                "employment_start": dt.date(
                    2010 + rng.randint(0, 10), rng.randint(1, 12), 1
                ),
            }
            departments = DEPARTMENTS[prefix]
            defaults["department"] = departments[number % len(departments)]
            employee, _ = Employee.objects.get_or_create(
                employer=employer, personnel_number=personnel_number, defaults=defaults
            )
            if not employee.department:  # a demo database from before departments
                employee.department = defaults["department"]
                employee.save(update_fields=["department"])
            employees.append(employee)
        return employees

    def _seed_tenant_a(
        self, tenant: Tenant, today: dt.date
    ) -> list[tuple[str, str, str]]:
        rng = random.Random(2026)
        employers = [
            Employer.objects.get_or_create(
                tenant=tenant,
                name=name,
                defaults={"kvk_number": kvk, "contact_name": contact},
            )[0]
            for name, kvk, contact in (
                ("Bouwbedrijf De Hoek B.V.", "12345678", "Marieke Hoekstra"),
                ("Zorggroep Lindehof", "23456789", "Ahmed Bouzid"),
                ("Transport Van Dam", "34567890", "Karin van Dam"),
            )
        ]
        staff = [
            self._employees(tenant, employer, 50, rng, prefix)
            for employer, prefix in zip(employers, ("BH", "ZL", "TD"), strict=True)
        ]
        leidinggevende = self._member(
            tenant, Role.LEIDINGGEVENDE, "Linda Leidinggevende"
        )
        regiehouder = self._member(
            tenant, Role.REGIEHOUDER, "Rob Regiehouder", employers=employers
        )
        casemanager = self._member(
            tenant,
            Role.CASEMANAGER,
            "Carla Casemanager",
            employers=employers[:2],
            taakdelegatie=True,
        )
        bedrijfsarts = self._member(tenant, Role.BEDRIJFSARTS, "Dr. Bas Bedrijfsarts")
        self._member(tenant, Role.HR, "Hanneke HR", employers=employers[:1])
        self._member(tenant, Role.TENANT_ADMIN, "Thomas Beheerder")
        werknemer = self._member(tenant, Role.WERKNEMER, "Wendy Werknemer")

        # The manager leads the first twelve people of the first employer.
        team = staff[0][:12]
        Employee.objects.filter(pk__in=[e.pk for e in team], manager=None).update(
            manager=leidinggevende
        )
        Employee.objects.filter(pk=team[3].pk, user=None).update(user=werknemer)

        # One case per stage, spread over the employers; the first few are in
        # the manager's team so that every role sees something.
        candidates = [
            team[0],
            team[1],
            team[2],
            team[3],
            staff[1][0],
            staff[1][1],
            staff[2][0],
            staff[2][1],
            team[4],
        ]
        for stage, employee in zip(STAGES, candidates, strict=True):
            if employee.cases.exists():
                continue
            first_sick_day = today - dt.timedelta(days=stage.days - 1)
            case = ziekmelding_create(
                actor=leidinggevende,
                employee=employee,
                first_sick_day=first_sick_day,
                today=today,
            )
            self._assign(case, regiehouder, casemanager, bedrijfsarts)
            if stage.recovered_after:
                hersteldmelding_create(
                    actor=leidinggevende,
                    case=case,
                    effective_date=first_sick_day
                    + dt.timedelta(days=stage.recovered_after),
                    today=today,
                )
        # The bedrijfsarts' records on the week-9 case (the employee with an
        # account): a consult, the probleemanalyse with an FML, and the
        # casemanager's workplace assessment.
        week_9 = candidates[3].cases.get()
        if not week_9.probleemanalyses.exists():
            self._physician_records(week_9, bedrijfsarts, casemanager, today)
            self._triage_answers(week_9)
        # A partial recovery on the week-30 case.
        week_30 = candidates[4].cases.get()
        if week_30.workability_changes.count() == 1:
            hersteldmelding_create(
                actor=casemanager,
                case=week_30,
                effective_date=today - dt.timedelta(days=20),
                percentage_fit=50,
                today=today,
            )
        # Two periods less than four weeks apart (samentelling).
        relapse = team[5]
        if not relapse.cases.exists():
            first = ziekmelding_create(
                actor=leidinggevende,
                employee=relapse,
                first_sick_day=today - dt.timedelta(days=70),
                today=today,
            )
            self._assign(first, regiehouder, casemanager, bedrijfsarts)
            hersteldmelding_create(
                actor=leidinggevende,
                case=first,
                effective_date=today - dt.timedelta(days=50),
                today=today,
            )
            second = ziekmelding_create(
                actor=leidinggevende,
                employee=relapse,
                first_sick_day=today - dt.timedelta(days=35),
                today=today,
            )
            self._assign(second, regiehouder, casemanager, bedrijfsarts)
        self._history(
            staff, (leidinggevende, regiehouder, casemanager, bedrijfsarts), today
        )
        return [
            (f"{role.value}@{tenant.slug}.example", role.value, tenant.name)
            for role in Role
        ]

    # --- three years of ended cases, for the statistics -----------------------

    def _history(
        self, staff: list[list[Employee]], people: tuple[User, ...], today: dt.date
    ) -> None:
        """Ended cases of the last three years, reported, worked and closed in
        the order the product saw them (legal tasks done on time, late or not
        at all), so the statistics have something real to count.

        Employees from the thirteenth of each employer on have no current
        case; an employee who has any case is left alone (idempotent). The
        first three carry the notable ones: two years with partial recovery
        ended just before the WIA, a pregnancy-related vangnet case, and a
        relapse within four weeks (samentelling).
        """
        manager = people[0]
        start = today - dt.timedelta(days=3 * 365)
        long_one, pregnant, relapsing = staff[0][12], staff[1][12], staff[2][12]
        if not long_one.cases.exists():
            first = today - dt.timedelta(days=700)
            self._history_case(
                long_one,
                first,
                first + dt.timedelta(days=640),
                people,
                partial=first + dt.timedelta(days=200),
            )
        if not pregnant.cases.exists():
            Employee.objects.filter(pk=pregnant.pk).update(
                vangnet_category=VangnetCategory.ZIEK_DOOR_ZWANGERSCHAP_VOOR_VERLOF
            )
            pregnant.refresh_from_db()
            first = today - dt.timedelta(days=420)
            self._history_case(pregnant, first, first + dt.timedelta(days=63), people)
            Employee.objects.filter(pk=pregnant.pk).update(vangnet_category="")
        if not relapsing.cases.exists():
            first = today - dt.timedelta(days=560)
            earlier = self._history_case(
                relapsing, first, first + dt.timedelta(days=30), people
            )
            again = earlier.recovery_date + dt.timedelta(days=20)
            relapse = ziekmelding_create(
                actor=manager, employee=relapsing, first_sick_day=again, today=again
            )
            self._assign(relapse, *people[1:])
            self._legal_steps(relapse, again + dt.timedelta(days=90))
            hersteldmelding_create(
                actor=manager,
                case=relapse,
                effective_date=again + dt.timedelta(days=90),
                today=again + dt.timedelta(days=90),
            )
        for employees in staff:
            for employee in employees[13:]:
                if employee.cases.exists():
                    continue
                rng = random.Random(employee.personnel_number)
                day = start + dt.timedelta(days=rng.randint(0, 300))
                for _ in range(rng.choices((0, 1, 2, 3), (50, 38, 10, 2))[0]):
                    days = rng.randint(*rng.choice(HISTORY_LENGTHS))
                    recovery = day + dt.timedelta(days=days)
                    if recovery > today - dt.timedelta(days=14):
                        break
                    partial = (
                        day + dt.timedelta(days=days // 2)
                        if days > 91 and rng.random() < 0.5
                        else None
                    )
                    self._history_case(employee, day, recovery, people, partial)
                    day = recovery + dt.timedelta(days=rng.randint(35, 400))

    def _history_case(
        self,
        employee: Employee,
        first: dt.date,
        recovery: dt.date,
        people: tuple[User, ...],
        partial: dt.date | None = None,
    ) -> AbsenceCase:
        manager = people[0]
        case = ziekmelding_create(
            actor=manager, employee=employee, first_sick_day=first, today=first
        )
        self._assign(case, *people[1:])
        if partial is not None:
            hersteldmelding_create(
                actor=people[2],
                case=case,
                effective_date=partial,
                percentage_fit=50,
                today=partial,
            )
        self._legal_steps(case, recovery)
        hersteldmelding_create(
            actor=manager, case=case, effective_date=recovery, today=recovery
        )
        case.refresh_from_db()
        return case

    def _legal_steps(self, case: AbsenceCase, until: dt.date) -> None:
        """The chain's legal tasks due before ``until``, done on time (mostly),
        late or not at all: decided by a hash, so every run decides alike."""
        root = case_chain(case=case)[0]
        if (until - root.first_sick_day).days < 40 and not case.vangnet_category:
            return  # nothing legal falls due in the first weeks
        deadlines_refresh_for_case(case=case, today=until - dt.timedelta(days=1))
        decided: set[int] = set()
        while True:
            task = (
                Task.objects.filter(
                    case=root,
                    source=TaskSource.LEGAL,
                    status=TaskStatus.OPEN,
                    due_date__lt=until,
                )
                .exclude(pk__in=decided)
                .order_by("due_date", "pk")
                .first()
            )
            if task is None:
                return
            decided.add(task.pk)
            token = f"{root.employee.personnel_number}/{root.first_sick_day}/{task.key}"
            score = zlib.crc32(token.encode()) % 100
            if score < 72:
                done = task.due_date - dt.timedelta(days=score % 4)
            elif score < 90:
                done = task.due_date + dt.timedelta(days=1 + score % 21)
            else:
                continue  # never done: missed
            if done >= until:
                continue
            task_complete(
                actor=task.assignee or root.regiehouder,
                task=task,
                completed_on=max(done, root.first_sick_day),
            )
            if task.key == "probleemanalyse" and done > task.due_date:
                # a late one moves the plan van aanpak: ask the rules again
                deadlines_refresh_for_case(
                    case=case, today=until - dt.timedelta(days=1)
                )

    def _physician_records(
        self, case: AbsenceCase, bedrijfsarts: User, casemanager: User, today: dt.date
    ) -> None:
        day = case.first_sick_day
        consult_record(
            actor=bedrijfsarts,
            case=case,
            held_on=day + dt.timedelta(days=36),
            kind="spreekuur",
            next_consult_on=today + dt.timedelta(days=10),
            notes="Rugklachten na val van ladder; fysiotherapie via huisarts.",
            today=today,
        )
        probleemanalyse_record(
            actor=bedrijfsarts,
            case=case,
            kind="eerste",
            made_on=day + dt.timedelta(days=37),
            limitations=(
                "Kan niet zwaar tillen en niet lang in één houding werken; "
                "licht administratief werk en werkvoorbereiding zijn mogelijk."
            ),
            prognosis="Goed; volledige werkhervatting binnen drie maanden verwacht.",
            advice=(
                "Start met 4 uur per dag in aangepast werk op kantoor, "
                "opbouw per twee weken."
            ),
            anamnesis="Lage rugpijn met uitstraling, na val van ladder.",
            assessment="Lumbosacraal radiculair syndroom.",
            treatment="Fysiotherapie, pijnstilling via huisarts.",
            today=today,
        )
        fml_record(
            actor=bedrijfsarts,
            case=case,
            made_on=day + dt.timedelta(days=37),
            entries={
                "IV.13": {"levels": [2]},
                "IV.14": {"levels": [2]},
                "IV.10": {"levels": [2]},
                "V.2": {"levels": [2]},
                "V.9": {"levels": [1], "note": "elk half uur even opstaan"},
                "VI.2": {"levels": [3], "note": "opbouw in uren, zie advies"},
            },
            remarks="Herbeoordeling bij het volgende spreekuur.",
            today=today,
        )
        intervention_create(
            actor=casemanager,
            case=case,
            kind="werkplekonderzoek",
            provider="Ergo Advies B.V.",
            requested_on=day + dt.timedelta(days=40),
            start_date=day + dt.timedelta(days=47),
            end_date=None,
            cost=None,
            status="lopend",
            notes="Bureauwerkplek voor aangepast werk inrichten.",
        )

    def _triage_answers(self, case: AbsenceCase) -> None:
        """The employee answered the triage questionnaire, medical questions
        too (only the bedrijfsarts reads those)."""
        from triage.models import Invitation
        from triage.services import response_save, triage_invite_at_ziekmelding

        invitation = Invitation.objects.filter(
            case=case
        ).first() or triage_invite_at_ziekmelding(case=case)
        if invitation is None:
            return
        pages = {
            "werk": {
                "work_possible": "other",
                "what_works": "Licht administratief werk, een paar uur per dag.",
                "expected_duration": "longer",
                "workability": 4,
            },
            "werkfactoren": {"work_related": "partly", "work_factors": ["physical"]},
            "gezondheid": {
                "complaints": "Rugpijn na een val van de ladder.",
                "treatment": "yes",
            },
        }
        for section, answers in pages.items():
            response_save(invitation=invitation, section=section, answers=answers)
        response_save(
            invitation=invitation,
            section="contact",
            answers={"contact_wish": "casemanager"},
            submit=True,
        )

    def _assign(
        self,
        case: AbsenceCase,
        regiehouder: User,
        casemanager: User,
        bedrijfsarts: User,
    ) -> None:
        AbsenceCase.objects.filter(pk=case.pk).update(
            regiehouder=regiehouder,
            casemanager=casemanager,
            bedrijfsarts=bedrijfsarts,
            reported_at=_morning_of(case.first_sick_day),
        )

    def _complete_past_tasks(self, today: dt.date) -> None:
        """Tasks more than a week old were done on time; recent ones stay open,
        so the queue shows a few overdue items as real queues do."""
        cutoff = today - dt.timedelta(days=7)
        for task in Task.objects.filter(
            status=TaskStatus.OPEN, due_date__lt=cutoff
        ).select_related("case", "assignee"):
            actor = task.assignee or task.case.regiehouder
            if actor is not None:
                task_complete(actor=actor, task=task, completed_on=task.due_date)
        timelines_refresh(today=today)

    def _seed_tenant_b(
        self, tenant: Tenant, today: dt.date
    ) -> list[tuple[str, str, str]]:
        rng = random.Random(2027)
        employer, _ = Employer.objects.get_or_create(
            tenant=tenant, name="Bakkerij Zuid", defaults={"kvk_number": "45678901"}
        )
        employees = self._employees(tenant, employer, 8, rng, "BZ")
        casemanager = self._member(
            tenant, Role.CASEMANAGER, "Kees Casemanager Zuid", employers=[employer]
        )
        if not employees[0].cases.exists():
            case = ziekmelding_create(
                actor=casemanager,
                employee=employees[0],
                first_sick_day=today - dt.timedelta(days=20),
                today=today,
            )
            AbsenceCase.objects.filter(pk=case.pk).update(
                casemanager=casemanager, reported_at=_morning_of(case.first_sick_day)
            )
        return [(f"casemanager@{tenant.slug}.example", "casemanager", tenant.name)]
