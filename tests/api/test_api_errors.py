"""The API's errors follow the request's language (Accept-Language), Simplified Chinese by
default: its own messages, the framework's (401, 404, 400, validation errors) and a 500, which
is JSON under /api/ like every other answer there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minqing.org.models import Account
from minqing.org.services import token_create

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def bearer(db):
    def make(username):
        token = token_create(actor=None, account=Account.objects.get(username=username))
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return make


def detail(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["detail"]


def test_a_refusal_is_said_in_the_requests_language(client, bearer):
    cadre = bearer("cadre")
    url = "/api/v1/imports/households"
    assert detail(client.post(url, **cadre, **ZH), 403) == "此账号无权进行该操作。"
    assert detail(client.post(url, **cadre, **EN), 403) == "This account may not do that."
    assert detail(client.post(url, **cadre), 403) == "此账号无权进行该操作。"  # no header: Chinese


def test_the_import_endpoints_own_messages_are_translated(client, bearer, monkeypatch):
    office = bearer("office")
    assert detail(client.post("/api/v1/imports/nope", **office, **ZH), 404).startswith("没有这种名单")
    assert detail(client.post("/api/v1/imports/nope", **office, **EN), 404).startswith(
        "There is no list of this kind"
    )
    assert (
        detail(client.post("/api/v1/imports/households", **office, **ZH), 422)
        == "请以表单字段 `file` 上传文件。"
    )
    assert (
        detail(client.post("/api/v1/imports/households", **office, **EN), 422)
        == "Attach the file as the form field `file`."
    )
    monkeypatch.setattr("minqing.documents.api.MAX_BYTES", 10)
    big = SimpleUploadedFile("big.csv", b"x" * 11, content_type="text/csv")
    assert detail(client.post("/api/v1/imports/households", {"file": big}, **office, **ZH), 413) == (
        "文件太大：最多 10 MB。"
    )


def test_a_missing_or_unknown_token_is_a_translated_401(client, db):
    assert detail(client.get("/api/v1/campaigns", **ZH), 401).startswith("请先认证")
    said = detail(client.get("/api/v1/campaigns", HTTP_AUTHORIZATION="Bearer mq_nothing", **EN), 401)
    assert said.startswith("Sign in: send a valid token") and "Unauthorized" not in said


def test_an_object_out_of_sight_or_an_unknown_path_is_a_translated_404(client, bearer):
    office = bearer("office")
    assert detail(client.get("/api/v1/campaigns/999999", **office, **ZH), 404) == "未找到。"
    assert detail(client.get("/api/v1/campaigns/999999", **office, **EN), 404) == "Not found."
    assert detail(client.get("/api/v1/no-such-thing", **office, **ZH), 404) == "未找到。"
    assert detail(client.get("/api/v1/no-such-thing", **office, **EN), 404) == "Not found."


def test_a_body_that_is_not_json_is_a_translated_400(client, bearer):
    office = bearer("office")
    for headers, said in (
        (ZH, "无法读取请求正文：请发送有效的 JSON。"),
        (EN, "The request body cannot be read: send valid JSON."),
    ):
        response = client.post(
            "/api/v1/campaigns", "{not json", content_type="application/json", **office, **headers
        )
        assert detail(response, 400) == said


def test_a_validation_error_keeps_its_location_and_type_and_says_what_is_wrong(client, bearer):
    office = bearer("office")
    payload = {"program": "dundian", "name": 7, "region": "431123", "start": "2026-13-01"}
    chinese = detail(
        client.post("/api/v1/campaigns", payload, content_type="application/json", **office, **ZH), 422
    )
    by_field = {error["loc"][-1]: error for error in chinese}
    assert (
        by_field["name"]["loc"] == ["body", "payload", "name"] and by_field["name"]["type"] == "string_type"
    )
    assert by_field["name"]["msg"] == "请输入文字。"
    assert by_field["start"]["msg"] == "日期请写成“年-月-日”，如2026-03-08。"
    missing = detail(
        client.post("/api/v1/campaigns", {}, content_type="application/json", **office, **EN), 422
    )
    assert {e["loc"][-1] for e in missing} >= {"program", "name", "region", "start"}
    assert {e["type"] for e in missing} == {"missing"} and {e["msg"] for e in missing} == {
        "This field is required."
    }
    query = detail(client.get("/api/v1/campaigns?page=x", **office, **ZH), 422)
    assert query[0]["loc"] == ["query", "page"] and query[0]["msg"] == "请输入整数。"


def test_a_server_error_under_api_is_json_in_the_requests_language(bearer, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("minqing.programs.selectors.campaign_list", broken)
    client = Client(raise_request_exception=False)
    office = bearer("office")
    assert detail(client.get("/api/v1/campaigns", **office, **ZH), 500) == "服务器出错，已记录。请稍后重试。"
    assert detail(client.get("/api/v1/campaigns", **office, **EN), 500) == (
        "Server error: it has been logged. Try again later."
    )
