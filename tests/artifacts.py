"""Where tests leave what a person looks at afterwards (screenshots, rendered cards and
documents): artifacts/ in the checkout, or MINQING_TEST_ARTIFACTS, so that two runs side by
side (.ci/run: SQLite and PostgreSQL at once) never write and read back each other's files."""

import os
from pathlib import Path

ARTIFACTS = Path(
    os.environ.get("MINQING_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "artifacts"
)
