import pytest
pytestmark = pytest.mark.browser
def test_dump(page, site, sign_in):
    sign_in(page, "office")
    page.goto(f"{site}/people/households/")
    print(page.locator("header").inner_html())
