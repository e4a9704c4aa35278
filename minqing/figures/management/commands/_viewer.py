"""Who the commands read as: an account (--as USER, its own scope; `minqing compliance --as` takes
the same option and look-up), or else the campaign's office over the campaign's region, as an
operator at the server's shell."""

from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.cli import account_or_error, campaign_or_error
from minqing.core.roles import PERMISSIONS, Role
from minqing.core.scope import GrantScope, Scope
from minqing.figures import selectors
from minqing.figures.periods import PeriodError, campaign_month, parse_period


class CampaignOffice:
    """A viewer that is not an account: the campaign office's scope over the campaign's region."""

    is_authenticated = True
    is_active = True
    pk = None
    username = "-"

    def __init__(self, campaign):
        self._minqing_scope = Scope(
            user_id=None,
            grants=(
                GrantScope(
                    role=Role.OFFICE,
                    permissions=PERMISSIONS[Role.OFFICE],
                    region_prefixes=(campaign.region.prefix,),
                    unit_paths=(),
                    own=False,
                    can_unmask=False,
                ),
            ),
        )


def add_selection_arguments(parser):
    parser.add_argument("--campaign", type=int, required=True)
    parser.add_argument(
        "--period", default="", help=gettext_lazy("2026-10, 2026Q4, 2026, 2026-W47 or 2026-10-01..2026-10-15")
    )
    parser.add_argument(
        "--region", default="", help=gettext_lazy("a region code inside the campaign's region")
    )
    parser.add_argument("--unit", default="")
    parser.add_argument("--team", default="")
    parser.add_argument("--cadre", default="")
    parser.add_argument("--idle-days", type=int, default=selectors.DEFAULT_IDLE_DAYS, dest="idle_days")
    add_viewer_argument(parser)


def add_viewer_argument(parser):
    """--as USERNAME (options["as_user"]): read as that account, in its data scope."""
    parser.add_argument("--as", dest="as_user", default="", help=gettext_lazy("read in this account's scope"))


def viewer_and_campaign(username: str, pk: int):
    """The active account of that username, and the campaign as it may read it: in its scope,
    or running over part of its area (a township office reading the county's campaign); else
    a CommandError that says which."""
    viewer = account_or_error(username)
    try:
        return viewer, selectors.campaign_get(user=viewer, pk=pk)
    except Http404:
        raise CommandError(
            _("There is no campaign %(id)s in the scope of %(username)s.") % {"id": pk, "username": username}
        ) from None


def selection_from(options, *, today, default_period=None):
    username = options["as_user"]
    if username:
        viewer, campaign = viewer_and_campaign(username, options["campaign"])
    else:
        campaign = campaign_or_error(options["campaign"])
        viewer = CampaignOffice(campaign)
    try:
        if options["period"]:
            period = parse_period(options["period"], today=today)
        elif default_period is None:
            period = campaign_month(campaign, today)  # as the dashboard: a month of the campaign
        else:
            period = default_period(today)
    except PeriodError as exc:
        raise CommandError(str(exc)) from None
    try:
        sel = selectors.selection_for(
            user=viewer,
            campaign=campaign,
            period=period,
            region=options["region"],
            unit=options["unit"],
            team=options["team"],
            cadre=options["cadre"],
            idle_days=options["idle_days"],
        )
    except Http404:
        raise CommandError(
            _("The region, unit, team or cadre is not in the campaign, or not in the scope.")
        ) from None
    return viewer, sel
