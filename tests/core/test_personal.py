from django.db import connection

from minqing.core.personal import IdNumber, Phone
from minqing.people.models import Member


def test_identifiers_are_stored_encrypted_and_read_back_masked(db):
    member = Member.objects.exclude(id_number=None).exclude(phone=None).first()
    plain_id, plain_phone = member.id_number.reveal(), member.phone.reveal()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_member WHERE id = %s", [member.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert plain_id not in stored_id and plain_phone not in stored_phone
    assert stored_id.startswith("v1:")
    assert str(member.id_number) == plain_id[:6] + "********" + plain_id[-4:]
    assert str(member.phone) == plain_phone[:3] + "****" + plain_phone[-4:]
    assert plain_id not in repr(member.id_number)


def test_the_lookup_hash_finds_the_member_by_full_number(db):
    from minqing.core.personal import lookup_hash_for

    member = Member.objects.exclude(id_number=None).first()
    digest = lookup_hash_for(IdNumber, member.id_number.reveal())
    assert Member.objects.get(id_number_hash=digest) == member


def test_the_same_number_encrypts_differently_each_time():
    from minqing.core import crypto

    assert crypto.encrypt("13812345678", context=b"phone") != crypto.encrypt("13812345678", context=b"phone")


def test_personal_values_compare_by_value_and_never_print_in_full():
    phone = Phone("13812345678")
    assert phone == Phone("13812345678")
    assert f"{phone}" == "138****5678"
    assert phone.__html__() == "138****5678"


def test_the_bulk_hasher_gives_the_same_digest_as_one_lookup_hash(settings):
    from minqing.core import crypto

    for context in (b"id_number", b"phone"):
        digest = crypto.lookup_hasher(context=context)
        for value in ("431123198507150014", "13812345678", "", "张三"):
            assert digest(value) == crypto.lookup_hash(value, context=context)
        assert digest("13812345678") != crypto.lookup_hash("13812345679", context=context)
