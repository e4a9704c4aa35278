from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param, Rule
from ._pending import cadre_subjects


class FirstStayBy(Rule):
    """003: a first stay at the point before the end of April."""

    type = "stay.first_by"
    label = gettext_lazy("First stay at the point by a date")
    params = {
        "due": Param("date", None, gettext_lazy("First stay by")),
        "kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    def required_text(self):
        return _("a first stay by %(due)s") % {"due": self.shown_date("due")}

    def evaluate(self, ctx):
        due = self.date("due")
        subjects = cadre_subjects(ctx, self.value("kinds"))
        first = {
            cadre_id: dates[0]
            for cadre_id, dates in ctx.stay_days(
                [s[1] for s in subjects], ctx.campaign.start, ctx.as_of
            ).items()
            if dates
        }
        cadres = {c.pk: c for c in ctx.cadres}
        verdicts = []
        for _kind, pk, *_rest in subjects:
            cadre, day = cadres[pk], first.get(pk)
            ok = day is not None and day <= due
            if day is None:
                missing = [_("%(name)s has no confirmed day at the point yet") % {"name": cadre.account}]
            else:
                missing = [
                    _("%(name)s first stayed on %(day)s") % {"name": cadre.account, "day": date_format(day)}
                ]
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=self.required_text(),
                    actual=date_format(day) if day else "—",
                    ok=ok,
                    missing=missing,
                    status=NOT_DUE if not ok and ctx.as_of <= due else None,
                )
            )
        return verdicts
