from ninja import Router, Schema

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.audit import audit_list_read

from . import selectors
from .models import Cadre, Unit

router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent: int | None
    region: str


class UnitPage(Page):
    items: list[UnitOut]


class CadreOut(Schema):
    id: int
    name: str
    username: str
    unit: int
    unit_name: str
    post: str
    rank: str
    rank_label: str
    is_party_member: bool
    is_sanmen: bool
    phone: str | None  # masked


class CadrePage(Page):
    items: list[CadreOut]


def unit_out(unit: Unit) -> dict:
    return {
        "id": unit.pk,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id,
        "region": unit.region_id,
    }


def cadre_out(cadre: Cadre) -> dict:
    return {
        "id": cadre.pk,
        "name": str(cadre.account),
        "username": cadre.account.username,
        "unit": cadre.unit_id,
        "unit_name": cadre.unit.name,
        "post": cadre.post,
        "rank": cadre.rank,
        "rank_label": str(cadre.get_rank_display()),
        "is_party_member": cadre.is_party_member,
        "is_sanmen": cadre.is_sanmen,
        "phone": cadre.phone.mask() if cadre.phone else None,
    }


@router.get("/units", response=UnitPage, summary="Units in scope")
def list_units(request, page: int = 1, size: int = 50):
    return page_of(selectors.unit_list(user=request.auth), page, size, unit_out)


@router.get("/units/{unit_id}", response=UnitOut, summary="One unit")
def get_unit(request, unit_id: int):
    return unit_out(selectors.unit_get(user=request.auth, pk=unit_id))


@router.get("/cadres", response=CadrePage, summary="Cadres in scope")
def list_cadres(request, q: str = "", page: int = 1, size: int = 50):
    q = q[:60]
    result = page_of(selectors.cadre_list(user=request.auth, q=q), page, size, cadre_out)
    # Each cadre by name with post, rank and (masked) phone: as the page's list, recorded.
    audit_list_read(action="cadre.list", user=request.auth, page=result, filters={"q": q})
    return result


@router.get("/cadres/{cadre_id}", response=CadreOut, summary="One cadre")
def get_cadre(request, cadre_id: int):
    cadre = selectors.cadre_get(user=request.auth, pk=cadre_id)
    # One cadre by name with post, rank and (masked) phone: a cadre's record, read.
    audit_list_read(action="cadre.view", user=request.auth, obj=cadre, shown=1, unit=cadre.unit_id)
    return cadre_out(cadre)
