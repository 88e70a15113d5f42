"""Writes of the triage app: shipped questionnaires, versions, invitations,
answers, and the routing proposal and decision after triage."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import Action, can
from accounts.audit import audit_changes, audit_snapshot
from accounts.models import Language, Role, Tenant, User
from accounts.services import audit_event_record
from cases.models import (
    AbsenceCase,
    CaseStatus,
    InterventionKind,
    InterventionStatus,
    Route,
)
from cases.services import intervention_create
from core.exceptions import ApplicationError
from core.mail import MailNotSentError, send_templated_mail
from poortwachter.models import Task, TaskSource
from poortwachter.rules.calendar import add_working_days, last_working_day_on_or_before
from poortwachter.services import case_chain, deadlines_refresh_for_case
from triage import routing
from triage.engine import Definition, DefinitionError, answers_clean
from triage.engine import answers_split as _split
from triage.models import (
    Invitation,
    InvitationStatus,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseMedical,
    RoutingDecision,
    RoutingOutcome,
    RoutingPolicy,
)

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).parent / "data" / "questionnaires"
KEY_MAX_LENGTH = 60  # Questionnaire.key
NAME_MAX_LENGTH = 200  # Questionnaire.name
SHIPPED_ROUTING_DIR = Path(__file__).parent / "data" / "routing"
INVITATION_VALID_FOR = dt.timedelta(days=14)
OPEN_STATUSES = (InvitationStatus.SENT, InvitationStatus.STARTED)


def questionnaires_install_default(*, tenant: Tenant) -> int:
    """Give ``tenant`` the shipped questionnaires as published version 1
    (only those it does not have yet). Returns how many were added."""
    added = 0
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        definition = Definition.parse(raw)
        if Questionnaire.objects.filter(tenant=tenant, key=definition.key).exists():
            continue
        questionnaire = Questionnaire.objects.create(
            tenant=tenant, key=definition.key, name=definition.title["nl"]
        )
        QuestionnaireVersion.objects.create(
            tenant=tenant,
            questionnaire=questionnaire,
            number=1,
            definition=raw,
            published_at=timezone.now(),
        )
        added += 1
    return added


def questionnaire_copy(*, actor: User, questionnaire: Questionnaire) -> Questionnaire:
    """A new questionnaire of the same tenant to adapt: key ``<key>-kopie``
    (``<key>-kopie-2``, … when taken), name ``<name> (kopie)``, and a draft
    version 1 holding the definition of the newest version."""
    source = questionnaire.versions.order_by("-number").first()
    if source is None:
        raise ApplicationError(_("Deze vragenlijst heeft nog geen versie."))
    with transaction.atomic():
        # Copies of one questionnaire one at a time, so each gets its own key.
        Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        duplicate = Questionnaire.objects.create(
            tenant_id=questionnaire.tenant_id,
            key=_copy_key(questionnaire),
            name=f"{questionnaire.name[: NAME_MAX_LENGTH - 8]} (kopie)",
            copied_from=questionnaire,
        )
        audit_event_record(
            actor=actor,
            action="questionnaire_copy",
            obj=duplicate,
            data={"from": questionnaire.key, "version": source.number},
        )
        questionnaire_version_draft(
            actor=actor, questionnaire=duplicate, definition=source.definition
        )
    return duplicate


def _copy_key(questionnaire: Questionnaire) -> str:
    """The first free of ``<key>-kopie``, ``<key>-kopie-2``, …; a long key is
    cut, never the suffix that says it is a copy."""
    n = 1
    while True:
        suffix = "-kopie" if n == 1 else f"-kopie-{n}"
        key = questionnaire.key[: KEY_MAX_LENGTH - len(suffix)] + suffix
        if not Questionnaire.objects.filter(
            tenant_id=questionnaire.tenant_id, key=key
        ).exists():
            return key
        n += 1


def questionnaire_version_draft(
    *, actor: User, questionnaire: Questionnaire, definition: dict
) -> QuestionnaireVersion:
    """A new draft version (the next number) with ``definition``, checked.

    One draft at a time: a second would leave two diverging edits of which
    only the last published counts.
    """
    _parse(definition)
    with transaction.atomic():
        # Lock the questionnaire so two clicks cannot make two drafts.
        Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        draft = questionnaire.versions.filter(published_at__isnull=True).first()
        if draft is not None:
            raise ApplicationError(
                _(
                    "Er is al een conceptversie (versie %(number)d); pas die aan "
                    "of verwijder die eerst."
                )
                % {"number": draft.number}
            )
        number = (
            max(questionnaire.versions.values_list("number", flat=True), default=0) + 1
        )
        version = QuestionnaireVersion.objects.create(
            tenant_id=questionnaire.tenant_id,
            questionnaire=questionnaire,
            number=number,
            definition=definition,
        )
        audit_event_record(
            actor=actor,
            action="questionnaire_version_draft",
            obj=version,
            data={"questionnaire": questionnaire.key, "number": number},
        )
    return version


def questionnaire_version_update(
    *, actor: User, version: QuestionnaireVersion, definition: dict
) -> QuestionnaireVersion:
    """Change a draft; a published version never changes under its answers."""
    if version.published_at is not None:
        raise ApplicationError(
            _("Een gepubliceerde versie verandert niet meer; maak een nieuwe versie.")
        )
    _parse(definition)
    with transaction.atomic():
        version.definition = definition
        version.save(update_fields=["definition"])
        audit_event_record(
            actor=actor, action="questionnaire_version_update", obj=version
        )
    return version


def questionnaire_version_delete(*, actor: User, version: QuestionnaireVersion) -> None:
    """Throw away a draft; a published version stays (answers point at it)."""
    if version.published_at is not None:
        raise ApplicationError(
            _("Een gepubliceerde versie blijft bewaard en kan niet weg.")
        )
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="questionnaire_version_delete",
            obj=version,
            data={"questionnaire": version.questionnaire.key, "number": version.number},
        )
        version.delete()


def questionnaire_version_publish(
    *, actor: User, version: QuestionnaireVersion
) -> QuestionnaireVersion:
    """Freeze a draft: from now on new invitations get it, and it never
    changes."""
    if version.published_at is not None:
        return version
    _parse(version.definition)
    with transaction.atomic():
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
        audit_event_record(
            actor=actor, action="questionnaire_version_publish", obj=version
        )
    return version


def _parse(definition: dict) -> Definition:
    try:
        return Definition.parse(definition)
    except DefinitionError as error:
        raise ApplicationError(
            _("De vragenlijst klopt niet: %(reason)s") % {"reason": error},
            field="definition",
        ) from None


TRIAGE_QUESTIONNAIRE = "triage_ziekmelding"
# The protocol step the triage invitation fulfils (poortwachter.protocol).
TRIAGE_PROTOCOL_STEP = "triage_vragenlijst"
# Reminders after 24 and 72 hours without a completed answer.
REMINDER_AFTER = (dt.timedelta(hours=24), dt.timedelta(hours=72))


def invitation_create(
    *, actor: User | None, case: AbsenceCase, questionnaire: Questionnaire
) -> Invitation:
    """Invite the employee of ``case`` to the newest published version of
    ``questionnaire`` by e-mail, in the employee's language (English unless
    Dutch). The triage questionnaire completes the case's open protocol task
    to send it.

    Refused (``ApplicationError``) when the employee has no e-mail address,
    the case is no longer open, the questionnaire has no published version,
    or an earlier invitation to it on this case is still open.
    """
    employee = case.employee
    if case.status != CaseStatus.OPEN:
        raise ApplicationError(_("Dit verzuim is afgesloten."))
    if not questionnaire.is_active:
        raise ApplicationError(_("Deze vragenlijst is niet meer in gebruik."))
    if not employee.email:
        raise ApplicationError(
            _(
                "Van %(name)s is geen e-mailadres bekend. Vul het aan bij de "
                "werknemer en stuur de vragenlijst daarna."
            )
            % {"name": employee.display_name}
        )
    version = (
        questionnaire.versions.filter(published_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ApplicationError(
            _("Deze vragenlijst heeft nog geen gepubliceerde versie.")
        )
    now = timezone.now()
    if Invitation.objects.filter(
        case=case,
        version__questionnaire=questionnaire,
        status__in=OPEN_STATUSES,
        expires_at__gt=now,
    ).exists():
        raise ApplicationError(
            _(
                "Deze vragenlijst staat nog open voor de werknemer. Stuur de "
                "uitnodiging opnieuw of trek haar eerst in."
            )
        )
    language = (
        Language.NL if employee.preferred_language == Language.NL else Language.EN
    )
    with transaction.atomic():
        invitation = Invitation.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            version=version,
            language=language,
            sent_at=now,
            expires_at=now + INVITATION_VALID_FOR,
            created_by=actor,
        )
        audit_event_record(
            actor=actor,
            action="invitation_create",
            obj=invitation,
            data={"case_id": case.pk, "questionnaire": questionnaire.key},
        )
        if questionnaire.key == TRIAGE_QUESTIONNAIRE:
            _protocol_task_complete(case=case, actor=actor)
        _mail(invitation, kind="invitation")
    return invitation


def _protocol_task_complete(*, case: AbsenceCase, actor: User | None) -> None:
    """Close the open "send the triage questionnaire" task of the case's chain."""
    from poortwachter.models import Task, TaskSource, TaskStatus
    from poortwachter.services import case_chain

    root = case_chain(case=case)[0]
    Task.objects.filter(
        case=root,
        source=TaskSource.PROTOCOL,
        key=TRIAGE_PROTOCOL_STEP,
        status=TaskStatus.OPEN,
    ).update(
        status=TaskStatus.DONE,
        completed_by=actor,
        completed_at=timezone.now(),
        note=_("Vragenlijst per e-mail verstuurd."),
    )


