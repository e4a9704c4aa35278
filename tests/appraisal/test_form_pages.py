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


def test_a_refused_callback_comes_back_with_the_outcome_answers_and_comment(campaign, actor, client_as):
    from minqing.appraisal import services
    from minqing.appraisal.models import Sample

    office = actor("office")
    appraisal_round = services.round_draw(
        actor=office, campaign=campaign, period="2026-10", per_cadre=1, seed=2
    )
    sample = appraisal_round.samples.exclude(cadre__account_id=office.pk).order_by("id").first()
    question = appraisal_round.questions[0]
    response = client_as("office").post(
        f"/appraisal/samples/{sample.pk}/",
        {
            "status": "answered",
            "verdict": "",
            f"q_{question['key']}": "yes" if question["type"] == "yesno" else "satisfied",
            "called_at": "2026-10-12T09:30",
            "comment": "户主说干部每月都来",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'name="status" value="answered" checked', page)
    assert re.search(rf'name="q_{question["key"]}" value="[a-z]+" checked', page)
    assert 'value="2026-10-12T09:30"' in page and ">户主说干部每月都来</textarea>" in page
    assert '</label><ul class="errorlist"><li>请选择满意、基本满意或不满意。</li></ul></fieldset>' in page
    sample.refresh_from_db()
    assert sample.status == Sample.Status.PENDING and sample.comment == ""


def test_the_office_pages_name_a_rounds_period_in_words(campaign, actor, client_as):
    """2026年第二季度 on the office's pages, as on the published list, not the stored 2026-Q2."""
    from minqing.appraisal import services

    office = actor("office")
    appraisal_round = AppraisalRound.objects.filter(campaign=campaign, period="2026-Q2").first()
    if appraisal_round is None:
        appraisal_round = services.round_draw(
            actor=office, campaign=campaign, period="2026-Q2", per_cadre=1, seed=3
        )
    client = client_as("office")
    for path in (
        "/appraisal/",
        f"/appraisal/{appraisal_round.pk}/",
        f"/appraisal/{appraisal_round.pk}/samples/",
        f"/appraisal/{appraisal_round.pk}/publication/",
    ):
        page = client.get(path).content.decode()
        assert "2026年第二季度" in page, path
        assert ">2026-Q2<" not in page and "· 2026-Q2" not in page, path
