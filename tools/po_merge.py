#!/usr/bin/env python
"""Settle the Chinese catalogue after a merge or rebase (developer tool, not shipped).

Run from the repository root with the project's venv, while git shows a conflict in
django.po / django.mo, or at any time to refresh the catalogue:

    .venv/bin/python tools/po_merge.py

It gathers every translation from all sides of a conflict (git index stages 1-3) and from
the file in the work tree when it parses, re-extracts the messages from the code
(makemessages), fills each message from what was gathered, clears fuzzy marks and
previous msgids, compiles the .mo and stages both files. Messages nobody translated
are listed at the end: translate them (polib) and run it again.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import polib

PO = "minqing/locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO[:-2] + "mo"


def _load(text: str):
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".po", delete=False, encoding="utf-8") as fh:
            fh.write(text)
        return polib.pofile(fh.name)
    except Exception:
        return None


def main() -> int:
    known: dict[tuple, object] = {}
    sources = []
    for stage in (1, 2, 3):
        result = subprocess.run(["git", "show", f":{stage}:{PO}"], capture_output=True, text=True)
        if result.returncode == 0:
            sources.append(result.stdout)
    work = Path(PO).read_text(encoding="utf-8")
    sources.append(work)
    base = None
    for text in sources:
        po = _load(text)
        if po is None:
            continue
        base = base or text
        for entry in po:
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            if entry.msgstr or any(entry.msgstr_plural.values()):
                known[(entry.msgctxt, entry.msgid)] = entry
    if base is None:
        print("no side of the catalogue parses", file=sys.stderr)
        return 1
    Path(PO).write_text(base, encoding="utf-8")
    venv = Path(sys.executable).parent
    subprocess.run(
        [str(venv / "minqing"), "makemessages", "-l", "zh_Hans", "--no-obsolete", "--add-location", "file"],
        cwd="minqing",
        check=True,
        capture_output=True,
    )
    po = polib.pofile(PO)
    missing = []
    for entry in po:
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
        source = known.get((entry.msgctxt, entry.msgid))
        if source is not None:
            if entry.msgid_plural:
                entry.msgstr_plural = dict(source.msgstr_plural) or {0: source.msgstr}
            else:
                entry.msgstr = source.msgstr
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif "fuzzy" in entry.flags or not (entry.msgstr or any(entry.msgstr_plural.values())):
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
                entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
            missing.append(entry.msgid)
    po.save(PO)
    subprocess.run(
        [str(venv / "minqing"), "compilemessages", "-l", "zh_Hans"],
        cwd="minqing",
        check=True,
        capture_output=True,
    )
    subprocess.run(["git", "add", PO, MO], check=False)
    if missing:
        print(f"{len(missing)} message(s) without a translation:")
        for msgid in missing:
            print("  ", msgid)
        return 2
    print("catalogue settled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
