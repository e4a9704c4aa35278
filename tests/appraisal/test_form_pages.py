"""A refused draw of a sample comes back as it was sent, its errors beside its fields,
instead of a redirect that loses what was typed."""

import re

from minqing.appraisal.models import AppraisalRound


def test_a_refused_draw_comes_back_with_what_was_typed(campaign, client_as):
    before = AppraisalRound.objects.count()
    response = client_as("office").post(
        "/appraisal/draw/", {"campaign": campaign.pk, "period": "2026-13", "per_cadre": "4"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<details id="draw-sample"[^>]* open', page)
    assert 'value="2026-13"' in page and 'value="4"' in page and 'aria-invalid="true"' in page
    assert re.search(rf'<option value="{campaign.pk}" selected', page)
    assert "期间请写作 2026-10（月）" in page
    response = client_as("office").post(
        "/appraisal/draw/", {"campaign": campaign.pk, "period": "2026-11", "per_cadre": "两户"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="两户"' in page and 'value="2026-11"' in page and "抽取户数或比例须为整数。" in page
    assert AppraisalRound.objects.count() == before
