from django.conf import settings
from django.core.paginator import Paginator


def page_of(queryset, page: int, size: int, convert):
    size = max(1, min(size, settings.API_PAGE_SIZE_MAX))
    paginator = Paginator(queryset, size)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [convert(obj) for obj in current],
    }
