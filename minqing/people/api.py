import datetime as dt
from typing import Literal

from ninja import Router, Schema

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.audit import audit_list_read

from . import selectors, services
from .models import Household, Member

router = Router(tags=["people"])
HardshipFilter = Literal["", "any", "0", "1", "2", "3"]


class MemberOut(Schema):
    id: int
    household: int
    name: str
    relation: str
    sex: str
    birth_date: dt.date | None
    id_number: str | None  # always masked
    phone: str | None  # always masked
    tags: list[str]


class GradingOut(Schema):
    graded_on: dt.date
    level: int
    previous_level: int | None
    reason: str


class HouseholdOut(Schema):
    id: int
    code: str
    region: str
    region_name: str
    address: str
    head: str | None
    size: int
    economic_status: str
    income_sources: list[str]
    hardship_level: int
    hardship_label: str


class HouseholdDetail(HouseholdOut):
    tags: list[str]
    members: list[MemberOut]
    hardship_history: list[GradingOut]


class HouseholdPage(Page):
    items: list[HouseholdOut]


class MemberPage(Page):
    items: list[MemberOut]


def household_out(h: Household) -> dict:
    return {
        "id": h.pk,
        "code": h.code,
        "region": h.region_id,
        "region_name": h.region.name,
        "address": h.address,
        "head": h.head.name if h.head_id else None,
        "size": h.size,
        "economic_status": h.economic_status,
        "income_sources": h.income_sources,
        "hardship_level": h.hardship_level,
        "hardship_label": str(h.get_hardship_level_display()),
    }


def member_out(m: Member, tags: list[str] | None = None) -> dict:
    return {
        "id": m.pk,
        "household": m.household_id,
        "name": m.name,
        "relation": m.relation,
        "sex": m.sex,
        "birth_date": m.birth_date,
        "id_number": m.id_number.mask() if m.id_number else None,
        "phone": m.phone.mask() if m.phone else None,
        "tags": tags if tags is not None else [t.tag for t in m.taggings.all()],
    }


@router.get("/households", response=HouseholdPage, summary="Households in scope, filtered or searched")
def list_households(
    request,
    region: str = "",
    hardship: HardshipFilter = "",
    tag: str = "",
    q: str = "",
    page: int = 1,
    size: int = 50,
):
    level = None if hardship == "" else ("any" if hardship == "any" else int(hardship))
    qs = selectors.household_list(
        user=request.auth, region=region if region.isdigit() else "", hardship=level, tag=tag, q=q[:60]
    )
    result = page_of(qs, page, size, household_out, load=selectors.households_for_list)
    if q.strip():
        services.search_audit(actor=request.auth, q=q, hits=result["count"])
    else:
        audit_list_read(
            action="household.list",
            user=request.auth,
            page=result,
            filters={"region": region, "hardship": hardship, "tag": tag},
        )
    return result


@router.get("/households/{household_id}", response=HouseholdDetail, summary="One household with its members")
def get_household(request, household_id: int):
    household = selectors.household_get(user=request.auth, pk=household_id)
    data = household_out(household)
    data["tags"] = [t.tag for t in household.taggings.all()]
    data["members"] = [member_out(m) for m in household.members.all()]
    data["hardship_history"] = [
        {"graded_on": g.graded_on, "level": g.level, "previous_level": g.previous_level, "reason": g.reason}
        for g in household.gradings.all()
    ]
    return data


@router.get("/members", response=MemberPage, summary="Search members by name, pinyin, ID number or phone")
def search_members(request, q: str, page: int = 1, size: int = 50):
    qs = selectors.member_search(user=request.auth, q=q[:60]).prefetch_related("taggings")
    result = page_of(qs, page, size, member_out)
    services.search_audit(actor=request.auth, q=q, hits=result["count"])
    return result
