"""The menu offers each account the pages it can use: a cadre, whose grant reaches only their
own records, is not sent to lists that would be empty for them."""

import re

import pytest


def _menu(client) -> list[str]:
    html = client.get("/").content.decode()
    menu = re.search(r'<ul class="mainnav">(.*?)</ul>', html, re.S)
    assert menu, "no menu"
    return re.findall(r'href="([^"]+)"', menu.group(1))


@pytest.mark.django_db
def test_a_cadre_is_not_offered_lists_of_others_and_an_office_is(client_as):
    from django.urls import reverse

    paths = [
        reverse(n)
        for n in ("assessment:recall-list", "org:unit-list", "geo:region-list", "exports:request-list")
    ]
    cadre, office = _menu(client_as("cadre")), _menu(client_as("office"))
    assert not set(paths) & set(cadre)
    assert set(paths) <= set(office)
    assert (
        "/fieldwork/" in cadre and reverse("imports:index" if False else "documents:import-index") in office
    )
    assert reverse("documents:import-index") not in cadre
    # What the cadre is not offered stays reachable by its address (empty, not forbidden).
    assert client_as("cadre").get(reverse("org:unit-list")).status_code == 200


@pytest.mark.django_db
def test_a_targets_hardship_is_said_in_words_on_the_phone_page(client_as):
    from django.urls import reverse

    from minqing.fieldwork.selectors import my_targets
    from minqing.org.models import Account

    cadre = Account.objects.get(username="cadre")
    hard = [t for t in my_targets(user=cadre) if t.hardship_level]
    assert hard, "the demo cadre has a household in hardship"
    html = client_as("cadre").get(reverse("fieldwork:app")).content.decode()
    assert f'<span class="tag level-{hard[0].hardship_level}">{hard[0].hardship_label}</span>' in html
    assert hard[0].hardship_label in ("一般困难", "比较困难", "特别困难")
    assert "●" not in html
