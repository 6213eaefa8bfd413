"""Schemathesis over the whole API: requests generated from the OpenAPI document, sent to the
app with a real token and a real campaign; no answer may be a 5xx or stray from the document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.test_api import make_token

EXAMPLES = 12  # per operation: the suite shares a small machine


@pytest.fixture
def api_token(app, make, artist):
    make.campaign(artist)  # something to find, page through, change and delete
    return make_token(app, artist)


def test_the_api_keeps_to_its_document(app, api_token):
    """Each operation in turn (schemathesis' pytest plugin cannot take this suite's per-test
    app fixture, so the strategies are driven here)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Identity: the WSGI client schemathesis uses does not undo the app's compression.
    headers = {"Authorization": f"Bearer {api_token}", "Accept-Encoding": "identity"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_the_document(case):
            # Not "positive data accepted": a body can be schema-valid and still break the
            # campaign form's rules (a past date, an unknown UPC), which JSON Schema can't say.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        keeps_to_the_document()
