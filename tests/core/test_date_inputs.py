"""Every date box of the project's forms holds ISO text (2026-11-20) in every language: an
<input type="date"> drops anything else, and Chinese's first input format is 2026/11/20."""

import datetime as dt
import importlib
import pkgutil

from django import forms
from django.utils import translation

import minqing
from minqing.core.forms import IsoDateInput


def _date_fields():
    for module_info in pkgutil.walk_packages(minqing.__path__, "minqing."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                for name, field in value.base_fields.items():
                    if isinstance(field, forms.DateField):
                        yield f"{value.__module__}.{value.__name__}.{name}", field


def test_the_date_box_writes_iso_in_chinese_and_english():
    widget = IsoDateInput()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = widget.render("day", dt.date(2026, 11, 20))
            assert 'type="date"' in html and 'value="2026-11-20"' in html
            assert widget.format_value(dt.date(202, 3, 4)) == "0202-03-04"


def test_every_date_field_of_the_project_s_forms_uses_the_iso_date_box():
    found = dict(_date_fields())
    assert "minqing.fieldwork.forms.VisitCorrectForm.date" in found
    wrong = [name for name, field in found.items() if not isinstance(field.widget, IsoDateInput)]
    assert not wrong, f"date fields whose box is not IsoDateInput: {wrong}"
