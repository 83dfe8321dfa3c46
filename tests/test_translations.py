"""The Ukrainian and French translations: complete, placeholder-safe, compiled, and served.

The .po files are read with a small parser written here (no polib at run time). The
compiled .mo files are committed so that a machine without GNU gettext still shows the
translations; these tests check that each .mo matches its .po entry by entry, so a .po
edited without `make messages` fails here.
"""

import gettext as gettext_module
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["uk", "fr"]
# Django's Plural-Forms for these languages (the headers makemessages writes).
NPLURALS = {"uk": 4, "fr": 3}
# %(name)s, %(n)d and bare %s / %d; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0\- +]*\d*(?:\.\d+)?[sdif]")

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _unquote(text):
    """The value of one quoted PO string line, C escapes resolved."""
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


class Entry:
    def __init__(self):
        self.flags = set()
        self.msgctxt = None
        self.msgid = None
        self.msgid_plural = None
        self.msgstr = None
        self.msgstr_plural = {}

    @property
    def is_fuzzy(self):
        return "fuzzy" in self.flags

    def translations(self):
        if self.msgid_plural is not None:
            return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]
        return [self.msgstr]


def parse_po(path):
    """The entries of a .po file, the header (msgid "") first; obsolete (#~) ones left out."""
    entries = []
    entry = Entry()
    field = None  # (attribute, plural index or None) that continuation lines extend

    def finish():
        nonlocal entry, field
        if entry.msgid is not None:
            entries.append(entry)
        entry, field = Entry(), None

    def append(value):
        attribute, index = field
        if index is None:
            setattr(entry, attribute, getattr(entry, attribute) + value)
        else:
            entry.msgstr_plural[index] += value

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if field is not None and field[0].startswith("msgstr"):
                finish()  # a comment after a msgstr starts the next entry
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            assert field is not None, f"{path}:{number}: string outside an entry"
            append(_unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and field is not None and field[0].startswith("msgstr"):
            finish()  # an entry without a blank line before it
        if keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            setattr(entry, keyword, _unquote(rest))
            field = (keyword, None)
        elif (match := re.fullmatch(r"msgstr\[(\d+)\]", keyword)) is not None:
            index = int(match.group(1))
            entry.msgstr_plural[index] = _unquote(rest)
            field = ("msgstr_plural", index)
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    finish()
    return entries


def po_path(language):
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def messages(language):
    """The entries of a language's catalogue without the header."""
    return [e for e in parse_po(po_path(language)) if e.msgid != ""]


def header(language):
    (head,) = [e for e in parse_po(po_path(language)) if e.msgid == ""]
    fields = dict(line.split(":", 1) for line in head.msgstr.splitlines() if ":" in line)
    return head, {k.strip(): v.strip() for k, v in fields.items()}


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def test_the_parser_reads_multiline_strings_plurals_flags_and_escapes(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: xx\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Hello %(name)s,\\n"\n"again"\n'
        'msgstr "Salut %(name)s,\\n"\n"encore \\"x\\""\n\n'
        'msgid "%(counter)s case"\nmsgid_plural "%(counter)s cases"\n'
        'msgstr[0] "one"\nmsgstr[1] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "parti"\n',
        encoding="utf-8",
    )
    head, fuzzy, plural = parse_po(po)
    assert head.msgstr == "Language: xx\n"
    assert fuzzy.msgid == "Hello %(name)s,\nagain"
    assert fuzzy.msgstr == 'Salut %(name)s,\nencore "x"'
    assert fuzzy.is_fuzzy and "python-format" in fuzzy.flags
    assert plural.msgid_plural == "%(counter)s cases"
    assert plural.translations() == ["one", ""]
    assert placeholders("%(a)s %s 100%% %d %(b)d") == ["%(a)s", "%(b)d", "%d", "%s"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_names_the_language_and_utf8(language):
    head, fields = header(language)
    assert not head.is_fuzzy
    assert fields["Language"] == language
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Language-Team"] == "Homeward translators"
    assert fields["Last-Translator"] == "Homeward translators"
    assert f"nplurals={NPLURALS[language]};" in fields["Plural-Forms"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = messages(language)
    assert len(entries) > 500
    fuzzy = [e.msgid for e in entries if e.is_fuzzy]
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"
    empty = [e.msgid for e in entries if not all(t.strip() for t in e.translations())]
    assert not empty, f"untranslated in {language}: {empty}"
    wrong_count = [
        e.msgid
        for e in entries
        if e.msgid_plural is not None and len(e.msgstr_plural) != NPLURALS[language]
    ]
    assert not wrong_count, f"plural forms missing in {language}: {wrong_count}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    broken = []
    for e in messages(language):
        expected = set(placeholders(e.msgid)) | set(placeholders(e.msgid_plural or ""))
        for text in e.translations():
            if set(placeholders(text)) != expected:
                broken.append((e.msgid, text))
    assert not broken, f"placeholders differ in {language}: {broken}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_yesno_argument_keeps_its_three_parts(language):
    (entry,) = [e for e in messages(language) if e.msgid == "signed,not signed,unknown"]
    assert len(entry.msgstr.split(",")) == 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po(language):
    """The committed .mo holds exactly what the .po says (run `make messages` after edits)."""
    mo = po_path(language).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    with mo.open("rb") as fp:
        catalogue = gettext_module.GNUTranslations(fp)
    assert catalogue.info()["language"] == language
    stale = []
    for e in messages(language):
        if e.msgctxt is not None:
            continue
        if e.msgid_plural is None:
            if catalogue.gettext(e.msgid) != e.msgstr:
                stale.append(e.msgid)
        else:
            for n in (1, 2, 5):
                index = catalogue.plural(n)
                if catalogue.ngettext(e.msgid, e.msgid_plural, n) != e.msgstr_plural[index]:
                    stale.append(e.msgid)
    assert not stale, f"{mo} is older than the .po for: {stale}"


@pytest.mark.parametrize(
    "language, cases, sign_in",
    [("uk", "Справи", "Увійти"), ("fr", "Dossiers", "Se connecter")],
)
def test_django_serves_the_translations(language, cases, sign_in):
    with translation.override(language):
        assert translation.gettext("Cases") == cases
        assert translation.gettext("Sign in") == sign_in


@pytest.mark.django_db
def test_login_page_in_ukrainian_from_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="uk">' in page
    assert "Увійти" in page
    assert "Забули пароль?" in page
    assert "Forgotten your password?" not in page


@pytest.mark.django_db
def test_login_page_in_french_from_accept_language(client):
    response = client.get("/accounts/login/", headers={"accept-language": "fr"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Se connecter" in page
    assert "Mot de passe oublié ?" in page
