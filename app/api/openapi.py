"""The OpenAPI 3.1 document, made from app/api/operations.py and the pydantic schemas."""

import re

from pydantic.json_schema import models_json_schema

from app.api.operations import OPERATIONS
from app.api.schemas import Problem

_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
PROBLEMS = {
    "400": "The request is malformed (bad JSON, a bad cursor)",
    "401": "No token, or a token that is unknown or revoked",
    "403": "The token's role does not allow this",
    "404": "Nothing of that id in the token's workspace",
    "422": "The body was refused; `errors` says why, field by field",
    "429": "Too many requests for this token; wait Retry-After seconds",
}


def _parameters(path: str) -> list[dict]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
            if converter == "int"
            else {"type": "string"},
        }
        for converter, name in _ARGUMENT.findall(path)
    ]


def _content(model_name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{model_name}"}}}


def document(server_url: str = "/api/v1") -> dict:
    models = [(op.body, "validation") for op in OPERATIONS if op.body]
    models += [(op.answer, "serialization") for op in OPERATIONS if op.answer]
    models.append((Problem, "serialization"))
    _, schemas = models_json_schema(
        list(dict.fromkeys(models)), ref_template="#/components/schemas/{model}"
    )
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        answers = {
            code: {"description": text, "content": problem} for code, text in PROBLEMS.items()
        }
        if op.answer is not None:
            answers[str(op.status)] = {"description": "OK", "content": _content(op.answer.__name__)}
        elif op.media:
            media = {kind: {"schema": {"type": "string"}} for kind in op.media}
            answers[str(op.status)] = {
                "description": "; ".join(op.media.values()),
                "content": media,
            }
        else:
            answers[str(op.status)] = {"description": "Done"}
        spec = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "parameters": _parameters(op.path)
            + [
                {"name": name, "in": "query", "required": False, "schema": schema}
                for name, schema in op.query.items()
            ],
            "responses": answers,
        }
        if op.body is not None:
            spec["requestBody"] = {"required": True, "content": _content(op.body.__name__)}
        paths.setdefault(_ARGUMENT.sub(r"{\2}", op.path), {})[op.method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dropday API",
            "version": "1",
            "description": "Campaigns, subscribers and release day of one workspace. "
            "Authenticate with a personal access token: `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
