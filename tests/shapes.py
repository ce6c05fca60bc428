"""Does a record (a dict read back from JSON, or built in memory) have the shape its
TypedDict in `taikong.records` declares? Required keys present, no undeclared key,
nested records checked too (directly, in lists and as dict values)."""

from __future__ import annotations

import types
import typing
from typing import Any, NotRequired, get_args, get_origin, get_type_hints, is_typeddict


def mismatches(value: Any, shape: Any, where: str = "") -> list[str]:
    """Every difference between `value` and `shape`, as 'path: what'."""
    origin = get_origin(shape)
    if origin is NotRequired:
        return mismatches(value, get_args(shape)[0], where)
    if is_typeddict(shape):
        if not isinstance(value, dict):
            return [f"{where or '.'}: {type(value).__name__}, not a {shape.__name__}"]
        hints = get_type_hints(shape)
        out = [f"{where}.{k}: missing" for k in shape.__required_keys__ if k not in value]
        out += [f"{where}.{k}: not declared in {shape.__name__}" for k in value if k not in hints]
        for key, hint in hints.items():
            if key in value:
                out += mismatches(value[key], hint, f"{where}.{key}")
        return out
    if origin is list and isinstance(value, list):
        (item,) = get_args(shape)
        return [m for i, v in enumerate(value) for m in mismatches(v, item, f"{where}[{i}]")]
    if origin is dict and isinstance(value, dict):
        _, item = get_args(shape)
        return [m for k, v in value.items() for m in mismatches(v, item, f"{where}[{k!r}]")]
    if origin in (typing.Union, types.UnionType):
        options = get_args(shape)
        if any(not mismatches(value, o, where) for o in options):
            return []
        return [f"{where}: {value!r} is none of {options}"]
    if shape is Any or origin is not None:
        return []
    if shape is type(None):
        return [] if value is None else [f"{where}: {value!r} is not None"]
    if shape is float and isinstance(value, int) and not isinstance(value, bool):
        return []
    return [] if isinstance(value, shape) else [f"{where}: {value!r} is not a {shape.__name__}"]
