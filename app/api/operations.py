"""The API's operations as data: each route with its body and answers. The views register
through `operation`, and openapi.py makes the document from the same list, so a route
cannot exist undocumented or be documented with another shape than it validates."""

from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass
class Operation:
    method: str
    path: str  # Flask rule, e.g. /campaigns/<int:campaign_id>
    summary: str
    endpoint: str
    body: type[BaseModel] | None = None
    answer: type[BaseModel] | None = None  # None: 204 No Content
    status: int = 200
    query: dict[str, dict] = field(default_factory=dict)  # name -> JSON schema
    media: dict[str, str] = field(default_factory=dict)  # streamed answers: type -> note
    role: str = "viewer"


OPERATIONS: list[Operation] = []

LIMIT = {"type": "integer", "minimum": 1, "maximum": 100, "description": "At most 100"}


def operation(bp, method: str, path: str, summary: str, **options):
    """Register the view under `path` on `bp` and describe it for the OpenAPI document."""

    def register(view):
        OPERATIONS.append(Operation(method, path, summary, view.__name__, **options))
        bp.add_url_rule(path, view.__name__, view, methods=[method])
        return view

    return register