def triage_invite_at_ziekmelding(*, case: AbsenceCase) -> Invitation | None:
    """Send the triage questionnaire after a ziekmelding (the protocol step
    within 24 hours). Returns ``None`` when it cannot be sent (no e-mail
    address, no active questionnaire, already invited): the protocol task
    then stays open in the regiehouder's queue."""
    questionnaire = Questionnaire.objects.filter(
        key=TRIAGE_QUESTIONNAIRE, is_active=True
    ).first()
    if questionnaire is None:
        return None
    with transaction.atomic():
        # The task after commit and the beat sweep may both get here (a
        # message that arrives late after a broker outage): the row lock
        # makes the second one wait and then find the invitation.
        AbsenceCase.objects.select_for_update().filter(pk=case.pk).first()
        if case.invitations.exists():
            return None
        try:
            return invitation_create(actor=None, case=case, questionnaire=questionnaire)
        except ApplicationError:
            return None


# The sweep leaves fresh ziekmeldingen to their own task for this long, and
# does not send the questionnaire late: after a day the open protocol task in
# the regiehouder's queue is the way.
TRIAGE_SWEEP_GRACE = dt.timedelta(minutes=5)
TRIAGE_SWEEP_WINDOW = dt.timedelta(hours=24)
TRIAGE_SWEEP_LIMIT = 200


