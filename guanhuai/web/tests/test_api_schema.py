"""The OpenAPI document: every schema name is defined once, so no endpoint documents another's shape."""

import inspect

from ninja import Schema

from guanhuai.api import api


def test_openapi_builds_and_schema_names_are_unique():
    seen: dict[str, type] = {}
    clashes = []
    for operation_schema in _all_schemas():
        other = seen.setdefault(operation_schema.__name__, operation_schema)
        if other is not operation_schema:
            clashes.append(f"{other.__module__}.{other.__name__} vs {operation_schema.__module__}")
    assert not clashes, clashes
    document = api.get_openapi_schema()
    assert "/api/v1/orgunits" in document["paths"]


def _all_schemas():
    import sys

    for name, module in list(sys.modules.items()):
        if not name.startswith("guanhuai.") or ".tests" in name:
            continue
        for _attr, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Schema) and value.__module__ == name and value.__name__ != "Input":
                yield value
