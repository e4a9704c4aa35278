from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int | None = None):
    """A page of `queryset` from ?page=, clamped to the valid range."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def paginate_by_ids(request, queryset, load, per_page: int | None = None):
    """A page of `queryset` found by sorting its ids only; `load(ids)` then fetches those
    rows with whatever joins the page shows. Sorting ids alone keeps a search over many
    matches from joining and decrypting rows it will not show."""
    page = paginate(request, queryset.values_list("pk", flat=True), per_page)
    ids = list(page.object_list)
    rows = {obj.pk: obj for obj in load(ids)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