def triage_invitations_sweep(*, now: dt.datetime) -> int:
    """Send the triage questionnaire for ziekmeldingen of the last day in the
    scoped tenant whose task never ran (the broker was down at commit): open
    cases without any invitation. Refreshes the case's timeline first, as the
    task does, so the protocol task exists to be closed. Returns the number
    of invitations sent."""
    cases = (
        AbsenceCase.objects.filter(
            status=CaseStatus.OPEN,
            reported_at__range=(now - TRIAGE_SWEEP_WINDOW, now - TRIAGE_SWEEP_GRACE),
            invitations__isnull=True,
        )
        .exclude(employee__email="")
        .select_related("employee")
        .order_by("reported_at")[:TRIAGE_SWEEP_LIMIT]
    )
    sent = 0
    for case in cases:
        deadlines_refresh_for_case(case=case, today=timezone.localdate(now))
        if triage_invite_at_ziekmelding(case=case) is not None:
            sent += 1
    return sent


def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send the link again, valid for another 14 days from now (an expired
    invitation opens again; the answers given so far stay)."""
    if invitation.status in (InvitationStatus.COMPLETED, InvitationStatus.REVOKED):
        raise ApplicationError(
            _("Een ingevulde of ingetrokken vragenlijst gaat niet opnieuw uit.")
        )
    if not invitation.case.employee.email:
        raise ApplicationError(_("Van deze werknemer is geen e-mailadres bekend."))
    now = timezone.now()
    with transaction.atomic():
        invitation.sent_at = now
        invitation.expires_at = now + INVITATION_VALID_FOR
        invitation.reminders_sent = 0
        invitation.last_reminded_at = None
        invitation.save(
            update_fields=[
                "sent_at",
                "expires_at",
                "reminders_sent",
                "last_reminded_at",
            ]
        )
        audit_event_record(actor=actor, action="invitation_resend", obj=invitation)
        _mail(invitation, kind="invitation")
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Close the link; answers already given stay with the case."""
    if invitation.status == InvitationStatus.COMPLETED:
        raise ApplicationError(_("Deze vragenlijst is al ingevuld."))
    with transaction.atomic():
        invitation.status = InvitationStatus.REVOKED
        invitation.save(update_fields=["status"])
        audit_event_record(actor=actor, action="invitation_revoke", obj=invitation)
    return invitation


