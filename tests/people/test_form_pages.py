"""A refused re-grading comes back as it was sent, its errors beside its fields and its
collapsed section open, instead of a redirect that loses what was typed."""

import re

from minqing.people.models import HardshipGrading, Household


def _details(page: str, section_id: str) -> str:
    """The opening tag of the <details> with this id."""
    return re.search(rf'<details id="{section_id}"[^>]*>', page).group(0)


def test_a_refused_regrade_comes_back_with_what_was_typed(client_as, db):
    household = Household.objects.filter(region__code__startswith="431123", hardship_level=0).first()
    client = client_as("office")
    assert " open" not in _details(
        client.get(f"/people/households/{household.pk}/").content.decode(), "regrade"
    )
    before = HardshipGrading.objects.count()
    response = client.post(
        f"/people/households/{household.pk}/regrade/",
        {"level": 3, "graded_on": "2026-02-30", "reason": "因病致贫，入户核实"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert " open" in _details(page, "regrade")
    assert 'value="因病致贫，入户核实"' in page and 'value="2026-02-30"' in page
    assert re.search(r'<option value="3"[^>]* selected', page)
    assert "输入一个有效的日期。" in page
    household.refresh_from_db()
    assert household.hardship_level == 0 and HardshipGrading.objects.count() == before
