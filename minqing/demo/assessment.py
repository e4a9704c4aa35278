"""The demo year's assessments, recall rules, a few recalls in each state and leaders' records."""

import datetime as dt

from django.utils.translation import gettext_noop

from minqing.assessment import selectors, services
from minqing.assessment.models import LeaderRecord
from minqing.org.models import Cadre
from minqing.programs.models import Campaign
from minqing.programs.selectors import campaign_cadres

from .fieldwork import DEMO_TODAY

# The named demo accounts keep their pairings: tests and the guided tour rely on them.
KEEP = ("office", "office_jinan", "leader", "cadre", "unit", "inspector")


def build_assessment(seed: int, progress=None) -> dict:
    counts = {"assessments": 0, "recalls": 0}
    for campaign in Campaign.objects.order_by("id"):
        services.assessment_run(actor=None, campaign=campaign, period=str(DEMO_TODAY.year), today=DEMO_TODAY)
        counts["assessments"] += 1
        if progress:
            progress(gettext_noop("assessments"), 1)
    xia = Campaign.objects.get(program_key="xiajiceng")
    services.recall_rule_set(
        actor=None, campaign=xia, resident_score_below=60, absences_at_least=4, composite_below=45
    )
    flagged = [f for f in selectors.at_risk(xia, DEMO_TODAY) if f.cadre.account.username not in KEEP]
    flagged.sort(key=lambda f: -f.cadre.pk)
    for index, found in enumerate(flagged[:3]):
        recall = services.recall_propose(actor=None, campaign=xia, cadre=found.cadre, reasons=found.reasons)
        counts["recalls"] += 1
        if index == 0:
            continue
        services.recall_decide(actor=None, recall=recall, approve=True, reason="经领导小组研究同意")
        if index == 1:
            continue
        successor = (
            campaign_cadres(xia)
            .filter(unit_id=found.cadre.unit_id)
            .exclude(pk__in=[f.cadre.pk for f in flagged])
            .exclude(account__username__in=KEEP)
            .first()
        )
        if successor is not None:
            services.recall_carry_out(
                actor=None, recall=recall, successor=successor, on_date=DEMO_TODAY, reason="召回后工作移交"
            )
    leader = Cadre.objects.filter(account__username="leader").first()
    if leader is not None:
        for week in range(1, 4):
            record = services.leader_record_draft(
                actor=None,
                cadre=leader,
                kind=LeaderRecord.Kind.WEEKLY,
                day=DEMO_TODAY - dt.timedelta(weeks=week),
            )
            services.leader_record_save(
                actor=None, record=record, text=record.text, version=record.version, submit=True
            )
        services.leader_record_draft(actor=None, cadre=leader, kind=LeaderRecord.Kind.WEEKLY, day=DEMO_TODAY)
        services.leader_record_draft(
            actor=None, cadre=leader, kind=LeaderRecord.Kind.QUARTERLY, day=dt.date(DEMO_TODAY.year, 9, 30)
        )
    return counts