def invitations_remind(*, now: dt.datetime) -> int:
    """Remind employees who have not completed an open invitation: once after
    24 hours, once more after 72. Idempotent: each reminder is claimed with a
    conditional update before its mail goes out. Returns mails sent."""
    sent = 0
    for number, after in enumerate(REMINDER_AFTER, start=1):
        due = Invitation.objects.filter(
            status__in=OPEN_STATUSES,
            reminders_sent=number - 1,
            sent_at__lte=now - after,
            expires_at__gt=now,
            case__status=CaseStatus.OPEN,
        ).exclude(case__employee__email="")
        for invitation in due.select_related("case__employee", "version"):
            try:
                with transaction.atomic():
                    claimed = Invitation.objects.filter(
                        pk=invitation.pk, reminders_sent=number - 1
                    ).update(reminders_sent=number, last_reminded_at=now)
                    if claimed:
                        _mail(invitation, kind="reminder")
                        sent += 1
            except ApplicationError:
                # The mail server refused: the claim is undone, the next
                # hourly run tries again.
                logger.warning("reminder for invitation %s not sent", invitation.pk)
    return sent


def _mail(invitation: Invitation, *, kind: str) -> None:
    """The invitation or reminder e-mail, in the invitation's language. It
    names the questionnaire and carries the link; never answers.

    Sent inside the caller's transaction: when the mail server refuses, the
    ``ApplicationError`` rolls the invitation (or reminder) back, so nothing
    claims to be sent that was not."""
    from triage.links import invitation_url

    employee = invitation.case.employee
    definition = Definition.parse(invitation.version.definition)
    title = definition.title[invitation.language]
    try:
        send_templated_mail(
            to=[employee.email],
            language=invitation.language,
            subject=(
                gettext_lazy("Herinnering: %(title)s")
                if kind == "reminder"
                else "%(title)s"
            ),
            subject_params={"title": title},
            template_base="triage/email/invitation",
            context={
                "name": employee.first_name or employee.display_name,
                "title": title,
                "url": invitation_url(invitation),
                "expires_at": invitation.expires_at,
                "reminder": kind == "reminder",
            },
        )
    except MailNotSentError:
        logger.warning("mail for invitation %s not sent", invitation.pk)
        raise


