"""Writes of the triage app: shipped questionnaires, versions, invitations
and answers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, Tenant, User
from accounts.services import audit_event_record
from cases.models import AbsenceCase
from core.exceptions import ApplicationError
from triage.engine import Definition, DefinitionError, answers_clean
from triage.engine import answers_split as _split
from triage.models import (
    Invitation,
    InvitationStatus,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseMedical,
)

SHIPPED_DIR = Path(__file__).parent / "data" / "questionnaires"
KEY_MAX_LENGTH = 60  # Questionnaire.key
NAME_MAX_LENGTH = 200  # Questionnaire.name
INVITATION_VALID_FOR = dt.timedelta(days=14)


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


def invitation_create(
    *, actor: User | None, case: AbsenceCase, questionnaire: Questionnaire
) -> Invitation:
    """Invite the employee of ``case`` to the newest published version of
    ``questionnaire``, in the employee's language (English unless Dutch)."""
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
    language = (
        Language.NL if case.employee.preferred_language == Language.NL else Language.EN
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
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    with transaction.atomic():
        invitation.status = InvitationStatus.REVOKED
        invitation.save(update_fields=["status"])
        audit_event_record(actor=actor, action="invitation_revoke", obj=invitation)
    return invitation


def response_save(
    *, invitation: Invitation, section: str, answers: dict, submit: bool = False
) -> Response:
    """Save one page of answers (partial answers allowed), or with ``submit``
    check the whole questionnaire and close the invitation.

    Raises ``AnswerErrors`` with every problem; nothing is saved then, and
    what was saved before stays.
    """
    definition = Definition.parse(invitation.version.definition)
    with transaction.atomic():
        response, _created = Response.objects.select_for_update().get_or_create(
            invitation=invitation, defaults={"tenant_id": invitation.tenant_id}
        )
        medical_row = ResponseMedical.objects.filter(response=response).first()
        stored = {
            **response.answers,
            **(
                json.loads(medical_row.answers)
                if medical_row and medical_row.answers
                else {}
            ),
        }
        page = answers_clean(definition, answers, section=section, partial=True)
        section_keys = {
            q.key for s in definition.sections if s.key == section for q in s.questions
        }
        merged = {k: v for k, v in stored.items() if k not in section_keys} | page
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
    return response
