"""The WSGI application (gunicorn minqing.wsgi).

Once the application and its URLs are loaded, the objects made so far (about 300,000: modules,
models, templates, translations) are moved out of the garbage collector's reach with gc.freeze():
they live as long as the process, and each full collection no longer walks them — a county
dashboard's page made a full collection every few requests, tens of milliseconds each.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
application = get_wsgi_application()


def _load_urls() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # imports every view module now, not on the first request  # noqa: B018


_load_urls()
gc.collect()
gc.freeze()
