import pytest

from minqing.geo.models import Region
from minqing.org.models import Cadre
from minqing.programs.models import Campaign
from minqing.tickets import services


class Desk:
    """A campaign of the demo county, its office, and the handling unit 民政局."""

    def __init__(self, actor):
        self.office = actor("office")
        self.unit_user = actor("unit")
        self.unit = Cadre.objects.get(account=self.unit_user).unit
        self.campaign = Campaign.objects.get(program_key="shugen")
        self.village = Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).first()

    def ticket(self, **kwargs):
        values = {
            "actor": self.office,
            "campaign": self.campaign,
            "title": "村道路灯不亮",
            "description": "村口到小学的路灯坏了三盏，晚上孩子放学不安全。",
            "region": self.village,
            "ledger": "minqing",
            "category": "urban_rural",
            "contact_name": "王大妈",
            "contact_phone": "13812345678",
        }
        values.update(kwargs)
        return services.ticket_create(**values)

    def dispatched(self, **kwargs):
        ticket = self.ticket(**kwargs)
        return services.ticket_dispatch(actor=self.office, ticket=ticket, unit=self.unit)

    def colleague(self, username="office_minzheng"):
        """An office account of the county that also handles for the ticket's unit 民政局:
        it may dispatch the county's demands, but is a colleague of the unit that answers."""
        from minqing.core.roles import Role
        from minqing.org.models import Account, Grant

        account = Account.objects.create_user(username=username, password="x-" + username)
        county = Region.objects.get(code="431123000000")
        Grant.objects.create(account=account, role=Role.OFFICE).regions.add(county)
        Grant.objects.create(account=account, role=Role.HANDLING_UNIT).units.add(self.unit)
        return Account.objects.get(pk=account.pk)

    def replied(self, **kwargs):
        ticket = self.dispatched(**kwargs)
        services.ticket_claim(actor=self.unit_user, ticket=ticket)
        return services.ticket_reply(
            actor=self.unit_user, ticket=ticket, reply="已更换路灯三盏，现已正常照明。"
        )


@pytest.fixture
def desk(db, actor):
    return Desk(actor)
