"""The appraisal part of the demo and the figures the assessment reads, at the scale of the
database in MINQING_VAR_DIR (or DATABASE_URL). The demo's appraisal rows are removed and built
again inside a transaction that is rolled back, so the database is left as it was.

    MINQING_VAR_DIR=/tmp/county .venv/bin/minqing shell < bench/bench_appraisal.py
"""

import datetime as dt
import time

from django.db import transaction

from minqing.appraisal import selectors
from minqing.appraisal.models import (
    AppraisalLink,
    AppraisalRound,
    ExemplaryCase,
    FollowUpAction,
    Inspection,
    Sample,
)
from minqing.demo.appraisal import build_appraisal
from minqing.programs.models import Campaign


class Rollback(Exception):
    pass


try:
    with transaction.atomic():
        for m in (AppraisalLink, Sample, AppraisalRound, FollowUpAction, Inspection, ExemplaryCase):
            m.objects.all().delete()
        t = time.perf_counter()
        counts = build_appraisal(1)
        took = time.perf_counter() - t
        print("build_appraisal county:", round(took, 2), "s", counts)
        raise Rollback
except Rollback:
    pass
xia = Campaign.objects.get(program_key="xiajiceng")
for name, fn in (
    ("resident_scores", selectors.resident_scores),
    ("inspection_results", selectors.inspection_results),
):
    t = time.perf_counter()
    r = fn(xia, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    took = time.perf_counter() - t
    print(name, "year, county 下基层:", len(r), "cadres,", round(took * 1000), "ms")
