"""Error pages speak the user's language and lead back into the system: 403 and 404 inside
the site's frame (navigation, language switch), 400, and a 500 page that needs neither the
request nor the database."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path
from django.utils import translation


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("crash/", crash)]


def test_a_missing_page_is_in_chinese_with_the_sites_navigation(client_as):
    response = client_as("office").get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "返回首页" in page and 'class="mainnav"' in page
    assert "Not Found" not in page


def test_a_forbidden_page_says_how_to_get_the_role(client_as):
    response = client_as("cadre").get("/security/audit/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page and "安全管理员" in page


def test_the_server_error_page_needs_no_request_nor_database():
    # No database fixture: a query while rendering would raise here.
    with translation.override("zh-hans"):
        chinese = render_to_string("500.html")
    with translation.override("en"):
        english = render_to_string("500.html")
    assert "服务器出错" in chinese and "返回首页" in chinese
    assert "Server error" in english and "may not have been done" in english


@pytest.mark.urls("tests.test_error_pages")
def test_an_unexpected_error_answers_the_translated_500_page(db, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/crash/")
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()
