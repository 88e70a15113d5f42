"""The English catalog: complete, in step with the source, and actually used.

Source strings are Dutch (LANGUAGE_CODE "nl"); ``locale/en/LC_MESSAGES/django.po``
holds the English. These tests read the .po with a small stdlib parser, so they
need neither polib nor a database.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext, trans_real

from accounts.models import Role

BASE_DIR = Path(django_settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Python named placeholders such as %(name)s and %(count)d.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

# What `makemessages` must not see in the scratch copy of the repository.
_SKIP_TOP = {"staticfiles", "media", "node_modules"}
_SKIP_ANYWHERE = shutil.ignore_patterns(
    ".*", "__pycache__", "*.pyc", "*.mo", "*.sqlite3", "*.egg-info"
)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or not all(self.msgstr.values())

    @property
    def label(self) -> str:
        return (
            repr(self.msgid)
            if self.msgctxt is None
            else f"{self.msgctxt!r}|{self.msgid!r}"
        )


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file; obsolete (``#~``) entries are left out."""
    entries: list[Entry] = []
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8")):
        entry = Entry()
        target: tuple[str, int] | None = None
        seen_msgid = False
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
                continue
            if not line or line.startswith("#"):
                continue
            if line.startswith('"'):
                text = ast.literal_eval(line)
            else:
                keyword, _, rest = line.partition(" ")
                text = ast.literal_eval(rest)
                match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if match:
                    target = ("msgstr", int(match.group(1)))
                elif keyword in {"msgid", "msgid_plural", "msgctxt", "msgstr"}:
                    target = (keyword, 0)
                    seen_msgid = seen_msgid or keyword == "msgid"
                else:
                    raise ValueError(f"{path}: unexpected line {raw!r}")
            assert target is not None, f"{path}: continuation without keyword: {raw!r}"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] = entry.msgstr.get(index, "") + text
            else:
                setattr(entry, name, (getattr(entry, name) or "") + text)
        if seen_msgid:
            entries.append(entry)
    return entries


def problems(entries: list[Entry]) -> list[str]:
    """Untranslated or fuzzy entries, one line each."""
    found = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry.label}")
        elif not entry.is_header and entry.untranslated:
            found.append(f"untranslated: {entry.label}")
    return found


@pytest.fixture(scope="session")
def compiled_catalog() -> Path:
    """Make sure django.mo exists and is not older than django.po.

    *.mo is git-ignored, so a fresh clone has none until it is compiled.
    """
    if not MO_PATH.exists() or MO_PATH.stat().st_mtime < PO_PATH.stat().st_mtime:
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(BASE_DIR)
            call_command(
                "compilemessages",
                locale=["en"],
                ignore_patterns=[".*", *_SKIP_TOP],
                verbosity=0,
            )
        # Catalogs loaded before the compile are cached per language.
        trans_real._translations = {}
        trans_real._default = None
    return MO_PATH


def test_english_catalog_is_complete():
    entries = parse_po(PO_PATH)
    assert len(entries) > 1, f"{PO_PATH} holds no messages"
    found = problems(entries)
    assert not found, "English catalog incomplete:\n" + "\n".join(found)


def test_catalog_covers_every_string_in_the_source(tmp_path, monkeypatch, settings):
    """Re-extract the messages in a scratch copy; nothing may come out empty.

    This is what ``makemessages -l en`` would do to the real catalog, so a new
    Dutch string without an English translation fails here.
    """

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set(_SKIP_ANYWHERE(directory, names))
        if Path(directory) == BASE_DIR:
            skipped |= _SKIP_TOP.intersection(names)
        return skipped

    copy = tmp_path / "repo"
    shutil.copytree(BASE_DIR, copy, ignore=ignore)
    settings.LOCALE_PATHS = [copy / "locale"]  # never write into the real repo
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["en"],
        ignore_patterns=[*_SKIP_TOP],
        no_location=True,
        no_obsolete=True,
        verbosity=0,
        stdout=io.StringIO(),
    )

    regenerated = copy / PO_PATH.relative_to(BASE_DIR)
    found = problems(parse_po(regenerated))
    assert not found, (
        "Strings in the source lack an English translation; run `manage.py "
        "makemessages -l en --no-location --no-obsolete --ignore=.venv "
        "--ignore=staticfiles` and translate:\n" + "\n".join(found)
    )


def test_placeholders_survive_translation():
    mismatched = []
    for entry in parse_po(PO_PATH):
        if entry.is_header:
            continue
        sources = [entry.msgid, entry.msgid_plural or entry.msgid]
        for index, text in entry.msgstr.items():
            expected = PLACEHOLDER.findall(sources[min(index, 1)])
            if sorted(PLACEHOLDER.findall(text)) != sorted(expected):
                mismatched.append(f"{entry.label} -> {text!r}")
    assert not mismatched, "Placeholders differ:\n" + "\n".join(mismatched)


def test_english_is_served_and_dutch_stays_the_source(compiled_catalog):
    with translation.override("en"):
        assert gettext("Inloggen") == "Log in"
        assert str(Role.LEIDINGGEVENDE.label) == "Manager"
        assert str(Role.BEDRIJFSARTS.label) == "Company doctor"
        rendered = Template('{% load i18n %}{% translate "Uitloggen" %}').render(
            Context()
        )
        assert rendered == "Log out"
    with translation.override("nl"):
        assert gettext("Inloggen") == "Inloggen"
        assert str(Role.LEIDINGGEVENDE.label) == "Leidinggevende"


def test_every_catalog_entry_is_what_gettext_returns(compiled_catalog):
    """The compiled catalog matches the .po and nothing else shadows it."""
    wrong = []
    with translation.override("en"):
        for entry in parse_po(PO_PATH):
            if entry.is_header or entry.msgctxt or entry.msgid_plural:
                continue
            if gettext(entry.msgid) != entry.msgstr[0]:
                wrong.append(f"{entry.label}: {gettext(entry.msgid)!r}")
    assert not wrong, "gettext disagrees with django.po:\n" + "\n".join(wrong)
