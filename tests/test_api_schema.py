"""The API against its own description: /openapi.json is valid OpenAPI 3.1, documents the problems every route
may answer (provenance/web/openapi.py), and schemathesis, generating requests from it for every operation on the
demo desk, finds no 5xx and no answer the document does not describe (status, content type, body, headers)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from conftest import DeskApi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from provenance import db
from provenance.models import Claim, Source
from provenance.web.openapi import PROBLEM_SCHEMA

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = {"editor": 15, "viewer": 5}  # per operation: a viewer is refused most changes before anything is read
# Each of these checks a password on purpose (Argon2, and the same time for a wrong name): a few examples suffice.
FEW = {"POST /api/v1/session": 3, "POST /api/v1/session/token": 3, "PUT /api/v1/me/password": 3}
PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def document(api: DeskApi) -> dict[str, Any]:
    response = api.get("/openapi.json", who=None)
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def problems(operation: dict[str, Any]) -> set[int]:
    """The statuses an operation documents as problem+json."""
    return {
        int(status)
        for status, response in operation["responses"].items()
        if response.get("content", {}).get("application/problem+json", {}).get("schema") == PROBLEM_REF
    }


# --- the document ---------------------------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1(desk_api: DeskApi) -> None:
    spec = document(desk_api)
    assert spec["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(spec).validate()  # against the OpenAPI 3.1 schema; raises if invalid
    assert spec["components"]["schemas"]["ProblemDetails"] == PROBLEM_SCHEMA
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's 422 is a problem here
    assert spec["components"]["securitySchemes"] == {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token ('pvt_...'): `provenance token create`, or POST /api/v1/session/token "
            "(what `provenance login` does). Never in the address.",
        },
        "cookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": "provenance_session",
            "description": "The session cookie set by POST /api/v1/session; a change sends the X-CSRF-Token header "
            "(or the csrf_token form field) given at sign-in.",
        },
    }


def test_the_health_check_documents_only_a_busy_database(desk_api: DeskApi) -> None:
    health = operations(document(desk_api))[("GET", "/api/v1/health")]
    assert "security" not in health
    assert sorted(health["responses"]) == ["200", "503"]
    assert health["responses"]["503"]["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 0}


def test_a_claim_page_documents_its_problems_its_etag_and_who_may_read_it(desk_api: DeskApi) -> None:
    show = operations(document(desk_api))[("GET", "/api/v1/claims/{key}")]
    assert show["security"] == [{"bearer": []}, {"cookie": []}]
    assert problems(show) == {401, 403, 404, 422, 503}
    assert show["responses"]["401"]["headers"] == {
        "WWW-Authenticate": {"description": "How to prove who you are: Bearer.", "schema": {"type": "string"}}
    }
    if ("PATCH", "/api/v1/claims/{key}") in operations(document(desk_api)):
        assert show["responses"]["200"]["headers"]["ETag"]["schema"] == {"type": "string", "pattern": '^"[0-9]+"$'}


def test_every_operation_documents_the_problems_its_declarations_imply(desk_api: DeskApi) -> None:
    for (method, path), operation in operations(document(desk_api)).items():
        found = problems(operation)
        assert 503 in found, (method, path)
        public = operation["x-permission"] == "public"
        if not public:
            assert {401, 403, 404, 422} <= found, (method, path)
            assert operation["security"] == [{"bearer": []}, {"cookie": []}], (method, path)
        if "requestBody" in operation:
            assert {400, 413, 415, 422} <= found, (method, path)
        if method != "GET" and not public:
            assert 409 in found, (method, path)
        if any(p["in"] == "header" and p["name"].lower() == "if-match" for p in operation.get("parameters", [])):
            assert {412, 428} <= found, (method, path)
            assert operation["responses"]["412"]["headers"]["ETag"]["schema"]["pattern"] == '^"[0-9]+"$'
        if public and method == "POST":  # sign-in: a wrong password, too many of them
            assert {401, 429} <= found, (method, path)


def test_the_documented_problem_is_the_one_sent(desk_api: DeskApi) -> None:
    """A real 401 and a real 404 validate against ProblemDetails, with the headers the document names."""
    spec = document(desk_api)
    schema = schemathesis.openapi.from_dict(spec)
    operation = schema["/api/v1/claims/{key}"]["GET"]
    nobody = desk_api.get("/api/v1/claims/no-such-claim", who=None)
    assert desk_api.problem(nobody, 401).startswith("sign in first: POST /api/v1/session")
    assert nobody.headers["WWW-Authenticate"] == 'Bearer realm="provenance"'
    unknown = desk_api.get("/api/v1/claims/no-such-claim", who="viewer")
    assert unknown.status_code == 404
    assert desk_api.problem(unknown, 404) == "no claim 'no-such-claim'; `provenance claim list` shows the keys"
    for response in (nobody, unknown):
        case = operation.Case(path_parameters={"key": "no-such-claim"})
        case.validate_response(response, checks=CHECKS)  # raises if the answer is not as documented


# --- schemathesis over every operation ------------------------------------------------------------------


def known_keys(url: str) -> list[str]:
    """Keys of the demo desk's claims and sources, so that paths reach real things and not only 404s."""
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine, readonly=True) as session:
            claims = list(session.scalars(select(Claim.key).order_by(Claim.id).limit(3)))
            sources = list(session.scalars(select(Source.key).order_by(Source.id)))
    finally:
        engine.dispose()
    return claims + sources


