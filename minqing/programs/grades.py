"""Point grades (分类定级): a defined list, not free text.

A grade is stored as its key and shown by its label. The catalogue below holds every grade a
program may use; a program template names the ones it grades points by (`point_grades`: 三服务
grades its villages 一类/二类/三类 and singles out the complex ones, 复杂村), and a point may take
the grades of the programs of the campaigns whose region covers it, or the default list where
none covers it. A grade stored before there was a list, and not one the migration could map,
is shown as it was written and kept in the history; a new grade must be one of the list.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

_ENGLISH = {"first": "Grade one", "second": "Grade two", "third": "Grade three", "complex": "Complex"}
GRADES = {
    "first": gettext_lazy("Grade one"),
    "second": gettext_lazy("Grade two"),
    "third": gettext_lazy("Grade three"),
    "complex": gettext_lazy("Complex"),
}
DEFAULT_GRADES = ("first", "second", "third")

# What people wrote before there was a list (the demo and the templates' examples among them),
# read as the grade it names: the migration maps stored grades by it, and a grade typed in a
# file or an API call may be any of these, its key or its label in either language.
ALIASES = {
    "一类": "first",
    "一类村": "first",
    "二类": "second",
    "二类村": "second",
    "三类": "third",
    "三类村": "third",
    "复杂": "complex",
    "复杂村": "complex",
}


def grade_label(value: str) -> str:
    """A stored grade as people read it: its label, or as it was written when it is none of
    the catalogue's (a grade kept from before there was a list)."""
    label = GRADES.get(value)
    return str(label) if label is not None else value


def grade_key(text: str) -> str:
    """The grade a text names: its key, its label (in the language in use or in English), or a
    way it was written before (一类村); otherwise the text itself, stripped."""
    text = (text or "").strip()
    if text in GRADES:
        return text
    if text in ALIASES:
        return ALIASES[text]
    for key, label in GRADES.items():
        if text in (str(label), _ENGLISH[key]):
            return key
    return text


def grade_choices(keys) -> list[tuple[str, str]]:
    return [(key, grade_label(key)) for key in keys]


def grade_problem(grade: str, allowed) -> str:
    """Why a grade may not be given here (it is none of the allowed), or ""."""
    if grade in allowed:
        return ""
    return _("“%(grade)s” is not one of the grades here: %(grades)s.") % {
        "grade": grade_label(grade),
        "grades": pgettext("list separator", ", ").join(grade_label(k) for k in allowed),
    }


class GradeLists:
    """Which grades a point may take, by its region: the union of the grades of the programs of
    the campaigns whose region covers it (a campaign's own copy of its template, else its
    program's template now, else the default list), in the catalogue's order; the default list
    where no campaign covers it. The campaigns are read once (one query), for any number of
    points."""

    def __init__(self):
        from minqing.geo.models import LEVEL_DIGITS

        from .models import Campaign

        self.campaigns = [
            (region_id[: LEVEL_DIGITS[level]], program_key, own)
            for region_id, level, program_key, own in Campaign.objects.values_list(
                "region_id", "region__level", "program_key", "config__point_grades"
            )
        ]
        self._templates: dict | None = None

    def _program_grades(self, program_key: str, own) -> tuple[str, ...]:
        if own:
            return tuple(own)
        if self._templates is None:
            from .services import program_catalogue

            self._templates = {key: t.get("point_grades") for key, t in program_catalogue().items()}
        return tuple(self._templates.get(program_key) or DEFAULT_GRADES)

    def for_region(self, code: str) -> list[str]:
        wanted = set()
        for prefix, program_key, own in self.campaigns:
            if code.startswith(prefix):
                wanted.update(self._program_grades(program_key, own))
        return [key for key in GRADES if key in wanted] if wanted else list(DEFAULT_GRADES)

    def in_use(self) -> list[str]:
        """Every grade some campaign's program has, and the default list (for a form whose
        region is not chosen yet)."""
        wanted = set(DEFAULT_GRADES)
        for _prefix, program_key, own in self.campaigns:
            wanted.update(self._program_grades(program_key, own))
        return [key for key in GRADES if key in wanted]
