"""Reads of a campaign's ledgers: which ledgers, how many rows each, and the rows, always
limited to what the user's data scope allows (a user without a scope, as on the command
line without --as, is the operator of the server and sees the whole campaign)."""

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from minqing.core.scope import scope_for, scope_q, scoped
from minqing.core.treecode import prefix_q
from minqing.fieldwork.models import Deed
from minqing.geo.models import Region
from minqing.people.models import HardshipLevel, Household
from minqing.tickets.models import Ticket

from .definitions import ALL_DEMANDS, LedgerSpec, ledger_specs, unmask_annotation

PERMISSIONS = {"tickets": "tickets.view", "deeds": "programs.view", "hardship": "people.view"}
MODELS = {"tickets": Ticket, "deeds": Deed, "hardship": Household}


def _base(campaign, spec: LedgerSpec) -> QuerySet:
    if spec.source == "tickets":
        qs = Ticket.objects.filter(campaign=campaign)
        if spec.key != ALL_DEMANDS:
            qs = qs.filter(ledger=spec.key)
        return qs.order_by("registered_at", "id")
    if spec.source == "deeds":
        return Deed.objects.filter(campaign=campaign).order_by("date", "id")
    return (
        Household.objects.filter(prefix_q("region_id", campaign.region.prefix))
        .filter(hardship_level__gte=HardshipLevel.GENERAL)
        .order_by("region_id", "code")
    )


def ledger_region(code: str) -> Region | None:
    """The region a ledger is narrowed to (?region=, --region): None for none given; an
    unknown code is refused with a message that names it."""
    code = (code or "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code).first() if code.isdigit() else None
    if region is None:
        raise ValidationError({"region": [_("Unknown region code: %(code)s") % {"code": code}]})
    return region


def ledger_queryset(*, user, campaign, spec: LedgerSpec, region=None, unmask: bool = False) -> QuerySet:
    """The ledger's rows in the user's scope (and region), each with `may_unmask`: whether
    an export that asked to unmask may show this row's identifiers in full."""
    qs = _base(campaign, spec)
    if user is not None:
        qs = scoped(qs, user, PERMISSIONS[spec.source])
    if region is not None:
        qs = qs.filter(prefix_q("region_id", region.prefix))
    condition = None
    if unmask and user is not None and scope_for(user).has("people.unmask"):
        condition = scope_q(MODELS[spec.source], user, "people.unmask")
    return qs.annotate(may_unmask=unmask_annotation(condition))


def ledger_counts(*, user, campaign, region=None) -> list[tuple[LedgerSpec, int]]:
    """Every ledger of the campaign with its row count in the user's scope (and region, as
    its download is narrowed): one grouped query for all the demand ledgers, one for each
    other ledger."""
    specs = ledger_specs(campaign)
    ticket_counts = {}
    if any(s.source == "tickets" for s in specs):
        qs = Ticket.objects.filter(campaign=campaign)
        if user is not None:
            qs = scoped(qs, user, PERMISSIONS["tickets"])
        if region is not None:
            qs = qs.filter(prefix_q("region_id", region.prefix))
        ticket_counts = dict(qs.order_by().values_list("ledger").annotate(n=Count("id")))
    result = []
    for spec in specs:
        if spec.source == "tickets":
            result.append((spec, ticket_counts.get(spec.key, 0)))
        else:
            qs = _base(campaign, spec)
            if user is not None:
                qs = scoped(qs, user, PERMISSIONS[spec.source])
            if region is not None:
                qs = qs.filter(prefix_q("region_id", region.prefix))
            result.append((spec, qs.order_by().count()))
    return result
