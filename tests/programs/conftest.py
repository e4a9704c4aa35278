"""A small scenario per test: a fresh unit and cadres inside the demo county, households
in one demo village, and campaigns started from the shipped templates."""

import datetime as dt
import itertools

import pytest

from minqing.core.identity import id_check_char
from minqing.geo.models import Region
from minqing.org.services import account_create, cadre_create, unit_create
from minqing.people.models import Household, Member
from minqing.people.services import household_create, member_add
from minqing.programs import engine
from minqing.programs.services import campaign_start, point_create

_serial = itertools.count(1)


class Scenario:
    def __init__(self, office):
        self.office = office
        self.county = Region.objects.get(code="431123000000")
        self.village = Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).first()
        self.group = self.village.children.first()
        self.unit = unit_create(actor=office, name=f"测试局{next(_serial)}", region=self.county)

    def cadre(self, rank="staff", name=None):
        n = next(_serial)
        account = account_create(
            actor=self.office, username=f"t{n}", full_name=name or f"干部{n}", password=None
        )
        return cadre_create(actor=self.office, account=account, unit=self.unit, rank=rank)

    def household(self, level=0, head="张三"):
        n = next(_serial)
        household = household_create(
            actor=self.office,
            region=self.group,
            address=f"测试地址{n}号",
            code=f"{self.village.code}-9{n:03d}",
            hardship_level=level,
        )
        first17 = f"431123{1960 + n % 40}0101{n % 1000:03d}"
        member_add(
            actor=self.office,
            household=household,
            name=head,
            relation=Member.Relation.HEAD,
            id_number=first17 + id_check_char(first17),
        )
        return Household.objects.get(pk=household.pk)

    def member(self, name="李四"):
        return self.household(head=name).members.get()

    def point(self, kind="village", name=None, region=None):
        return point_create(
            actor=self.office, name=name or f"测试点{next(_serial)}", kind=kind, region=region or self.village
        )

    def campaign(self, program, start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31), region=None):
        return campaign_start(
            actor=self.office,
            program_key=program,
            name=f"测试{program}",
            region=region or self.county,
            start=start,
            end=end,
            units=[self.unit],
        )

    # Field work ------------------------------------------------------------------

    def days_at(self, cadre, point, *days, confirm=True):
        from minqing.fieldwork.services import attendance_check_in, attendance_decide

        for day in days:
            record = attendance_check_in(actor=self.office, cadre=cadre, point=point, date=day)
            attendance_decide(
                actor=self.office, day=record, confirm=confirm, reason="" if confirm else "不在岗"
            )

    def visit(self, campaign, cadre, target, day, form="home_visit"):
        from minqing.fieldwork.services import visit_record

        return visit_record(
            actor=self.office,
            campaign=campaign,
            cadre=cadre,
            date=day,
            form=form,
            target=target,
            content="走访了解情况",
        )


def days(start, count):
    return [start + dt.timedelta(days=n) for n in range(count)]


def verdicts(campaign, rule_key, as_of=dt.date(2026, 6, 1)):
    return [v for v in engine.evaluate(campaign, as_of) if v.rule == rule_key]


def verdict_for(campaign, rule_key, subject_id, as_of=dt.date(2026, 6, 1)):
    found = [v for v in verdicts(campaign, rule_key, as_of) if v.subject_id == subject_id]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def scenario(db, actor):
    return Scenario(actor("office"))
