"""Files handed to the browser. Uploaded files are never served from a public folder: a
scoped view checks that the user may see the record, then hands the file over with
`serve_attachment`. Files built for one download (ledgers, exports) are written to a
temporary path and sent in blocks with `temp_file_download`, so that no export is held in
memory whatever its length. Both go out as attachments the browser will not render or sniff."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(handle, filename: str, content_type: str | None = None) -> FileResponse:
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if it were opened in place, it could run nothing.
    response["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'none'; frame-ancestors 'none'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def serve_attachment(request, path: str | Path, filename: str) -> FileResponse:
    """Send the file at `path` (inside MEDIA_ROOT) as a download named `filename`."""
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise Http404
    return _attachment(full.open("rb"), filename)


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def temp_file_download(write: Callable[[str], str], *, suffix: str, content_type: str) -> FileResponse:
    """`write(path)` writes the file at a fresh temporary path and returns the name to
    download it as. The file is then sent in blocks; its name is removed before the first
    block (the open handle keeps the data readable), so nothing is left behind on disk. If
    `write` raises, the path is removed and the exception passes on to the caller."""
    handle, path = tempfile.mkstemp(prefix="minqing-", suffix=suffix)
    os.close(handle)
    try:
        filename = write(path)
        opened = open(path, "rb")  # noqa: SIM115 - FileResponse closes it when the response is sent
    finally:
        _discard(path)
    return _attachment(opened, filename, content_type)
