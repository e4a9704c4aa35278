"""One helper sends every file built for a download (ledgers, demands, household exports):
written to a temporary path, streamed from the open handle, and gone from disk at once,
whether the writing succeeds or fails."""

import glob
import os
import tempfile

import pytest

from minqing.core.files import XLSX, temp_file_download


def _ours() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "minqing-*.xlsx")))


def test_a_written_file_is_streamed_as_an_attachment_and_leaves_nothing_on_disk(db):
    before, seen = _ours(), []

    def write(path: str) -> str:
        seen.append(path)
        with open(path, "wb") as f:
            f.write(b"x" * 300_000)
        return "台账.xlsx"

    response = temp_file_download(write, suffix=".xlsx", content_type=XLSX)
    assert response.streaming and response["Content-Type"] == XLSX
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "filename*=utf-8''" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert not os.path.exists(seen[0]) and _ours() == before, "the name is gone before the first block"
    assert b"".join(response.streaming_content) == b"x" * 300_000
    response.close()  # as the server does when the response is sent (signals request_finished)


def test_a_file_whose_writing_fails_is_removed_and_the_error_passes_on():
    before, seen = _ours(), []

    def write(path: str) -> str:
        seen.append(path)
        with open(path, "wb") as f:
            f.write(b"half")
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        temp_file_download(write, suffix=".xlsx", content_type=XLSX)
    assert not os.path.exists(seen[0]) and _ours() == before


def test_ledgers_demands_and_exports_use_the_one_helper():
    import minqing.exports.views
    import minqing.ledgers.api
    import minqing.ledgers.views
    import minqing.tickets.views

    for module in (minqing.ledgers.views, minqing.ledgers.api, minqing.tickets.views, minqing.exports.views):
        assert module.temp_file_download is temp_file_download, module.__name__
    with pytest.raises(ImportError):
        import minqing.ledgers.files  # noqa: F401
