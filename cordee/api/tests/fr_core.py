"""The FR Core constraints Cordée keeps (data/fhir-fr-core/fr-core-*.subset.json, SOURCES.md),
checked on an emitted resource (its JSON, as a client reads it).

A subset holds, for one profile: its canonical URL (in `meta.profile`), required elements
(`required`: under a path, the elements every node there must carry), slices (`slices`: the
nodes at a path that `match` a discriminator pattern, their cardinality, the `pattern` they must
follow, their required elements, bindings and references), bindings (`bindings`: the codes or
code system a path's values must come from), and reference targets (`references`). A path is a
list of element names; a dict in it keeps the nodes whose values match it (an extension's url).
Patterns follow FHIR's: every key given must be there with a matching value, a list's every item
must match one of the node's. `everyNodeInASlice` is Cordée's own rule, stricter than FR Core's
open slicing: every identifier Cordée emits belongs to one of the profile's slices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[3] / "data" / "fhir-fr-core"


def subset(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"fr-core-{name}.subset.json").read_text(encoding="utf-8"))
    return data


def nodes(root: Any, path: list[Any]) -> list[Any]:
    found = [root]
    for step in path:
        if isinstance(step, dict):
            found = [node for node in found if matches(node, step)]
            continue
        next_found: list[Any] = []
        for node in found:
            value = node.get(step) if isinstance(node, dict) else None
            if value is None:
                continue
            next_found.extend(value if isinstance(value, list) else [value])
        found = next_found
    return found


def matches(actual: Any, pattern: Any) -> bool:
    if isinstance(pattern, dict):
        return isinstance(actual, dict) and all(
            key in actual and matches(actual[key], value) for key, value in pattern.items()
        )
    if isinstance(pattern, list):
        return isinstance(actual, list) and all(any(matches(a, p) for a in actual) for p in pattern)
    return bool(actual == pattern)


def _present(node: dict[str, Any], element: str) -> bool:
    return node.get(element) not in (None, "", [], {})


def _check_binding(root: Any, rule: dict[str, Any], where: str) -> None:
    found = nodes(root, rule["path"])
    assert len(found) >= rule.get("min", 0), f"{where}: {rule['path']} absent"
    for value in found:
        kind = rule["kind"]
        if kind == "code":
            assert value in rule["codes"], f"{where}: {value!r} hors de {rule['codes']}"
            continue
        codings = value.get("coding", []) if kind == "CodeableConcept" else [value]
        bound = [
            c
            for c in codings
            if c.get("system") == rule["system"] and ("codes" not in rule or c.get("code") in rule["codes"])
        ]
        assert bound, f"{where}: {value!r} n'a pas de code de {rule['system']} {rule.get('codes', '')}"


def _check_references(root: Any, rules: list[dict[str, Any]], where: str) -> None:
    for rule in rules:
        for ref in nodes(root, rule["path"]):
            reference = ref.get("reference")
            if reference:  # a reference with a display only names nothing to check
                assert reference.split("/")[0] in rule["targets"], f"{where}: {reference} non permis"


def check(resource: dict[str, Any], rules: dict[str, Any]) -> None:
    """Raises AssertionError, naming the rule, when the resource breaks one of the subset's."""
    where = rules["profile"].rsplit("/", 1)[-1]
    assert resource.get("resourceType") == rules["resourceType"], where
    assert rules["profile"] in resource.get("meta", {}).get("profile", []), f"{where}: meta.profile"
    for rule in rules.get("required", []):
        for node in nodes(resource, rule["path"]):
            for element in rule["elements"]:
                assert _present(node, element), f"{where}: {rule['path']}.{element} obligatoire"
    sliced: dict[str, list[int]] = {}
    for slice_ in rules.get("slices", []):
        at = nodes(resource, slice_["path"])
        members = [node for node in at if matches(node, slice_["match"])]
        sliced.setdefault(json.dumps(slice_["path"]), []).extend(id(node) for node in members)
        name = f"{where}, tranche {slice_['name']}"
        assert slice_.get("min", 0) <= len(members) <= slice_.get("max", len(members)), f"{name}: cardinalité"
        for node in members:
            assert matches(node, slice_.get("pattern", {})), (
                f"{name}: {node!r} ne suit pas {slice_['pattern']}"
            )
            for element in slice_.get("required", []):
                assert _present(node, element), f"{name}: {element} obligatoire"
            if "valuePrefixes" in slice_:
                assert str(node.get("value", ""))[:1] in slice_["valuePrefixes"], f"{name}: préfixe"
            for binding in slice_.get("bindings", []):
                _check_binding(node, binding, name)
            _check_references(node, slice_.get("references", []), name)
    for path in rules.get("everyNodeInASlice", []):
        claimed = set(sliced.get(json.dumps(path), []))
        for node in nodes(resource, path):
            assert id(node) in claimed, f"{where}: {node!r} n'appartient à aucune tranche"
    for binding in rules.get("bindings", []):
        _check_binding(resource, binding, where)
    _check_references(resource, rules.get("references", []), where)
