"""schemathesis against the API's own OpenAPI schema, as a rep and as a manager: every
operation, with data that fits the schema (detail routes filled with a record the caller can
see, so the success answers are checked too) and data that does not. No answer may be a
server error, and every answer must be one the schema documents, in content type, headers and
body. The run is bounded (EXAMPLES per operation and mode, no shrinking): about a minute per
role on the 2-core CI machine."""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import token_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OWN_RECORD = {
    "leads": "lead",
    "customers": "customer",
    "contracts": "contract",
    "payments": "payment",
    "targets": "target",
    "scorecards": "scorecard",
    "statements": "statement",
    "notifications": "notification",
    "documents": "document",
}


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler inside the test's transaction: like the test client, it must not
    close the connection at the end of each request (that would drop the transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(document)


def _run(operation, *, mode, headers, app, path_parameters=None):
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
    failures = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        try:
            case.call_and_validate(app=app, headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together below
            if not failures:  # the first is enough to act on; the rest are usually the same
                failures.append(f"{operation.label} [{mode}] {type(exc).__name__}: {exc}"[:3000])

    run()
    return failures


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_the_api_keeps_to_its_schema(role, rep, manager, world, wsgi_app):
    user = {"rep": rep, "manager": manager}[role]
    _token, raw = token_create(user=user, name="schemathesis", scope="write")
    # identity: the in-process WSGI transport hands schemathesis the gzipped body as it is
    # (GZipMiddleware answers clients that accept gzip; an HTTP client would decode it)
    headers = {"Authorization": f"Bearer {raw}", "Accept-Encoding": "identity"}
    app = wsgi_app
    schema = _schema()
    failures, operations = [], 0
    with override_settings(API_THROTTLE_RATE="100000/min"):
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            resource = operation.path.split("/")[3]
            fixed = None
            if "{id}" in operation.path:
                fixed = {"id": world["mine"][OWN_RECORD[resource]].pk}
            failures += _run(
                operation,
                mode=GenerationMode.POSITIVE,
                headers=headers,
                app=app,
                path_parameters=fixed,
            )
            failures += _run(operation, mode=GenerationMode.NEGATIVE, headers=headers, app=app)
    assert operations == 37
    assert failures == [], "\n\n".join(failures[:20])
