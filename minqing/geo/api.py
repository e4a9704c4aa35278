from ninja import Router, Schema

from minqing.api.paging import page_of
from minqing.api.schemas import Page
from minqing.core.scope import scope_for

from . import selectors
from .models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_label: str
    parent: str | None
    is_demo: bool


class RegionPage(Page):
    items: list[RegionOut]


def region_out(region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "level_label": str(region.get_level_display()),
        "parent": region.parent_id,
        "is_demo": region.is_demo,
    }


@router.get("", response=RegionPage, summary="Regions in scope")
def list_regions(request, parent: str | None = None, page: int = 1, size: int = 50):
    if not scope_for(request.auth).has(selectors.VIEW):
        return page_of(Region.objects.none(), page, size, region_out)
    return page_of(selectors.region_list(user=request.auth, parent=parent), page, size, region_out)


@router.get("/{code}", response=RegionOut, summary="One region")
def get_region(request, code: str):
    return region_out(selectors.region_get(user=request.auth, code=code))