def strategy(operation: Any, keys: list[str]) -> Any:
    """Generated cases, and as many again with each path parameter a real key of the desk."""
    names = [p.name for p in operation.path_parameters]
    generated = operation.as_strategy()
    if not names:
        return generated
    return st.one_of(generated, *(operation.as_strategy(path_parameters=dict.fromkeys(names, k)) for k in keys))


def check_operation(
    operation: Any, keys: list[str], client: Any, headers: dict[str, str], examples: int, ran: list[int]
) -> None:
    """Up to ``examples`` generated requests (repeatably) for ``operation``, each answer checked against the
    document."""

    @given(case=strategy(operation, keys))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(session=client, headers=headers)
        ran.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


# Changes to one's own account or to accounts (a token revoked, a password changed, signing out) may end the
# token the run uses: they run last, so that every other operation is tried with a working token.
LAST = {"own account", "manage accounts"}


def in_safe_order(found: Any) -> list[Any]:
    return sorted(
        found,
        key=lambda operation: (
            operation.method.upper() != "GET" and operation.definition.raw.get("x-permission") in LAST
        ),
    )


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_every_operation_answers_as_its_document_says(seeded_api: DeskApi, who: str) -> None:
    spec = document(seeded_api)
    schema = schemathesis.openapi.from_dict(spec)
    keys = known_keys(seeded_api.url)
    headers = seeded_api.auth(who)
    answers: dict[str, list[int]] = {}
    failures: list[str] = []
    took: dict[str, float] = {}
    started = time.perf_counter()
    with asgi.get_client(seeded_api.client.app) as client:
        for operation in in_safe_order(result.ok() for result in schema.get_all_operations()):
            label = f"{operation.method.upper()} {operation.path}"
            answers[label] = []
            began = time.perf_counter()
            try:
                check_operation(operation, keys, client, headers, FEW.get(label, EXAMPLES[who]), answers[label])
            except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; the failures reported together
                failures.append(f"{label}: {exc}")
            took[label] = time.perf_counter() - began
    elapsed = time.perf_counter() - started
    print(f"{who}: {sum(map(len, answers.values()))} requests over {len(answers)} operations in {elapsed:.1f} s")
    print("slowest:", ", ".join(f"{label} {took[label]:.1f} s" for label in sorted(took, key=took.get)[-6:][::-1]))
    assert not failures, "\n\n".join(failures)
    assert "GET /api/v1/claims/{key}" in answers and all(answers.values()), answers
    assert 200 in answers["GET /api/v1/claims/{key}"]  # real keys reach real claims, not only 404s
    assert elapsed < 90, f"schemathesis took {elapsed:.0f} s over {len(answers)} operations"
