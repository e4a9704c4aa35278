"""The menu offers each account the pages it can use: a cadre, whose grant reaches only their
own records, is not sent to lists that would be empty for them."""

import re

import pytest


def _menu_html(client, path: str = "/") -> str:
    html = client.get(path).content.decode()
    menu = re.search(r'<ul class="mainnav" id="mainnav">(.*?)<ul class="account">', html, re.S)
    assert menu, "no menu"
    return menu.group(1)


def _menu(client) -> list[str]:
    """Every page the menu offers, "More" included."""
    return re.findall(r'href="([^"]+)"', _menu_html(client))


def _more(client, path: str = "/") -> list[str]:
    """The pages under "More"."""
    more = re.search(r'<li class="more">(.*?)</li>\s*</ul>\s*</details>', _menu_html(client, path), re.S)
    return re.findall(r'href="([^"]+)"', more.group(1)) if more else []


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


@pytest.mark.django_db
def test_a_long_menu_puts_the_less_used_pages_under_more_and_a_short_one_keeps_all(client_as):
    from django.urls import reverse

    office = client_as("office")
    more = _more(office)
    assert reverse("geo:region-list") in more and reverse("exports:request-list") in more
    # The daily pages stay in the row.
    for name in ("programs:campaign-list", "people:household-list", "documents:import-index"):
        assert reverse(name) in _menu(office) and reverse(name) not in more
    # The system administrator's six entries fit: no "More".
    sysadmin = client_as("sysadmin")
    assert reverse("geo:region-list") in _menu(sysadmin) and not _more(sysadmin)
    assert 'class="more"' not in _menu_html(sysadmin)


@pytest.mark.django_db
def test_the_page_shown_from_more_is_marked_on_more(client_as):
    html = _menu_html(client_as("office"), "/geo/regions/")
    assert '<summary class="current">' in html
    assert re.search(r'<a href="/geo/regions/" aria-current="page">', html)
    assert '<summary class="current">' not in _menu_html(client_as("office"), "/people/households/")


@pytest.mark.django_db
def test_the_menu_folds_behind_a_toggle_that_works_without_script_and_names_who_is_signed_in(client_as):
    html = client_as("office").get("/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    toggle = re.search(r'<input type="checkbox" id="menu-toggle"[^>]*>', header)
    assert toggle and 'aria-controls="mainnav"' in toggle.group(0)
    assert '<label for="menu-toggle" class="menu-toggle-label">' in header
    # The toggle comes before the menu it folds (the stylesheet's `:checked ~ .mainnav`).
    assert header.index('id="menu-toggle"') < header.index('id="mainnav"')
    assert "<nav aria-label=" in header
    assert '<li class="account-name" title="office">唐晓兰</li>' in header
    # Signed out: no menu and no toggle.
    anonymous = client_as(None).get("/login/").content.decode()
    assert 'id="menu-toggle"' not in anonymous and 'class="mainnav"' not in anonymous


@pytest.mark.django_db
def test_the_start_page_counts_cadres_and_units_only_for_who_sees_others(client_as):
    from django.urls import reverse

    units = f'href="{reverse("org:unit-list")}"'
    cadre = client_as("cadre").get("/").content.decode()
    stats = cadre.split('<section class="stats">')[1].split("</section>")[0]
    assert units not in stats and reverse("org:cadre-list") not in stats
    office = client_as("office").get("/").content.decode()
    assert units in office.split('<section class="stats">')[1].split("</section>")[0]


@pytest.mark.django_db
def test_my_targets_is_offered_to_a_cadre_and_not_to_an_account_without_a_cadre_record(client_as):
    """A village branch's account sees villages' records but has no targets of its own: the
    phone page would only tell it so."""
    from django.urls import reverse

    from minqing.org.models import Account, Cadre

    app = reverse("fieldwork:app")
    assert app in _menu(client_as("cadre"))
    village = Account.objects.get(username="village")
    assert not Cadre.objects.filter(account=village).exists()
    assert app not in _menu(client_as("village"))
