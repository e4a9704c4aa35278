"""Uploaded files are never served from a public folder: a scoped view checks that the
user may see the record, then hands the file over with this helper, as an attachment
that the browser will not render or sniff."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404


def serve_attachment(request, path: str | Path, filename: str) -> FileResponse:
    """Send the file at `path` (inside MEDIA_ROOT) as a download named `filename`."""
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise Http404
    response = FileResponse(full.open("rb"), as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if it were opened in place, it could run nothing.
    response["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'none'; frame-ancestors 'none'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    return response
