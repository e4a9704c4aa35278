import json

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from minqing.assessment import documents, selectors, services
from minqing.assessment.models import AssessmentResult
from minqing.core.cli import audit_read, campaign_or_error, iso_date, write_bytes
from minqing.core.dates import day_text

from ._actions import ActionCommand

# The methods take their unused options as `**_`: gettext is called by its name here.


class Command(ActionCommand):
    help = gettext_lazy(
        "Composite assessment of a campaign's cadres for a period (run, weights, at-risk list) "
        "and leaders' records."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser(
            "run", help=gettext_lazy("assess every cadre of a campaign for a period and store the results")
        )
        run.add_argument("--campaign", type=int, required=True)
        run.add_argument("--period", required=True, help=gettext_lazy("2026, 2026H1 or 2026Q3"))
        run.add_argument("--json", action="store_true")
        run.add_argument("--top", type=int, default=20, help=gettext_lazy("rows shown (without --json)"))
        weights = sub.add_parser(
            "weights", help=gettext_lazy("show the weights, or set a new version with --set")
        )
        weights.add_argument("--campaign", type=int, required=True)
        weights.add_argument(
            "--set", action="append", default=[], help=gettext_lazy("COMPONENT=WEIGHT, repeatable")
        )
        weights.add_argument("--from", dest="effective_from", help=gettext_lazy("in force from YYYY-MM-DD"))
        weights.add_argument("--reason", default="")
        rule = sub.add_parser(
            "recall-rule", help=gettext_lazy("set the at-risk rule of a campaign (empty: off)")
        )
        rule.add_argument("--campaign", type=int, required=True)
        rule.add_argument("--resident-score-below", default=None)
        rule.add_argument("--absences-at-least", default=None)
        rule.add_argument("--composite-below", default=None)
        risk = sub.add_parser("at-risk", help=gettext_lazy("cadres the recall rule flags"))
        risk.add_argument("--campaign", type=int, required=True)
        risk.add_argument("--as-of", type=iso_date)
        risk.add_argument("--json", action="store_true")
        sheet = sub.add_parser(
            "sheet", help=gettext_lazy("write a cadre's result sheet (PDF) of the latest run of a period")
        )
        sheet.add_argument("--campaign", type=int, required=True)
        sheet.add_argument("--period", required=True)
        sheet.add_argument("--cadre", required=True, help=gettext_lazy("username"))
        sheet.add_argument("-o", "--output", required=True)
        record = sub.add_parser(
            "leader-record", help=gettext_lazy("draft a leader's weekly record or quarterly report")
        )
        record.add_argument("--cadre", required=True, help=gettext_lazy("username of the leader"))
        record.add_argument("--kind", choices=("weekly", "quarterly"), required=True)
        record.add_argument(
            "--day", type=iso_date, required=True, help=gettext_lazy("a day of the week or quarter")
        )
        record.add_argument("-o", "--output", help=gettext_lazy("also write it as .pdf or .docx"))

    def _campaign(self, pk):
        return campaign_or_error(pk)

    def run(self, campaign, period, json, top, **_):
        run = services.assessment_run(actor=None, campaign=self._campaign(campaign), period=period)
        results = AssessmentResult.objects.filter(run=run).select_related("cadre__account", "unit__parent")
        if json:
            self.stdout.write(_dumps(run, results.order_by("rank_campaign", "id")))
            return
        self.stdout.write(
            gettext(
                "%(campaign)s %(period)s (%(start)s – %(end)s), weights version %(version)s: %(cadres)s cadres"
            )
            % {
                "campaign": run.campaign,
                "period": run.period,
                "start": day_text(run.start),
                "end": day_text(run.end),
                "version": run.weight_set.version,
                "cadres": run.cadre_count,
            }
        )
        for result in results.order_by("rank_campaign", "id")[:top]:
            total = "—" if result.total is None else f"{result.total:.2f}"
            self.stdout.write(
                f"{result.rank_campaign or '—':>5} {total:>7}  {result.cadre.account}  {result.unit.label}"
            )

    def weights(self, campaign, set, effective_from, reason, **_):
        campaign = self._campaign(campaign)
        if set:
            pairs = dict(item.split("=", 1) for item in set if "=" in item)
            if len(pairs) != len(set):
                raise CommandError(gettext("Write each weight as COMPONENT=WEIGHT."))
            current = selectors.weight_sets(campaign).first()
            merged = {**(current.weights if current else {}), **pairs}
            services.weights_change(
                actor=None,
                campaign=campaign,
                weights=merged,
                effective_from=iso_date(effective_from) if effective_from else campaign.start,
                reason=reason,
            )
        for ws in selectors.weight_sets(campaign):
            weights = ", ".join(f"{k}={v}" for k, v in ws.weights.items())
            self.stdout.write(
                gettext("Version %(version)s from %(day)s: %(weights)s")
                % {"version": ws.version, "day": day_text(ws.effective_from), "weights": weights}
                + (f"  {ws.reason}" if ws.reason else "")
            )

    def recall_rule(self, campaign, resident_score_below, absences_at_least, composite_below, **_):
        rule = services.recall_rule_set(
            actor=None,
            campaign=self._campaign(campaign),
            resident_score_below=resident_score_below,
            absences_at_least=absences_at_least,
            composite_below=composite_below,
        )
        self.stdout.write(
            gettext(
                "At risk: residents' score below %(score)s, absences at least %(absences)s, "
                "composite below %(composite)s"
            )
            % {
                "score": "—" if rule.resident_score_below is None else rule.resident_score_below,
                "absences": "—" if rule.absences_at_least is None else rule.absences_at_least,
                "composite": "—" if rule.composite_below is None else rule.composite_below,
            }
        )

    def at_risk(self, campaign, as_of, json, **_):
        found = self._campaign(campaign)
        day = as_of or timezone.localdate()
        flagged = selectors.at_risk(found, day)
        # Cadres by name with why they may be recalled: a cadre's record, read.
        audit_read(
            action="assessment.at_risk.view",
            obj=found,
            shown=len(flagged),
            as_of=day.isoformat(),
            format="json" if json else "text",
        )
        if json:
            import json as _json

            self.stdout.write(
                _json.dumps(
                    [
                        {
                            "cadre": f.cadre.pk,
                            "name": str(f.cadre.account),
                            "unit": f.cadre.unit.label,
                            "reasons": [str(r) for r in f.reasons],
                            "recall": f.open_recall.pk if f.open_recall else None,
                        }
                        for f in flagged
                    ],
                    ensure_ascii=False,
                )
            )
            return
        for f in flagged:
            self.stdout.write(
                f"{f.cadre.pk:>6} {f.cadre.account}（{f.cadre.unit.label}）: {'; '.join(f.reasons)}"
            )
        self.stdout.write(gettext("%(n)s cadres at risk") % {"n": len(flagged)})

    def sheet(self, campaign, period, cadre, output, **_):
        run = selectors.latest_run(self._campaign(campaign), period.strip().upper())
        if run is None:
            raise CommandError(
                gettext("%(period)s has not been assessed: run `minqing assessment run` first.")
                % {"period": period}
            )
        result = (
            AssessmentResult.objects.filter(run=run, cadre=self._cadre(cadre))
            .select_related("cadre__account", "unit__parent", "run__campaign")
            .first()
        )
        if result is None:
            raise CommandError(gettext("This cadre was not assessed in that run."))
        write_bytes(output, documents.result_sheet_pdf(result, user=None))
        self.stdout.write(output)

    def leader_record(self, cadre, kind, day, output, **_):
        record = services.leader_record_draft(actor=None, cadre=self._cadre(cadre), kind=kind, day=day)
        self.stdout.write(record.text)
        if output:
            if output.endswith(".docx"):
                data = documents.leader_record_docx(record, user=None)
            elif output.endswith(".pdf"):
                data = documents.leader_record_pdf(record, user=None)
            else:
                raise CommandError(gettext("The output file must end in .pdf or .docx."))
            write_bytes(output, data)
            self.stdout.write(output)


def _dumps(run, results) -> str:
    return json.dumps(
        {
            "campaign": run.campaign_id,
            "period": run.period,
            "start": run.start.isoformat(),
            "end": run.end.isoformat(),
            "weights_version": run.weight_set.version,
            "weights": run.weights,
            "results": [
                {
                    "cadre": r.cadre_id,
                    "name": str(r.cadre.account),
                    "unit": r.unit.label,
                    "total": r.total,
                    "rank_campaign": r.rank_campaign,
                    "rank_unit": r.rank_unit,
                    "parts": {
                        k: {"score": v.get("score"), "actual": v.get("actual")} for k, v in r.parts.items()
                    },
                }
                for r in results
            ],
        },
        ensure_ascii=False,
    )
