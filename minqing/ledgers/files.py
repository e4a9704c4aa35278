"""A file written to a temporary path and sent in blocks (FileResponse), then gone: the
open handle keeps the data readable after the name is removed."""

import os
import tempfile

from django.http import FileResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def temp_path(suffix: str) -> str:
    handle, path = tempfile.mkstemp(prefix="minqing-", suffix=suffix)
    os.close(handle)
    return path


def discard(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def file_response(path: str, *, filename: str, content_type: str) -> FileResponse:
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it when the response is sent
    discard(path)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
