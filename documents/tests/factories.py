import datetime as dt

import factory

from cases.tests.factories import AbsenceCaseFactory
from documents.models import Document, DocumentKind
from poortwachter.models import Probleemanalyse, ProbleemanalyseMedical

# A string that must never appear in any employer-facing document.
MEDICAL_SECRET = "Hernia-L5-anamnese-GEHEIM"


class ProbleemanalyseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Probleemanalyse

    case = factory.SubFactory(AbsenceCaseFactory)
    tenant = factory.SelfAttribute("case.tenant")
    made_on = dt.date(2026, 11, 10)
    limitations = "Niet tillen boven 10 kg; zitten en staan afwisselen."
    prognosis = "Herstel binnen drie maanden verwacht."
    advice = "Opbouwen in eigen werk, starten met 2 x 4 uur per week."


class ProbleemanalyseMedicalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProbleemanalyseMedical

    probleemanalyse = factory.SubFactory(ProbleemanalyseFactory)
    tenant = factory.SelfAttribute("probleemanalyse.tenant")
    anamnesis = MEDICAL_SECRET
    assessment = f"Beoordeling: {MEDICAL_SECRET}"
    treatment = "Fysiotherapie en pijnstilling"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    case = factory.SubFactory(AbsenceCaseFactory)
    tenant = factory.SelfAttribute("case.tenant")
    kind = DocumentKind.PLAN_VAN_AANPAK
    version = factory.Sequence(lambda n: n + 1)
    data = factory.LazyFunction(lambda: {"werknemer_naam": "J. Jansen"})
    template_version = "pva-2026.2"
