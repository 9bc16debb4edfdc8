"""Version 1 of the HTTP API: the NinjaAPI that routes /api/v1/, and what its OpenAPI description
says beyond what the endpoints' types say (optional tokens, validators, errors, text/markdown)."""

from __future__ import annotations

import copy
import json
from functools import wraps

from django.conf import settings
from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger
from ninja.parser import Parser

from . import cards, discussions, paths, suggestions, versions
from .auth import BearerToken
from .conditional import JSON, Representation, respond
from .errors import install_handlers
from .middleware import MAX_BODY_BYTES, parsed_json
from .responses import described, reading
from .schemas.common import ApiIndex

DESCRIPTION = f"""Model Card Commons: public, moderated, versioned model cards, for researchers and tools.

**Tokens.** Reading needs none. Make a personal token on your profile page and send it as
`Authorization: Bearer <token>`. Scopes: `read`, `suggest` (file suggestions) and `moderate` (for
moderators: see held suggestions and hidden comments). A token never does more than its owner may.
Without a token, suggestions are filed as anonymous wherever the site allows that.

**Errors.** Every 4xx and 5xx has one shape: `{{"error": {{"code", "message", "fields"}}}}`.
Request bodies are JSON in UTF-8 (`Content-Type: application/json`), at most {MAX_BODY_BYTES:,} bytes;
unknown fields and query parameters are refused.

**Pages.** Lists are paged by an opaque `cursor` (`next_cursor`, or the `next` path); `limit` is 1 to 100.

**Caching.** Successful GETs carry an ETag, and Last-Modified where the site records a change time;
send If-None-Match or If-Modified-Since to get 304 when nothing changed.

**CORS.** GET, HEAD and OPTIONS answer any origin (`Access-Control-Allow-Origin: *`, no credentials);
writes carry no CORS headers, so browsers on other sites cannot file suggestions.
"""
READ_SECURITY = [{}, {"BearerToken": []}]
WRITE_SECURITY = [{}, {"BearerToken": ["suggest"]}]
VALIDATOR_HEADERS = {
    "ETag": {
        "description": "A hash of the body: send it back as If-None-Match.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When what this shows last changed, where the site records it.",
        "schema": {"type": "string"},
    },
}


class BodyFromBoundary(Parser):
    """The JSON body as the boundary middleware already parsed and checked it."""

    def parse_body(self, request):
        return parsed_json(request)


class ModelCardsApi(NinjaAPI):
    _schema = None

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # The endpoints never change while the process runs: describe them once.
        if ModelCardsApi._schema is None:
            ModelCardsApi._schema = _refined(dict(super().get_openapi_schema(path_prefix=path_prefix)))
        return copy.deepcopy(ModelCardsApi._schema)

    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__


def _refined(schema: dict) -> dict:
    schema["components"].setdefault("securitySchemes", {})["BearerToken"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from your profile page.",
    }
    for route, methods in schema["paths"].items():
        for method, operation in methods.items():
            operation["security"] = WRITE_SECURITY if method == "post" else READ_SECURITY
            for code, answer in operation.get("responses", {}).items():
                status = str(code)  # ninja keys them by number until they are written out as JSON
                answer["description"] = described(int(status)) or answer.get("description", "")
                if status == "200" and route.endswith("README.md"):
                    answer["content"] = {"text/markdown": {"schema": {"type": "string"}}}
                if status == "200":
                    answer["headers"] = VALIDATOR_HEADERS
                if status == "201":
                    answer["headers"] = {"Location": {"schema": {"type": "string"}}}
                if status == "429":
                    answer["headers"] = {
                        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
                    }
        if "get" in methods:
            methods["head"] = _head_of(methods["get"])
    return schema


def _head_of(get: dict) -> dict:
    """HEAD answers as GET does, headers only (the boundary middleware serves it)."""
    head = {key: copy.deepcopy(value) for key, value in get.items() if key != "responses"}
    head["operationId"] = f"{get['operationId']}_head"
    head["summary"] = f"{get.get('summary', '')} (headers only)"
    head["responses"] = {
        code: {key: value for key, value in answer.items() if key != "content"}
        for code, answer in get["responses"].items()
    }
    return head


def _with_validators(view):
    """The schema (and docs page) with an ETag, so tools can poll it cheaply."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("application/json"):
            body = json.dumps(json.loads(response.content), ensure_ascii=False).encode("utf-8")
            return respond(request, Representation(body, JSON))
        return response

    return wrapped


api = ModelCardsApi(
    title="Model Card Commons API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/schema/",
    docs_url="/docs/",
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
    docs_decorator=_with_validators,
    auth=BearerToken(),
    parser=BodyFromBoundary(),
)
install_handlers(api)

index = Router(tags=["index"])


@index.get("/", response=reading(ApiIndex, 400, 401), url_name="index", by_alias=True)
def api_index(request):
    """Where everything is: a starting point for people poking at the API with curl."""
    body = {
        "name": api.title,
        "version": api.version,
        "schema": f"{paths.ROOT}schema/",
        "docs": f"{paths.ROOT}docs/",
        "cards": f"{paths.ROOT}cards/",
        "suggestions": f"{paths.ROOT}suggestions/",
        "site": settings.SITE_URL,
    }
    return respond(request, Representation(json.dumps(body).encode("utf-8"), JSON))


api.add_router("", index)
api.add_router("", cards.router)
api.add_router("", versions.router)
api.add_router("", suggestions.router)
api.add_router("", discussions.router)
