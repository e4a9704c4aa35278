from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import NOT_DUE, Param, Rule


class SlotComposition(Rule):
    """003 一联五: each stationed cadre links one target of every slot of a pairing kind
    (a party-org head, a veteran party member, a residents' representative, an extremely
    poor household, a wealth-creation expert), listed by a due date."""

    type = "composition.slots"
    label = gettext_lazy("One target of each kind, listed by a date")
    params = {
        "pairing_kind": Param("ref", None, gettext_lazy("Pairing kind with the slots"), ref="pairing_kinds"),
        "due": Param("date", None, gettext_lazy("List due by")),
        "stationed_kinds": Param(
            "ref_list",
            [],
            gettext_lazy("Only cadres with a pairing of these kinds (empty: all)"),
            ref="pairing_kinds",
        ),
    }

    @classmethod
    def check_params(cls, values, path, check, context):
        super().check_params(values, path, check, context)
        kind = values.get("pairing_kind")
        if kind in context.get("slots", {}) and not context["slots"][kind]:
            check.error(path + ("pairing_kind",), _("this pairing kind has no slots"))

    def evaluate(self, ctx):
        kind_key = self.value("pairing_kind")
        kind = ctx.campaign.pairing_kind(kind_key) or {"slots": []}
        slots = [(s["key"], s["name"]) for s in kind.get("slots", [])]
        due = self.date("due")
        stationed = set(self.value("stationed_kinds"))
        stationed_ids = {p.cadre_id for p in ctx.pairings if p.kind in stationed} if stationed else None
        filed: dict[int, dict[str, object]] = {}
        # A slot handed over to a successor was listed when its first holder listed it.
        listed = ctx.listed_on if any(p.handed_over_from_id for p in ctx.pairings) else {}
        for p in ctx.pairings:
            if p.kind == kind_key and p.slot:
                start = listed.get(p.id, p.start)
                current = filed.setdefault(p.cadre_id, {}).get(p.slot)
                if current is None or start < current:
                    filed[p.cadre_id][p.slot] = start
        verdicts = []
        for cadre in ctx.cadres:
            if stationed_ids is not None and cadre.pk not in stationed_ids:
                continue
            have = filed.get(cadre.pk, {})
            on_time = [key for key, _name in slots if key in have and (due is None or have[key] <= due)]
            missing = []
            for key, name in slots:
                if key not in have:
                    missing.append(
                        _("%(name)s has not listed a %(slot)s") % {"name": cadre.account, "slot": name}
                    )
                elif due is not None and have[key] > due:
                    missing.append(
                        _("%(name)s listed the %(slot)s on %(day)s, after the %(due)s deadline")
                        % {
                            "name": cadre.account,
                            "slot": name,
                            "day": date_format(have[key]),
                            "due": date_format(due),
                        }
                    )
            before_due = due is not None and ctx.as_of <= due
            verdicts.append(
                self.cadre_verdict(
                    cadre,
                    required=len(slots),
                    actual=len(on_time),
                    ok=not missing,
                    missing=missing,
                    status=NOT_DUE if missing and before_due else None,
                )
            )
        return verdicts
