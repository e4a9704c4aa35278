"""Every translatable string in the code is in the catalogue: extract the messages again
from a copy of the package and compare with the committed .po."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "minqing" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is not installed (.ci/run installs it)"
)
def test_the_catalogue_holds_every_message_in_the_code(tmp_path):
    copy = tmp_path / "minqing"
    shutil.copytree(ROOT / "minqing", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "minqing.settings",
        "MINQING_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(copy / CATALOGUE.relative_to(ROOT / "minqing")))
    }
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE))}
    missing = sorted(msgid for _ctx, msgid in extracted - committed)
    assert not missing, "run `make messages` and translate: " + "; ".join(missing[:20])
