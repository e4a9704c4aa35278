from django.conf import settings
from django.core.paginator import Paginator


def page_of(queryset, page: int, size: int, convert, load=None):
    """One page as {count, page, pages, items}; with `load`, ids are paged first and
    `load(ids)` fetches the rows (see core.paging.paginate_by_ids)."""
    size = max(1, min(size, settings.API_PAGE_SIZE_MAX))
    if load is not None:
        queryset = queryset.values_list("pk", flat=True)
    paginator = Paginator(queryset, size)
    current = paginator.get_page(page)
    objects = list(current)
    if load is not None:
        rows = {obj.pk: obj for obj in load(objects)}
        objects = [rows[pk] for pk in objects if pk in rows]
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [convert(obj) for obj in objects],
    }