def response_answers(*, response: Response | None) -> dict:
    """All answers of a response, medical ones included, for the employee
    who gave them (the link's holder) to see and change their own page.
    Staff read medical answers only through ``triage.selectors``."""
    if response is None:
        return {}
    medical = getattr(response, "medical", None)
    return {
        **response.answers,
        **(json.loads(medical.answers) if medical and medical.answers else {}),
    }


def response_save(
    *,
    invitation: Invitation,
    section: str,
    answers: dict,
    complete_page: bool = False,
    submit: bool = False,
) -> Response:
    """Save one page of answers, or with ``submit`` check the whole
    questionnaire and close the invitation.

    A page may be saved half-answered, unless ``complete_page`` (the
    employee moves on: required questions on it must be answered). Conditions
    look at the answers of earlier pages too. Raises ``AnswerErrors`` with
    every problem; nothing of the page is saved then, and what was saved
    before stays.
    """
    definition = Definition.parse(invitation.version.definition)
    with transaction.atomic():
        response, _created = Response.objects.select_for_update().get_or_create(
            invitation=invitation, defaults={"tenant_id": invitation.tenant_id}
        )
        if response.submitted_at is not None:
            raise ApplicationError(_("Deze vragenlijst is al ingevuld."))
        stored = response_answers(response=response)
        section_keys = {
            q.key for s in definition.sections if s.key == section for q in s.questions
        }
        others = {k: v for k, v in stored.items() if k not in section_keys}
        page = answers_clean(
            definition,
            {**others, **answers},
            section=section,
            partial=not (complete_page or submit),
        )
        merged = others | page
        if submit:
            merged = answers_clean(definition, merged)
        plain, medical = _split(definition, merged)
        response.answers = plain
        if section not in response.sections_done:
            response.sections_done = [*response.sections_done, section]
        if submit:
            response.submitted_at = timezone.now()
        response.save()
        ResponseMedical.objects.update_or_create(
            response=response,
            defaults={
                "tenant_id": invitation.tenant_id,
                "answers": json.dumps(medical) if medical else "",
            },
        )
        invitation.status = (
            InvitationStatus.COMPLETED if submit else InvitationStatus.STARTED
        )
        invitation.completed_at = response.submitted_at
        invitation.save(update_fields=["status", "completed_at"])
        if submit:
            audit_event_record(
                actor=None,
                action="questionnaire_submit",
                obj=invitation,
                data={"case_id": invitation.case_id},
            )
            routing_propose(response=response)
    return response


# --- routing -----------------------------------------------------------------------

EARLY_CONSULT_TASK_KEY = "vroeg_consult_bedrijfsarts"
# Seed 000: the regiehouder plans the bedrijfsarts "indien noodzakelijk
# vanwege de klachten"; a medically dominated case gets its consult within a
# working week of the decision, well before the probleemanalyse of week 6.
EARLY_CONSULT_WORKING_DAYS = 5
ROUTING_REASON_MAX_LENGTH = 2000


ROUTING_DECISION_AUDIT_FIELDS = (
    "decided_route",
    "early_consult",
    "interventions",
    "outcome",
    "reason",
    "decided_by",
    "decided_at",
)


