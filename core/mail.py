"""One way to send an e-mail: rendered from templates in the recipient's language.

Every mail Hervat sends goes through ``send_templated_mail``: a plain-text
part from ``<template_base>.txt`` (always) and an HTML part from
``<template_base>.html`` (when that template exists), both rendered inside
``translation.override(language)``, so a Dutch request can mail an English
employee in English. A mail server that refuses becomes a
``MailNotSentError`` with a message for the person at the keyboard, so a
caller inside a transaction rolls back instead of claiming a mail went out.

Mails carry names, dates and links; callers never put medical data in
``context``.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping, Sequence
from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# (filename, content, mimetype) as Django's ``EmailMessage.attach`` takes it,
# or a ready MIME part (an ``.ics`` needs a ``method`` parameter).
Attachment = tuple[str, str | bytes, str] | MIMEBase


class MailNotSentError(ApplicationError):
    """The mail server did not take the mail; nothing was sent."""


def send_templated_mail(
    *,
    to: Sequence[str],
    language: str,
    subject: str | Promise,
    template_base: str,
    context: Mapping[str, Any],
    subject_params: Mapping[str, Any] | None = None,
    attachments: Sequence[Attachment] = (),
    reply_to: Sequence[str] | None = None,
) -> int:
    """Send one mail to ``to`` in ``language``; returns the number sent (1).

    ``subject`` is a lazy translation (or a plain string) evaluated in
    ``language`` and, with ``subject_params``, formatted with ``%``. Raises
    ``MailNotSentError`` when the mail server refuses or cannot be reached.
    """
    with translation.override(language):
        text = str(subject)
        if subject_params is not None:
            text = text % subject_params
        # A subject is one header line, whatever the template or data held.
        subject_line = " ".join(text.split())
        body = render_to_string(f"{template_base}.txt", dict(context))
        try:
            html = render_to_string(f"{template_base}.html", dict(context))
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(
        subject_line,
        body,
        settings.DEFAULT_FROM_EMAIL,
        list(to),
        reply_to=list(reply_to) if reply_to else None,
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        if isinstance(attachment, MIMEBase):
            message.attach(attachment)
        else:
            message.attach(*attachment)
    try:
        return message.send()
    except (OSError, smtplib.SMTPException):
        # No addresses in the log: the template names what failed.
        logger.warning("mail %s not sent", template_base, exc_info=True)
        raise MailNotSentError(
            _("De e-mail kon niet worden verstuurd. Probeer het later opnieuw.")
        ) from None
