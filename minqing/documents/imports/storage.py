"""An uploaded file waits between the dry run and the confirmed write in VAR_DIR/imports,
named by a random token (never in the session); stale ones are swept away."""

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings

MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _root() -> Path:
    root = Path(settings.VAR_DIR) / "imports"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _sweep(root: Path) -> None:
    cutoff = time.time() - MAX_AGE
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def stash(upload, *, user_id: int, kind: str, campaign_id: int | None = None) -> str:
    """Copy an upload (at most the limit plus one byte) into a token folder; return the token."""
    root = _root()
    _sweep(root)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir(mode=0o700)
    suffix = Path(upload.name or "").suffix.lower()[:8]
    with open(folder / f"upload{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    meta = {"user": user_id, "kind": kind, "name": (upload.name or "")[:200], "campaign": campaign_id}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
    return token


def fetch(token: str, *, user_id: int, kind: str) -> tuple[Path, dict] | None:
    """The stashed file and its facts, only for the user and list that stashed it."""
    if not _TOKEN.match(token or ""):
        return None
    folder = _root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("user") != user_id or meta.get("kind") != kind:
        return None
    files = [p for p in folder.iterdir() if p.name.startswith("upload")]
    return (files[0], meta) if files else None


def discard(token: str) -> None:
    if _TOKEN.match(token or ""):
        shutil.rmtree(_root() / token, ignore_errors=True)