def routing_policies_install_default(*, tenant: Tenant) -> int:
    """Give ``tenant`` the shipped routing rules (for each questionnaire it
    has none for yet). Returns how many were added."""
    added = 0
    for path in sorted(SHIPPED_ROUTING_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        ruleset = routing.parse(raw, intervention_kinds=InterventionKind.values)
        if RoutingPolicy.objects.filter(
            tenant=tenant, questionnaire_key=ruleset.questionnaire
        ).exists():
            continue
        RoutingPolicy.objects.create(
            tenant=tenant, questionnaire_key=ruleset.questionnaire, rules=raw
        )
        added += 1
    return added


def routing_rules_check(*, questionnaire_key: str, rules: object) -> routing.RuleSet:
    """Check routing ``rules`` against the newest published version of the
    tenant's questionnaire ``questionnaire_key`` and the intervention kinds;
    ``ApplicationError`` says what is wrong."""
    version = (
        QuestionnaireVersion.objects.filter(
            questionnaire__key=questionnaire_key, published_at__isnull=False
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ApplicationError(
            _("Er is geen gepubliceerde vragenlijst met sleutel %(key)s.")
            % {"key": questionnaire_key},
            field="questionnaire_key",
        )
    try:
        return routing.parse(
            rules,
            definition=Definition.parse(version.definition),
            intervention_kinds=InterventionKind.values,
        )
    except routing.RuleSetError as error:
        raise ApplicationError(
            _("De routeringsregels kloppen niet: %(reason)s") % {"reason": error},
            field="rules",
        ) from None


def _stored_reasons(reasons: tuple[routing.Reason, ...]) -> list[dict]:
    # A medical reason keeps only which rule fired: its label names the
    # medical answer, which has no place outside the medical models.
    return [
        {"rule": r.rule, "medical": True}
        if r.medical
        else {"rule": r.rule, "label": r.label, "medical": False}
        for r in reasons
    ]


def routing_propose(*, response: Response) -> RoutingDecision | None:
    """Propose a route for the case of a submitted ``response``, by the
    tenant's routing rules for its questionnaire (none: no proposal).

    Called when the employee submits, in that transaction. Idempotent: a
    response has one proposal. Rules that cannot be read are logged and
    skipped, so an employee's answers are never refused because of them.
    """
    if response.submitted_at is None:
        return None
    existing = RoutingDecision.objects.filter(response=response).first()
    if existing is not None:
        return existing
    invitation = response.invitation
    version = invitation.version
    policy = RoutingPolicy.objects.filter(
        questionnaire_key=version.questionnaire.key
    ).first()
    if policy is None:
        return None
    try:
        ruleset = routing.parse(policy.rules)
    except routing.RuleSetError:
        logger.warning("routing rules %s cannot be read", policy.pk, exc_info=True)
        return None
    medical_row = ResponseMedical.objects.filter(response=response).first()
    answers = {
        **response.answers,
        **(
            json.loads(medical_row.answers)
            if medical_row and medical_row.answers
            else {}
        ),
    }
    proposal = routing.propose(ruleset, Definition.parse(version.definition), answers)
    decision = RoutingDecision.objects.create(
        tenant_id=response.tenant_id,
        case_id=invitation.case_id,
        response=response,
        proposed_route=proposal.route,
        proposed_early_consult=proposal.early_consult,
        proposed_interventions=list(proposal.interventions),
        reasons=_stored_reasons(proposal.reasons),
        score=proposal.score,
        proposed_at=timezone.now(),
    )
    audit_event_record(
        actor=None,
        action="routing_propose",
        obj=decision,
        data={
            "case_id": invitation.case_id,
            "route": proposal.route,
            "early_consult": proposal.early_consult,
            "interventions": list(proposal.interventions),
        },
    )
    return decision


def _early_consult_task(*, case: AbsenceCase, today: dt.date) -> Task:
    """An open task for the bedrijfsarts on the case (its chain's first
    case, where all its tasks live) to plan a consult soon."""
    root = case_chain(case=case)[0]
    due = add_working_days(today, EARLY_CONSULT_WORKING_DAYS)
    earlier = Task.objects.filter(
        case=root, source=TaskSource.MANUAL, key=EARLY_CONSULT_TASK_KEY
    ).count()
    return Task.objects.create(
        tenant_id=root.tenant_id,
        case=root,
        source=TaskSource.MANUAL,
        key=EARLY_CONSULT_TASK_KEY,
        round=earlier,
        title="Vroeg consult bedrijfsarts plannen",
        assignee_role=Role.BEDRIJFSARTS,
        # Without a bedrijfsarts on the case, whoever runs it arranges one.
        assignee_id=case.bedrijfsarts_id or case.regiehouder_id or case.casemanager_id,
        due_date=due,
        plan_by=last_working_day_on_or_before(due),
    )


def routing_decide(
    *,
    actor: User,
    decision: RoutingDecision,
    route: str,
    early_consult: bool,
    interventions: list[str],
    reason: str,
) -> RoutingDecision:
    """Accept the routing proposal, or override it with a reason.

    The proposal stays as it was; the decision is recorded next to it, once
    (a second decision on the same proposal is refused). The case gets the
    route, so the protocol's steps for that route become tasks; an early
    consult becomes a task for the bedrijfsarts; each chosen intervention is
    recorded as requested.
    """
    if not can(actor, Action.ROUTE_DECIDE, decision.case):
        raise ApplicationError(
            _("Alleen de regiehouder of casemanager besluit over de route.")
        )
    if route not in Route.values:
        raise ApplicationError(_("Kies regulier of complex."), field="route")
    chosen = list(dict.fromkeys(interventions))
    if any(kind not in InterventionKind.values for kind in chosen):
        raise ApplicationError(
            _("Kies interventies uit de lijst."), field="interventions"
        )
    reason = reason.strip()
    overridden = (route, bool(early_consult), sorted(chosen)) != (
        decision.proposed_route,
        decision.proposed_early_consult,
        sorted(decision.proposed_interventions),
    )
    if overridden and not reason:
        raise ApplicationError(
            _("Geef een reden: uw besluit wijkt af van het voorstel."),
            field="reason",
        )
    if len(reason) > ROUTING_REASON_MAX_LENGTH:
        raise ApplicationError(
            _("De reden is te lang (hoogstens %(max)d tekens).")
            % {"max": ROUTING_REASON_MAX_LENGTH},
            field="reason",
        )
    today = timezone.localdate()
    with transaction.atomic():
        locked = (
            RoutingDecision.objects.select_for_update(of=("self",))
            .select_related("decided_by")
            .get(pk=decision.pk)
        )
        before = audit_snapshot(locked, ROUTING_DECISION_AUDIT_FIELDS)
        if locked.is_decided:
            raise ApplicationError(
                _(
                    "Over dit voorstel is al besloten op %(date)s door %(name)s; "
                    "een besluit wordt niet overschreven."
                )
                % {
                    "date": timezone.localtime(locked.decided_at).strftime(
                        "%d-%m-%Y %H:%M"
                    ),
                    "name": locked.decided_by.get_full_name()
                    if locked.decided_by
                    else "?",
                }
            )
        locked.decided_route = route
        locked.early_consult = bool(early_consult)
        locked.interventions = chosen
        locked.outcome = (
            RoutingOutcome.OVERRIDDEN if overridden else RoutingOutcome.ACCEPTED
        )
        locked.reason = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        case = AbsenceCase.objects.select_for_update().get(pk=locked.case_id)
        case.route = route
        case.save(update_fields=["route"])
        if early_consult:
            _early_consult_task(case=case, today=today)
        for kind in chosen:
            intervention_create(
                actor=actor,
                case=case,
                kind=kind,
                requested_on=today,
                status=InterventionStatus.AANGEVRAAGD,
                notes=_("Ingezet bij het besluit over de route na de triage."),
            )
        audit_event_record(
            actor=actor,
            action="routing_decide",
            obj=locked,
            data={
                "case_id": case.pk,
                "outcome": locked.outcome,
                "route": route,
                "early_consult": bool(early_consult),
                "interventions": chosen,
                "proposed_route": locked.proposed_route,
            },
            changes=audit_changes(locked, before),
        )
        # The route decides which protocol steps apply: show them right away.
        deadlines_refresh_for_case(case=case, today=today)
    return locked
