"""core.mail.send_templated_mail: the one way the product sends a mail."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.mail import MailNotSentError, send_templated_mail


@pytest.fixture
def templates(tmp_path, settings):
    """A template folder of its own, in front of the project's."""
    folder = tmp_path / "templates" / "probe"
    folder.mkdir(parents=True)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]
    return folder


def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_text_and_html_parts_in_the_recipients_language(templates):
    _write(
        templates,
        "hello.txt",
        '{% load i18n %}{% translate "Eerste ziektedag" %}: {{ day|date:"j F" }}',
    )
    _write(templates, "hello.html", "<p>{{ who }}</p>")
    with translation.override("nl"):
        sent = send_templated_mail(
            to=["a@example.test"],
            language="en",
            subject=gettext_lazy("Eerste ziektedag"),
            template_base="probe/hello",
            context={"day": dt.date(2026, 3, 1), "who": "<b>Jan</b>"},
            reply_to=["casemanager@example.test"],
        )
    assert sent == 1
    (message,) = mail.outbox
    assert message.subject == "First day of sickness"
    assert message.body == "First day of sickness: 1 March"
    assert message.alternatives == [("<p>&lt;b&gt;Jan&lt;/b&gt;</p>", "text/html")]
    assert message.reply_to == ["casemanager@example.test"]


def test_plain_text_only_when_there_is_no_html_template(templates):
    _write(templates, "plain.txt", "Hallo")
    send_templated_mail(
        to=["a@example.test"],
        language="nl",
        subject="Onderwerp",
        template_base="probe/plain",
        context={},
    )
    assert mail.outbox[0].alternatives == []


def test_a_subject_is_one_line_with_its_parameters(templates):
    _write(templates, "plain.txt", "Hallo")
    send_templated_mail(
        to=["a@example.test"],
        language="nl",
        subject="Voor %(name)s",
        subject_params={"name": "Jan\nBcc: iemand@example.test"},
        template_base="probe/plain",
        context={},
    )
    assert mail.outbox[0].subject == "Voor Jan Bcc: iemand@example.test"


def test_a_refusing_mail_server_is_a_clear_error(templates, settings):
    _write(templates, "plain.txt", "Hallo")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens there: the connection is refused
    with pytest.raises(MailNotSentError, match="kon niet worden verstuurd"):
        send_templated_mail(
            to=["a@example.test"],
            language="nl",
            subject="Onderwerp",
            template_base="probe/plain",
            context={},
        )
