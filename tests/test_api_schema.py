"""The API's OpenAPI description: complete (every address of the API is in it), self-consistent,
served with validators, and shown by a docs page that loads nothing from outside the site."""

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from jsonschema import Draft202012Validator

from tests.api_contract import SCHEMA, ApiClient

pytestmark = pytest.mark.django_db


def _operations():
    for route, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            yield route, method, operation


def test_the_schema_is_served_as_openapi_3_with_validators(client):
    response = ApiClient(client).get("/api/v1/schema/")
    served = json.loads(response.content)
    assert served["openapi"].startswith("3.") and served["info"]["version"] == "1"
    assert served == json.loads(json.dumps(SCHEMA))
    assert client.get("/api/v1/schema/", headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_every_operation_has_an_id_a_description_and_its_answers_described():
    ids = [operation["operationId"] for _route, _method, operation in _operations()]
    assert len(ids) == len(set(ids))
    for route, method, operation in _operations():
        assert operation.get("description"), (method, route)
        for status, answer in operation["responses"].items():
            assert answer["description"], (route, status)
        if method == "get":
            assert {"200", "304", "400", "401"} <= set(operation["responses"]), route
            assert "ETag" in operation["responses"]["200"]["headers"]
        assert operation["security"][0] == {}, "reading and anonymous filing need no token"


def test_every_component_is_a_valid_json_schema():
    for schema in SCHEMA["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_the_suggestion_body_refuses_unknown_fields_in_its_description_too():
    assert SCHEMA["components"]["schemas"]["SuggestionCreate"]["additionalProperties"] is False


def _api_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "api-v1" or prefix:
                yield from _api_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and prefix:
            yield "/" + prefix + str(entry.pattern)


def test_every_address_of_the_api_is_described():
    described = {re.sub(r"\{[^}]+\}", "{}", route) for route in SCHEMA["paths"]}
    own = {"/api/v1/schema/", "/api/v1/docs/"}
    for pattern in _api_patterns():
        shape = re.sub(r"<(?:[a-z]+:)?[^>]+>", "{}", pattern)
        assert shape in described or shape in own, f"{pattern} is not in the OpenAPI description"


def test_options_names_the_methods_the_description_gives(card):
    for route, methods in SCHEMA["paths"].items():
        concrete = route.replace("{slug}", "sample").replace("{number}", "1").replace("{old}", "1")
        concrete = concrete.replace("{new}", "1").replace("{pk}", "1")
        allowed = Client().options(concrete)["Allow"].split(", ")
        for method in methods:
            assert method.upper() in allowed, (route, method)


def test_the_docs_page_loads_its_assets_from_the_site_itself(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "<script>" not in html.replace('<script type="application/json"', "")
