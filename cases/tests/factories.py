import datetime as dt

import factory

from accounts.tests.factories import TenantFactory
from cases.models import AbsenceCase, ContactNote, Employee, Employer, WorkabilityChange


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Werkgever {n} B.V.")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    employer = factory.SubFactory(EmployerFactory)
    tenant = factory.SelfAttribute("employer.tenant")
    personnel_number = factory.Sequence(lambda n: f"P{n:05d}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    initials = factory.LazyAttribute(lambda o: f"{o.first_name[0]}.")
    surname = factory.Faker("last_name", locale="nl_NL")
    bsn = "111222333"
    email = factory.LazyAttribute(
        lambda o: f"{o.personnel_number.lower()}@werknemer.test"
    )
    employment_start = dt.date(2020, 1, 1)


class AbsenceCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AbsenceCase

    employee = factory.SubFactory(EmployeeFactory)
    tenant = factory.SelfAttribute("employee.tenant")
    first_sick_day = dt.date(2026, 10, 1)
    reported_at = factory.LazyFunction(lambda: dt.datetime.now(tz=dt.UTC))


class WorkabilityChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkabilityChange

    case = factory.SubFactory(AbsenceCaseFactory)
    tenant = factory.SelfAttribute("case.tenant")
    effective_date = factory.SelfAttribute("case.first_sick_day")
    percentage_unfit = 100


class ContactNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactNote

    case = factory.SubFactory(AbsenceCaseFactory)
    tenant = factory.SelfAttribute("case.tenant")
    contact_date = factory.SelfAttribute("case.first_sick_day")
    channel = "phone"
    summary = "Gebeld; werknemer is thuis en bereikbaar."
