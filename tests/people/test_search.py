"""Search of households and members: pinyin initials, Traditional input, full ID
number and phone (exact, through the keyed hash), by page and by API."""

import re

import pytest

from minqing.core.text import pinyin_keys, to_simplified
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.people.models import HardshipLevel, Household, Member
from minqing.people.services import household_create, member_add


@pytest.fixture
def zhang_san(db, actor):
    office = actor("office")
    village = Household.objects.filter(region__code__startswith="431123").first().region
    household = household_create(
        actor=office,
        region=village,
        address="测试村一组1号",
        code="TEST-0001",
        hardship_level=HardshipLevel.SERIOUS,
    )
    return member_add(
        actor=office,
        household=household,
        name="张三",
        relation=Member.Relation.HEAD,
        id_number="43112319850715001" + "4",
        phone="13912345678",
    )


def household_ids_on_page(client, q):
    html = client.get("/people/households/", {"q": q}).content.decode()
    return {int(pk) for pk in re.findall(r'href="/people/households/(\d+)/"', html)}


def api_get(path, params, username="office"):
    from django.test import Client

    token = token_create(actor=None, account=Account.objects.get(username=username))
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}").json()


def test_pinyin_keys_of_a_name():
    assert pinyin_keys("张三") == ("zhangsan", "zs")
    assert to_simplified("困難戶") == "困难户"


def test_pinyin_initials_find_zhang_san_by_page_and_api(zhang_san, client_as):
    assert zhang_san.household_id in household_ids_on_page(client_as("office"), "zs")
    assert zhang_san.household_id in household_ids_on_page(client_as("office"), "ZS")
    assert zhang_san.household_id in household_ids_on_page(client_as("office"), "zhangsan")
    found = api_get("/api/v1/members", {"q": "zs", "size": 200})
    assert zhang_san.pk in {m["id"] for m in found["items"]}
    assert all(
        m["name"] and pinyin_keys(m["name"])[1].startswith("zs") or pinyin_keys(m["name"])[0].startswith("zs")
        for m in found["items"]
    )


def test_every_pinyin_hit_really_starts_with_those_initials(zhang_san, db, actor):
    from minqing.people.selectors import member_search

    hits = list(member_search(user=actor("office"), q="zs"))
    assert hits
    for member in hits:
        full, initials = pinyin_keys(member.name)
        assert initials.startswith("zs") or full.startswith("zs")


def test_a_chinese_name_finds_its_household(zhang_san, client_as):
    assert zhang_san.household_id in household_ids_on_page(client_as("office"), "张三")
    assert zhang_san.household_id in household_ids_on_page(client_as("office"), "張三")  # Traditional input


def test_traditional_hardship_words_find_households_in_hardship(zhang_san, client_as):
    found = household_ids_on_page(client_as("office"), "困難戶")
    assert zhang_san.household_id in found
    assert all(Household.objects.get(pk=pk).hardship_level > 0 for pk in found)
    api = api_get("/api/v1/households", {"q": "困難戶", "size": 200})
    assert (
        api["count"]
        == Household.objects.filter(region__code__startswith="431123", hardship_level__gt=0).count()
    )


def test_a_full_id_number_finds_exactly_one_member(zhang_san, client_as):
    assert household_ids_on_page(client_as("office"), "431123198507150014") == {zhang_san.household_id}
    found = api_get("/api/v1/members", {"q": "431123198507150014"})
    assert [m["id"] for m in found["items"]] == [zhang_san.pk]
    assert found["items"][0]["id_number"] == "431123********0014"


def test_a_partial_id_number_finds_nothing(zhang_san, client_as):
    assert household_ids_on_page(client_as("office"), "43112319850715") == set()


def test_a_phone_number_finds_its_member(zhang_san, client_as):
    assert household_ids_on_page(client_as("office"), "139 1234 5678") == {zhang_san.household_id}
    found = api_get("/api/v1/members", {"q": "13912345678"})
    assert [m["id"] for m in found["items"]] == [zhang_san.pk]
    assert found["items"][0]["phone"] == "139****5678"


def test_search_stays_inside_the_scope(zhang_san, client_as):
    assert household_ids_on_page(client_as("office_jinan"), "431123198507150014") == set()
    assert api_get("/api/v1/members", {"q": "13912345678"}, username="office_jinan")["count"] == 0


def test_searches_are_audited_with_identifiers_masked(zhang_san, client_as):
    from minqing.core.models import AuditEvent

    client_as("office").get("/people/households/", {"q": "431123198507150014"})
    event = AuditEvent.objects.filter(action="people.search").latest("id")
    assert event.detail == {"kind": "id_number", "query": "431123********0014", "hits": 1}


def test_a_mistyped_id_number_or_a_phone_in_a_query_is_masked_too(zhang_san, client_as):
    """A digit too many or too few is no ID number to look up, but it is still someone's:
    masked in the audit trail and never echoed (the pairing form's "no household matches")."""
    from minqing.core.models import AuditEvent

    client = client_as("office")
    for query, shown in [
        ("43112319850715001", "431123*******5001"),
        ("4311231985071500144", "431123*********0144"),
        ("张三 13812345678", "张三 138****5678"),
    ]:
        html = client.get("/people/households/", {"q": query}).content.decode()
        assert query not in html
        event = AuditEvent.objects.filter(action="people.search").latest("id")
        assert event.detail["query"] == shown
    # A household number is no personal identifier: left as typed.
    client.get("/people/households/", {"q": "431123100200001-12"})
    assert (
        AuditEvent.objects.filter(action="people.search").latest("id").detail["query"] == "431123100200001-12"
    )


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("张三 139 1234 5678", "张三 139****5678"),
        ("张三 139-1234-5678", "张三 139****5678"),
        ("+86 139 1234 5678 张三", "139****5678 张三"),
        # Household numbers (region code, dash, serial) are no personal identifiers: as typed.
        ("431123100200-0901", "431123100200-0901"),
        ("张三 131123100200-0901", "张三 131123100200-0901"),
        ("431123100200001-12", "431123100200001-12"),
    ],
)
def test_mask_identifiers_in_masks_mobiles_typed_in_groups_but_not_household_numbers(query, shown):
    from minqing.core.identity import mask_identifiers_in

    assert mask_identifiers_in(query) == shown


def test_a_mobile_typed_with_spaces_or_dashes_in_a_query_is_masked_in_the_audit_trail(zhang_san, client_as):
    from minqing.core.models import AuditEvent

    client = client_as("office")
    for query, shown in [
        ("张三 139 1234 5678", "张三 139****5678"),
        ("张三 139-1234-5678", "张三 139****5678"),
    ]:
        html = client.get("/people/households/", {"q": query}).content.decode()
        assert query not in html
        event = AuditEvent.objects.filter(action="people.search").latest("id")
        assert event.detail["query"] == shown
    client.get("/people/households/", {"q": "431123100200-0901"})
    assert (
        AuditEvent.objects.filter(action="people.search").latest("id").detail["query"] == "431123100200-0901"
    )


def test_a_second_member_with_the_same_id_number_is_refused(zhang_san, actor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        member_add(
            actor=actor("office"), household=zhang_san.household, name="张四", id_number="431123198507150014"
        )
    assert "id_number" in caught.value.message_dict


def test_member_facts_are_derived_from_the_id_number(zhang_san):
    import datetime as dt

    assert zhang_san.birth_date == dt.date(1985, 7, 15)
    assert zhang_san.sex == "M"
