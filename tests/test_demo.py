from minqing.demo.generate import DEMO_ACCOUNTS, build, demo_password
from minqing.org.models import Account


def fingerprint(rows):
    return [
        (
            m.name,
            m.id_number.reveal() if m.id_number else None,
            m.phone.reveal() if m.phone else None,
            m.birth_date,
        )
        for m in rows["members"]
    ] + [(h.code, h.address, h.hardship_level) for h in rows["households"]]


def test_the_demo_is_the_same_for_the_same_seed_and_differs_for_another():
    first, second, other = build(seed=11)[1], build(seed=11)[1], build(seed=12)[1]
    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first) != fingerprint(other)


def test_demo_id_numbers_are_valid_and_unique():
    from minqing.core.identity import parse_id_number

    rows = build(seed=3)[1]
    numbers = [m.id_number.reveal() for m in rows["members"] if m.id_number]
    assert len(numbers) == len(set(numbers))
    for member in rows["members"]:
        if member.id_number:
            facts = parse_id_number(member.id_number.reveal())
            assert (facts.birth_date, facts.sex) == (member.birth_date, member.sex)


def test_every_demo_login_works(client, db):
    password = demo_password()[0]
    for username in DEMO_ACCOUNTS:
        response = client.post("/login/", {"username": username, "password": password})
        assert response.status_code == 302 and response["Location"] == "/", username
        client.post("/logout/")
    assert Account.objects.filter(username__in=DEMO_ACCOUNTS, is_demo=True).count() == len(DEMO_ACCOUNTS)


def test_made_up_regions_are_marked_as_demo_and_real_ones_are_not(db):
    from minqing.geo.models import Region

    assert not Region.objects.get(code="431123000000").is_demo
    assert not Region.objects.get(code="350111000000").is_demo
    assert Region.objects.filter(level__gte=Region.Level.TOWNSHIP).exclude(is_demo=True).count() == 0


def test_the_demo_has_a_year_of_demands_with_realistic_outcomes(db):
    from django.db.models import Count, F
    from django.utils import timezone

    from minqing.tickets.models import Status, Ticket, TicketEvent

    statuses = dict(Ticket.objects.values_list("status").annotate(n=Count("id")))
    total = sum(statuses.values())
    assert total >= 60
    assert statuses[Status.CLOSED] > total / 3
    assert (
        Ticket.objects.exclude(status__in=[Status.REPLIED, Status.VERIFIED, Status.CLOSED, Status.MERGED])
        .filter(deadline__lt=timezone.now())
        .exists()
    ), "some demands are overdue"
    assert Ticket.objects.filter(replied_at__gt=F("deadline")).exists(), "some were answered late"
    assert TicketEvent.objects.filter(action="close").count() == statuses[Status.CLOSED]
    assert Ticket.objects.exclude(contact_phone=None).exists()


def test_demo_instances_are_made_with_the_values_and_defaults_the_model_gives():
    from minqing.demo.fast import instance_maker
    from minqing.people.models import Household

    values = {"id": 7, "code": "431123100200-0001", "region_id": "431123100200001", "address": "某村1号"}
    made, plain = instance_maker(Household)(**values), Household(**values)

    def attributes(obj):
        return {k: v for k, v in vars(obj).items() if k not in ("_state", "created_at", "updated_at")}

    assert attributes(made) == attributes(plain)
    assert (
        made.created_at is not None
        and made.income_sources == []
        and made.income_sources is not plain.income_sources
    )
    assert made._state.adding and made._state.db is None


def test_the_township_office_signs_in_printed_with_the_others_and_sees_only_its_township(client, db):
    import io
    import re

    from django.utils import translation

    from minqing.core.management.commands.demo import print_logins
    from minqing.core.roles import Role
    from minqing.core.treecode import prefix_q
    from minqing.people.models import Household
    from minqing.programs.models import Campaign

    dundian = Campaign.objects.get(program_key="dundian")  # the campaign work of one township
    township = dundian.region
    account = Account.objects.get(username="office_jiangcun")
    grant = account.grants.get()
    assert grant.role == Role.OFFICE and list(grant.regions.all()) == [township]
    assert account.is_demo and not grant.can_unmask
    # Printed with the other demo logins, saying what it is.
    out = io.StringIO()
    with translation.override("en"):
        print_logins(out)
    line = next(line for line in out.getvalue().splitlines() if "office_jiangcun" in line)
    assert "township campaign office" in line and township.name in line
    # It signs in with the demo password, and sees its township's campaign and households only.
    response = client.post("/login/", {"username": "office_jiangcun", "password": demo_password()[0]})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(f"/campaigns/{dundian.pk}/compliance/").status_code == 200
    assert client.get(f"/campaigns/{Campaign.objects.get(program_key='sanfuwu').pk}/").status_code == 404
    inside = Household.objects.filter(prefix_q("region_id", township.prefix))
    outside = Household.objects.exclude(prefix_q("region_id", township.prefix)).first()
    html = client.get("/people/households/").content.decode()
    shown = re.search(r'id="result-count">([\d,]+)', html).group(1)
    assert int(shown.replace(",", "")) == inside.count() > 0
    assert client.get(f"/people/households/{inside.first().pk}/").status_code == 200
    assert client.get(f"/people/households/{outside.pk}/").status_code == 404


def test_each_demo_cadres_post_fits_their_unit(db):
    """A township government's cadres are 党委书记, 乡长, 副乡长 …, a bureau's 局长 and 副局长, a
    section's 股长: never a 副局长 in a township government (found by a new-user tester)."""
    from minqing.org.models import Cadre, Unit

    township = Cadre.objects.filter(unit__kind=Unit.Kind.TOWNSHIP)
    bureaus = Cadre.objects.filter(unit__kind=Unit.Kind.BODY, unit__name__endswith="局")
    assert township.exists() and bureaus.exists()
    assert not township.filter(post__contains="局").exists()
    assert township.filter(post__in=["乡长", "镇长", "党委书记", "人大主席"]).exists()
    assert not bureaus.filter(post__in=["乡长", "镇长", "副乡长", "副镇长", "部长", "副部长"]).exists()
    assert not Cadre.objects.filter(unit__kind=Unit.Kind.SECTION, post__contains="局长").exists()
