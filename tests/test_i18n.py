"""The message catalogues are complete and compiled, and the interface speaks
Simplified Chinese unless the user has chosen another language."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

LOCALE_DIR = Path(settings.BASE_DIR) / "minqing" / "locale"
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))

# %(name)s, %s, %d … (but not a literal %%) and {name} / {0} / {} (but not {{ or }}).
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")


def placeholders(text: str, flags: list[str]) -> list[str]:
    found = []
    if "python-format" in flags:
        found += [p for p in PERCENT.findall(text) if p != "%%"]
    if "python-brace-format" in flags:
        found += ["{" + p + "}" for p in BRACE.findall(text)]
    return sorted(found)


def translations(entry: polib._BaseEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def live_entries(catalogue) -> list:
    return [e for e in catalogue if not e.obsolete]


def entry_key(entry) -> tuple[str | None, str]:
    return (entry.msgctxt or None, entry.msgid)


def catalogue_id(path: Path) -> str:
    return str(path.relative_to(LOCALE_DIR))


def test_there_is_a_simplified_chinese_catalogue():
    assert LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po" in PO_FILES


@pytest.mark.parametrize("po_path", PO_FILES, ids=catalogue_id)
def test_every_entry_is_translated_and_none_is_fuzzy(po_path):
    catalogue = polib.pofile(str(po_path))
    problems = []
    if catalogue.metadata_is_fuzzy:
        problems.append("the header is marked fuzzy")
    for entry in live_entries(catalogue):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not all(text.strip() for text in translations(entry)):
            problems.append(f"untranslated: {entry.msgid!r}")
    assert not problems, f"{catalogue_id(po_path)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po_path", PO_FILES, ids=catalogue_id)
def test_every_translation_keeps_the_placeholders_of_its_source(po_path):
    catalogue = polib.pofile(str(po_path))
    problems = []
    for entry in live_entries(catalogue):
        expected = placeholders(entry.msgid, entry.flags)
        if entry.msgid_plural:
            # With one plural form the translation may use either source's placeholders.
            allowed = [expected, placeholders(entry.msgid_plural, entry.flags)]
        else:
            allowed = [expected]
        for text in translations(entry):
            if text and placeholders(text, entry.flags) not in allowed:
                problems.append(
                    f"{entry.msgid!r} → {text!r}: expected {expected}, got {placeholders(text, entry.flags)}"
                )
    assert not problems, f"{catalogue_id(po_path)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po_path", PO_FILES, ids=catalogue_id)
def test_the_header_names_the_project_language_and_charset(po_path):
    catalogue = polib.pofile(str(po_path))
    language = po_path.parent.parent.name
    assert catalogue.metadata.get("Language") == language
    assert catalogue.metadata.get("Project-Id-Version", "").startswith("minqing")
    assert "charset=UTF-8" in catalogue.metadata.get("Content-Type", "")


@pytest.mark.parametrize("po_path", PO_FILES, ids=catalogue_id)
def test_the_compiled_catalogue_holds_exactly_the_translations_of_the_po_file(po_path):
    """Compares content, not modification times: a fresh clone gives every file the same age."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{catalogue_id(mo_path)} is missing: run `minqing compilemessages`"
    source = {
        entry_key(e): translations(e)
        for e in live_entries(polib.pofile(str(po_path)))
        if "fuzzy" not in e.flags and all(translations(e))
    }
    compiled = {entry_key(e): translations(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    stale = sorted(
        f"{key[1]!r}: .po {source[key]} ≠ .mo {compiled.get(key)}"
        for key in source
        if compiled.get(key) != source[key]
    )
    extra = sorted(repr(key[1]) for key in compiled if key not in source)
    assert not stale and not extra, (
        f"{catalogue_id(mo_path)} is out of date: run `minqing compilemessages`\n"
        + "\n".join(stale + [f"only in .mo: {x}" for x in extra])
    )


def test_the_login_page_is_in_simplified_chinese_by_default(db):
    response = Client().get("/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-Hans"' in page
    assert "登录" in page
    assert "Sign in" not in page


def test_the_login_page_is_in_english_when_the_language_cookie_says_so(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en"' in page
    assert "Sign in" in page
    assert "登录" not in page
