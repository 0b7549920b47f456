"""The ruleset's policy values as a tree to browse (``engine.parameters``), as OpenFisca and
PolicyEngine show theirs: one node per segment of a value's path (the path a what-if override
uses), tab completion on attributes and keys, and at each leaf the value in force, its citation
and confidence, its sources and the date ranges a what-if gave it.

>>> from skill_subsidy import Engine
>>> p = Engine().parameters
>>> p.programs.skills_training.amounts["3"].value
Decimal('2000')
>>> p.programs.skills_training.amounts["3"].citation, p.programs.skills_training.amounts["3"].confidence
('S9', 'confirmed')
>>> p.shortage.rate
Parameter(shortage.rate = 0.30; S11, S29, S30, inferred)
"""

from __future__ import annotations

import html
import keyword
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union


@dataclass(frozen=True)
class Parameter:
    """One policy value: its path, the value in force (``Decimal``, ``bool`` or a list), its
    citation keys and confidence (``confirmed``, ``inferred``, ``illustrative``), the sources
    the keys name, and the date ranges a what-if override gives it (``(from, to, value)``)."""

    path: str
    value: Any
    citation: str
    confidence: Optional[str]
    sources: List[Dict[str, Any]] = field(default_factory=list, repr=False, compare=False)
    ranges: List[Tuple[str, str, Any]] = field(default_factory=list)

    def __repr__(self) -> str:
        ranges = "".join(f"; {a}..{b}: {v}" for a, b, v in self.ranges)
        return f"Parameter({self.path} = {_show(self.value)}; {self.citation}, {self.confidence}{ranges})"

    def _repr_html_(self) -> str:
        e = html.escape
        rows = [("value", _show(self.value)), ("citation", self.citation), ("confidence", self.confidence or "")]
        rows += [(f"{a} … {b}", _show(v)) for a, b, v in self.ranges]
        rows += [(s["id"], " · ".join(str(s[k]) for k in ("title", "document", "date") if s.get(k))) for s in self.sources]
        body = "".join(f"<tr><td>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in rows)
        return f"<p><code>{e(self.path)}</code></p><table>{body}</table>"


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


class ParameterNode:
    """A branch of the tree: its children by name, as attributes (``node.amounts``) or keys
    (``node["3"]``, for names that are not identifiers), each a node or a :class:`Parameter`."""

    def __init__(self, path: str, children: Dict[str, Union[ParameterNode, Parameter]]) -> None:
        self._path = path
        self._children = children

    def __getattr__(self, name: str) -> Union[ParameterNode, Parameter]:
        children = self.__dict__.get("_children", {})
        if name in children:
            return children[name]
        raise AttributeError(f"{self._path or 'parameters'} has no {name!r}; it has: {', '.join(children)}")

    def __getitem__(self, name: str) -> Union[ParameterNode, Parameter]:
        if name not in self._children:
            raise KeyError(f"{self._path or 'parameters'} has no {name!r}; it has: {', '.join(self._children)}")
        return self._children[name]

    def __contains__(self, name: object) -> bool:
        return name in self._children

    def __iter__(self) -> Iterator[str]:
        return iter(self._children)

    def __len__(self) -> int:
        return len(self._children)

    def __dir__(self) -> List[str]:
        names = [n for n in self._children if n.isidentifier() and not keyword.iskeyword(n)]
        return sorted(set(names) | {"to_frame", "leaves"})

    def _ipython_key_completions_(self) -> List[str]:
        return list(self._children)

    def leaves(self) -> List[Parameter]:
        """Every value under this node, in the ruleset's order."""
        out: List[Parameter] = []
        for child in self._children.values():
            out.extend(child.leaves() if isinstance(child, ParameterNode) else [child])
        return out

    def to_frame(self, kind: str = "pandas") -> Any:
        """Every value under this node, one row each: ``path``, ``value`` (as text: exact),
        ``citation``, ``confidence``, ``ranges`` (a what-if's dated values, as
        ``FROM..TO=VALUE``), as a pandas (default) or polars frame or dicts (``"records"``)."""
        rows = [
            {
                "path": p.path,
                "value": _show(p.value),
                "citation": p.citation,
                "confidence": p.confidence,
                "ranges": "; ".join(f"{a}..{b}={_show(v)}" for a, b, v in p.ranges) or None,
            }
            for p in self.leaves()
        ]
        if kind == "records":
            return rows
        if kind == "polars":
            import polars as pl

            return pl.DataFrame(
                rows, schema={"path": pl.String, "value": pl.String, "citation": pl.String, "confidence": pl.String, "ranges": pl.String}
            )
        import pandas as pd

        return pd.DataFrame(rows, columns=["path", "value", "citation", "confidence", "ranges"])

    def __repr__(self) -> str:
        return f"ParameterNode({self._path or 'parameters'}: {', '.join(self._children)})"

    def _repr_html_(self) -> str:
        e = html.escape
        cells = [(f"<code>{e(p.path)}</code>", e(_show(p.value)), e(p.citation), e(p.confidence or "")) for p in self.leaves()]
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells)
        return f"<table><tr><th>path</th><th>value</th><th>citation</th><th>confidence</th></tr>{body}</table>"


def _value(raw: Any) -> Any:
    """An exported value: numbers are decimal strings (money never becomes a float)."""
    if isinstance(raw, str):
        try:
            return Decimal(raw)
        except ArithmeticError:
            return raw
    return raw


def _leaves(node: Any) -> Iterator[Dict[str, Any]]:
    """Every cited value of the export (a dict with a ``path``), in its order."""
    if isinstance(node, dict):
        if isinstance(node.get("path"), str) and "value" in node:
            yield node
            return
        for child in node.values():
            yield from _leaves(child)
    elif isinstance(node, list):
        for child in node:
            yield from _leaves(child)


def tree(export: Dict[str, Any]) -> ParameterNode:
    """The tree of an engine's export (``docs/export.md``): its cited values by path, with the
    what-if overrides' date ranges."""
    sources = {s["id"]: s for s in export.get("sources", [])}
    ranges: Dict[str, List[Tuple[str, str, Any]]] = {}
    for o in export.get("overrides") or []:
        if o.get("range"):
            start, _, end = str(o["range"]).partition("..")
            ranges.setdefault(o["path"], []).append((start, end, _value(o["value"])))
    root: Dict[str, Any] = {}
    for leaf in _leaves({k: v for k, v in export.items() if k not in ("sources", "overrides", "catalogues")}):
        keys = [k.strip() for k in str(leaf.get("citation") or "").split(",") if k.strip()]
        parameter = Parameter(
            path=leaf["path"],
            value=_value(leaf["value"]),
            citation=str(leaf.get("citation") or ""),
            confidence=leaf.get("confidence"),
            sources=[sources[k] for k in keys if k in sources],
            ranges=ranges.get(leaf["path"], []),
        )
        *branches, last = leaf["path"].split(".")
        node = root
        for b in branches:
            node = node.setdefault(b, {})
        node[last] = parameter

    def build(path: str, children: Dict[str, Any]) -> ParameterNode:
        return ParameterNode(path, {k: build(f"{path}.{k}" if path else k, v) if isinstance(v, dict) else v for k, v in children.items()})

    return build("", root)
