"""Schemathesis over the whole OpenAPI document, authenticated: no 5xx, no response that breaks the schema.

Every operation gets FLOWZA_FUZZ_EXAMPLES examples (default 20) of valid input and as many of invalid
input, on SQLite and on PostgreSQL, as an admin (so the user routes are fuzzed too). Runs in CI.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import Person, auth_of
from tests.security.test_isolation import setup_work

MAX_EXAMPLES = int(os.environ.get("FLOWZA_FUZZ_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
    status_code_conformance,
]
LOGOUT = "POST /api/v1/auth/logout"
LOGIN = "POST /api/v1/auth/token"


def fuzz_operation(
    operation: Any, mode: GenerationMode, headers: Callable[[], dict[str, str]], seen: Counter[int]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def run(case: schemathesis.Case) -> None:
        sent = headers()
        response = case.call(headers=sent)
        seen[response.status_code] += 1
        if response.status_code == 401 and mode is GenerationMode.POSITIVE and operation.label != LOGIN:
            seen[-1] += 1  # a valid, authenticated request refused: the token went missing or the gate is wrong
        case.validate_response(response, checks=CHECKS, headers=sent)

    try:
        run()
    except Unsatisfiable:  # nothing in this operation can be made invalid (no parameters, free-form strings)
        assert mode is GenerationMode.NEGATIVE


def test_fuzz_the_whole_api(server: TestClient, make_person: Callable[..., Person]) -> None:
    admin = make_person("fuzzer", admin=True)
    setup_work(server, admin)  # real rows, so list routes return documents to check against the schema
    service = auth_of(server)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", server.app)
    failures: list[str] = []
    seen: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        def headers(label: str = operation.label) -> dict[str, str]:
            token = service.issue(admin.id, "fuzz-logout", 1).token if label == LOGOUT else admin.token
            return {"Authorization": f"Bearer {token}"}

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz_operation(operation, mode, headers, seen)
            except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure, then report them all
                failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc)[:1500]}")
    print(f"fuzzed {operations} operations: responses by status {dict(sorted(seen.items()))}")
    assert operations >= 30
    assert sum(n for status, n in seen.items() if status < 300) >= 0.1 * sum(seen.values())  # not all refused
    assert seen[-1] == 0  # 401 only for invalid auth (negative mode) and wrong passwords
    assert not failures, "\n\n".join(failures)
    assert server.get("/api/v1/auth/me", headers=admin.headers).status_code == 200
