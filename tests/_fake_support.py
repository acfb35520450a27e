"""Helpers shared by the FakeInstantly tests: clients and response-schema checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from instantly_columns.testing import FakeInstantly

SCHEMAS = Path(__file__).parent / "schemas"
BASE = "https://api.instantly.ai"
UA = "instantly-columns-tests/1.0"

SCHEDULE: dict[str, Any] = {
    "schedules": [
        {
            "name": "Weekdays",
            "timing": {"from": "09:00", "to": "17:00"},
            "days": {"1": True, "2": True, "3": True, "4": True, "5": True},
            "timezone": "America/Chicago",
        }
    ]
}
SEQUENCES: list[dict[str, Any]] = [
    {
        "steps": [
            {
                "type": "email",
                "delay": 1,
                "delay_unit": "days",
                "variants": [
                    {"subject": "Hi {{firstName}}", "body": "One"},
                    {"subject": "Hello {{firstName}}", "body": "Two"},
                ],
            },
            {"type": "email", "delay": 2, "variants": [{"subject": "", "body": "Bump"}]},
        ]
    }
]


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


def check(name: str, body: Any) -> Any:
    """Validate ``body`` against ``tests/schemas/<name>.json``; return it."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return body


def client(fake: FakeInstantly, key: str | None = None, **kwargs: Any) -> httpx.Client:
    """An httpx client on the fake's mock transport, authorised with ``key``."""
    headers = {"User-Agent": UA}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return httpx.Client(transport=fake.httpx_transport(), base_url=BASE, headers=headers, **kwargs)


@contextmanager
def session(fake: FakeInstantly, **kwargs: Any) -> Iterator[httpx.Client]:
    """A client with a fresh all-scopes key."""
    with client(fake, fake.create_api_key(), **kwargs) as http:
        yield http


def new_campaign(http: httpx.Client, name: str = "Q3 founders", **extra: Any) -> dict[str, Any]:
    body = {"name": name, "campaign_schedule": SCHEDULE, "sequences": SEQUENCES, **extra}
    response = http.post("/api/v2/campaigns", json=body)
    assert response.status_code == 200, response.text
    return check("fake_campaign", response.json())  # type: ignore[no-any-return]


def error_message(response: httpx.Response, status: int = 400) -> str:
    """The ``message`` of an enveloped error (checked against the envelope schema)."""
    assert response.status_code == status, response.text
    body = check("error", response.json())
    assert body["statusCode"] == status
    return str(body["message"])
