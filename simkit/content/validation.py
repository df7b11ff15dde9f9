"""Validating a loaded YAML document against a content model, with located problems.

Pydantic reports errors by location tuples; this module turns each into a Problem at the line
and column of the offending key or value, with a message in the author's terms (the key that is
unknown and the keys that are allowed, the language that is missing, the values that fit).
"""

from __future__ import annotations

import types
from difflib import get_close_matches
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .problems import Problem
from .vocabulary import LANGUAGES
from .yamlload import Document, Path

M = TypeVar("M", bound=BaseModel)

# When pydantic reports several errors for one value (one per member of a union), the most
# specific one is kept.
_PRIORITY = {"missing": 0, "extra_forbidden": 0, "literal_error": 1, "value_error": 1}


def validate_document(doc: Document, model: type[M]) -> tuple[M | None, list[Problem]]:
    """The document's data as ``model``, or None with every problem found."""
    if doc.data is None:
        return None, [doc.problem((), "missing-key", "the file is empty", f"write a {_name(model)} here")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        best: dict[tuple[Any, ...], tuple[int, Problem]] = {}
        for err in exc.errors():
            # one problem per value, except that each missing or unknown key is its own problem
            group: tuple[Any, ...] = _data_loc(doc.data, err["loc"])
            if err["type"] in ("missing", "extra_forbidden"):
                group = (*group, ("key", err["loc"][-1]))
            rank = _PRIORITY.get(err["type"], 2)
            if group in best and best[group][0] <= rank:
                continue
            best[group] = (rank, _problem(doc, model, err))
        return None, [p for _, p in best.values()]


def _data_loc(data: Any, loc: tuple[Any, ...]) -> Path:
    """The part of a pydantic location that walks the data (union member tags dropped)."""
    out: list[str | int] = []
    cur = data
    for seg in loc:
        if (isinstance(cur, dict) and seg in cur) or (isinstance(cur, list) and isinstance(seg, int) and 0 <= seg < len(cur)):
            cur = cur[seg]
            out.append(seg)
    return tuple(out)


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that owns the value at ``loc`` (best effort, for messages)."""
    cur: Any = root
    for seg in loc:
        cur = _strip(cur)
        origin = get_origin(cur)
        if origin in (Union, types.UnionType):
            members = [_strip(a) for a in get_args(cur) if a is not type(None)]
            named = [m for m in members if getattr(m, "__name__", None) == seg]
            if named:
                cur = named[0]
                continue
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            lists = [m for m in members if get_origin(m) in (list, tuple, dict)]
            cur = (models or lists or members)[0]
            cur = _strip(cur)
            origin = get_origin(cur)
        if isinstance(cur, type) and issubclass(cur, BaseModel):
            if isinstance(seg, str) and seg in cur.model_fields:
                cur = cur.model_fields[seg].annotation
            continue
        if origin in (list, tuple):
            cur = get_args(cur)[0]
        elif origin is dict:
            cur = get_args(cur)[1]
    cur = _strip(cur)
    if get_origin(cur) in (Union, types.UnionType):
        models = [m for m in get_args(cur) if isinstance(m, type) and issubclass(m, BaseModel)]
        cur = models[0] if models else None
    return cur if isinstance(cur, type) and issubclass(cur, BaseModel) else None


def _name(model: type[BaseModel] | None) -> str:
    return model.__name__ if model is not None else "this mapping"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(doc: Document, root: type[BaseModel], err: Any) -> Problem:
    kind, loc, msg = err["type"], tuple(err["loc"]), err["msg"]
    data_loc = _data_loc(doc.data, loc)
    if kind == "missing":
        key = loc[-1]
        owner = _model_at(root, loc[:-1])
        if key in LANGUAGES:
            return doc.problem(
                data_loc,
                "missing-language",
                f"the {'Russian' if key == 'ru' else 'English'} text is missing",
                f"add '{key}:' beside the other language",
            )
        field = owner.model_fields.get(str(key)) if owner else None
        about = f": {field.description}" if field is not None and field.description else ""
        return doc.problem(data_loc, "missing-key", f"{_name(owner)} needs '{key}'", f"add '{key}:'{about}")
    if kind == "extra_forbidden":
        key = loc[-1]
        owner = _model_at(root, loc[:-1])
        allowed = list(owner.model_fields) if owner else []
        close = get_close_matches(str(key), allowed, n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + f"allowed: {', '.join(allowed)}"
        return doc.problem(data_loc, "unknown-key", f"'{key}' is not a key of {_name(owner)}", hint, key=True)
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return doc.problem(data_loc, "bad-value", f"{_show(err.get('input'))} is not allowed here", f"use one of {expected}")
    if kind.endswith("_type") or kind in ("model_attributes_type", "dict_type", "is_instance_of"):
        what = msg[0].lower() + msg[1:] if msg else "a different type"
        return doc.problem(data_loc, "wrong-type", f"{what}, got {_show(err.get('input'))}", "fix the value's type")
    text = msg.removeprefix("Value error, ")
    return doc.problem(
        data_loc, "bad-value", text[0].lower() + text[1:] if text else "bad value", f"got {_show(err.get('input'))}"
    )
