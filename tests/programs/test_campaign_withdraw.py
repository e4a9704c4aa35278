"""A campaign started by mistake is removed before anything is recorded in it, with its
reason in the audit trail; one with records is refused, saying what it holds."""

from django.utils import translation

from minqing.core.models import AuditEvent
from minqing.programs.models import Campaign
from minqing.programs.services import campaign_records, pairing_create


def test_a_campaign_with_nothing_in_it_is_removed_and_the_audit_keeps_it(scenario, client_as):
    campaign = scenario.campaign("dundian")
    assert campaign_records(campaign) == {}
    client = client_as("office")
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'action="/campaigns/{campaign.pk}/withdraw/"' in page
    url = f"/campaigns/{campaign.pk}/withdraw/"
    assert client_as("leader").post(url, {"reason": "误建"}).status_code == 403
    assert client_as("office_jinan").post(url, {"reason": "误建"}).status_code == 404
    refused = client.post(url, {"reason": " "}, follow=True)
    assert "请填写删除活动的原因。" in refused.content.decode()
    done = client.post(url, {"reason": "重复发起"}, follow=True)
    assert done.redirect_chain[-1][0] == "/campaigns/"
    assert f"已删除活动“{campaign.name}”。" in done.content.decode()
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    event = AuditEvent.objects.get(action="campaign.withdraw", object_id=str(campaign.pk))
    assert event.detail["reason"] == "重复发起" and event.detail["program"] == "dundian"


def test_a_campaign_with_a_pairing_is_not_removed(scenario, client_as):
    campaign = scenario.campaign("shugen")
    pairing_create(
        actor=scenario.office,
        campaign=campaign,
        cadre=scenario.cadre("member"),
        kind="bangfu",
        target=scenario.household(level=1),
        start=campaign.start,
    )
    with translation.override("en"):
        records = campaign_records(campaign)
    assert records.get("pairings") == 1
    response = client_as("office").post(
        f"/campaigns/{campaign.pk}/withdraw/", {"reason": "误建"}, follow=True
    )
    assert "该活动已有记录" in response.content.decode() and "不能删除" in response.content.decode()
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    assert not AuditEvent.objects.filter(action="campaign.withdraw").exists()
