"""What the form template draws: one node per item with its field name, value, errors and
whether it is displayed (conditions evaluated on the server; the browser re-evaluates live)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cordee.pathways.answers import PREFIX, Result, display_value
from cordee.pathways.definition import Definition, Item

INDEX = "__INDEX__"


@dataclass
class Node:
    item: Item
    name: str
    value: Any = None
    errors: list[str] = field(default_factory=list)
    enabled: bool = True
    children: list[Node] = field(default_factory=list)
    instances: list[tuple[int, list[Node]]] = field(default_factory=list)
    blank: list[Node] = field(default_factory=list)
    display: str = ""

    @property
    def dom_id(self) -> str:
        return f"id_{self.name}"

    @property
    def enable_json(self) -> str:
        """Conditions for the browser, answers written as the inputs carry them."""
        if not self.item.enable_when:
            return ""
        conditions = []
        for condition in self.item.enable_when:
            answer = condition.answer
            if isinstance(answer, bool) and condition.operator != "exists":
                answer = "oui" if answer else "non"
            conditions.append({"q": condition.question, "op": condition.operator, "a": answer})
        return json.dumps({"all": self.item.enable_behavior == "all", "when": conditions})

    @property
    def values(self) -> list[str]:
        return self.value if isinstance(self.value, list) else ([] if self.value is None else [self.value])

    @property
    def next_index(self) -> int:
        return max((index for index, _ in self.instances), default=-1) + 1

    @property
    def attachment_name(self) -> str:
        return str(self.value.get("name", "")) if isinstance(self.value, dict) else ""

    @property
    def attachment_id(self) -> str:
        return str(self.value.get("keep") or "") if isinstance(self.value, dict) else ""


def build(definition: Definition, raw: dict[str, Any], result: Result) -> list[Node]:
    return _nodes(definition.items, raw, result, PREFIX)


def computed_nodes(nodes: list[Node]) -> Iterator[Node]:
    """The computed items of a built form, repeated groups' lines included."""
    for node in nodes:
        if node.item.type == "computed":
            yield node
        yield from computed_nodes(node.children)
        for _, children in node.instances:
            yield from computed_nodes(children)


def _nodes(items: tuple[Item, ...], raw: dict[str, Any], result: Result | None, prefix: str) -> list[Node]:
    nodes = []
    for item in items:
        name = f"{prefix}{item.link_id}"
        node = Node(
            item=item,
            name=name,
            errors=result.errors.get(name, []) if result else [],
            enabled=result.enabled.get(name, True) if result else not item.enable_when,
        )
        if item.is_repeated_group:
            instances = raw.get(item.link_id) or []
            node.instances = [
                (index, _nodes(item.items, instance, result, f"{name}-{index}-"))
                for index, instance in enumerate(instances)
            ]
            node.blank = _nodes(item.items, {}, None, f"{name}-{INDEX}-")
        elif item.is_group:
            node.children = _nodes(item.items, raw, result, prefix)
        elif item.type == "computed":
            value = result.computed.get(name) if result else None
            node.display = display_value(item, value)
        else:
            node.value = raw.get(item.link_id)
        nodes.append(node)
    return nodes


@dataclass(frozen=True)
class Row:
    """A line of a read-only form or of a comparison."""

    depth: int
    label: str
    path: str
    is_heading: bool = False
    before: str = ""
    after: str = ""
    document: str = ""

    @property
    def changed(self) -> bool:
        return not self.is_heading and self.before != self.after


def rows(definition: Definition, answers: dict[str, Any], other: dict[str, Any] | None = None) -> list[Row]:
    """The answers as lines; with `other`, side by side (before = answers, after = other)."""
    return _rows(definition.items, answers, other, 0, "")


def _rows(
    items: tuple[Item, ...], answers: dict[str, Any], other: dict[str, Any] | None, depth: int, path: str
) -> list[Row]:
    lines: list[Row] = []
    for item in items:
        here = f"{path}{item.link_id}"
        if item.is_repeated_group:
            left = answers.get(item.link_id) or []
            right = (other or {}).get(item.link_id) or []
            lines.append(Row(depth=depth, label=item.text, path=here, is_heading=True))
            for index in range(max(len(left), len(right) if other is not None else 0)):
                lines.append(
                    Row(
                        depth=depth + 1,
                        label=f"{item.text} n° {index + 1}",
                        path=f"{here}.{index}",
                        is_heading=True,
                    )
                )
                lines.extend(
                    _rows(
                        item.items,
                        left[index] if index < len(left) else {},
                        (right[index] if index < len(right) else {}) if other is not None else None,
                        depth + 2,
                        f"{here}.{index}.",
                    )
                )
        elif item.is_group:
            lines.append(Row(depth=depth, label=item.text, path=here, is_heading=True))
            lines.extend(_rows(item.items, answers, other, depth + 1, path))
        elif item.type == "display":
            continue
        else:
            value = answers.get(item.link_id)
            lines.append(
                Row(
                    depth=depth,
                    label=item.text,
                    path=here,
                    document=str(value.get("document", "")) if isinstance(value, dict) else "",
                    before=display_value(item, value),
                    after=display_value(item, (other or {}).get(item.link_id)) if other is not None else "",
                )
            )
    return lines
