"""One straight-line function per event type, generated at import from parsing's field tables.

Why generated code: a member event has up to 25 fields, and a generic converter paid a
Python loop over (wire, attribute, converter) tuples for every message, plus a second
lookup per field, which cost as much as parsing the XML. The function written here does
the same checks in the same order, with the names as constants: the renaming and the
"text fields hold text" check in C, one `get` per converted field, and nothing at all for
fields the event type lacks. Everything it runs comes from the tables, so the tables stay
the one place that says what each event type carries.

The source is registered with `linecache`, so tracebacks, pdb and `inspect.getsource`
show the generated lines; `SOURCES` holds them by function name.
"""

from __future__ import annotations

import builtins
import linecache
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["SOURCES", "generate"]

Raw = dict[str, Any]
SOURCES: dict[str, str] = {}


def generate(
    name: str,
    names: Mapping[str, str],
    converters: Sequence[tuple[str, str, Callable[[Any], Any]]],
    required: Sequence[tuple[str, str]],
    defaults: Sequence[tuple[str, Callable[[], Any]]],
    nested: Sequence[str],
    helpers: Mapping[str, Any],
    model: type | None = None,
    function_name: str = "",
) -> Callable[[Raw], Any]:
    """The converter of event type `name`: raw dict → attribute dict, or → event of `model`.

    Args:
        names: wire name → attribute name of every field the type has.
        converters: (wire name, attribute, function) for fields that are not plain text;
            a function raises `helpers["Invalid"]` with what it expected.
        required: (wire name, attribute) of the fields that must have a value.
        defaults: (attribute, factory) of fields whose absence means a fresh value.
        nested: wire names of fields whose value may be a nested element (a dict or list).
        helpers: `Invalid`, `EventParseError` and `error(wire, value, expected)`.
        model: when given, a frozen dataclass the function returns an instance of, with
            `raw` set to the dict it was given.
        function_name: the generated function's name (default: `convert_` + name).

    The function returns the attribute dict of the event (without `raw`) or the event, or
    raises `EventParseError` naming the first bad field: a text field holding something
    else (in sorted order), else a converted field (in table order), else a missing one.
    """
    texts = [wire for wire in names if wire not in {c[0] for c in converters}]
    namespace: dict[str, Any] = {
        "NAMES_GET": dict(names).get,
        "TEXTS": frozenset(texts),
        "STR": str,
        "ONLY_STR": frozenset({str}),
        "MISSING": _MISSING,
        **helpers,
    }
    function_name = function_name or f"convert_{name}"
    # Values that are not text come only from nested or repeated elements. Counting the
    # text values (in C) proves the common case, none outside `nested`, without a loop;
    # otherwise every text field is looked at, in sorted order, for the first bad one.
    nonstr_nested = " + ".join(f"(get({wire!r}, '').__class__ is not STR)" for wire in nested)
    lines = [
        f"def {function_name}(raw):",
        "    get = raw.get",
        "    # Rename every known field (wire name → attribute) in C: unknown ones map to",
        "    # None, which is dropped; they stay in raw only.",
        "    out = dict(zip(map(NAMES_GET, raw), raw.values()))",
        "    out.pop(None, None)",
        "    types = list(map(type, raw.values()))",
        f"    if types.count(STR) != len(types){f' - ({nonstr_nested})' if nested else ''}:",
        "        texts = TEXTS.intersection(raw)",
        "        if texts and set(map(type, map(raw.__getitem__, texts))) != ONLY_STR:",
        "            for wire in sorted(texts):",
        "                if raw[wire].__class__ is not STR:",
        "                    raise error(wire, raw[wire], 'text')",
    ]
    for wire, attribute, function in converters:
        call = _bind(namespace, function)
        lines += [
            f"    if (value := get({wire!r}, MISSING)) is not MISSING:",
            "        try:",
            f"            out[{attribute!r}] = {call}(value)",
            "        except Invalid as exc:",
            f"            raise error({wire!r}, value, exc.expected) from None",
        ]
    for wire, attribute in required:
        message = f"a {name} event needs a non-empty {wire} element"
        lines += [
            f"    if out.get({attribute!r}) is None:",
            f"        raise EventParseError({message!r})",
        ]
    for attribute, factory in defaults:
        lines += [
            f"    if {attribute!r} not in out:",
            f"        out[{attribute!r}] = {_bind(namespace, factory)}()",
        ]
    if model is None:
        lines.append("    return out")
    else:
        # A frozen dataclass's __init__ sets each field through object.__setattr__, which
        # costs more than the rest of parsing a minimal event; `out` holds every field
        # that has no class-level default (tests hold the result equal to model(**out)).
        namespace.update(MODEL=model, new=object.__new__, set_attribute=object.__setattr__)
        lines += [
            "    out['raw'] = raw",
            "    event = new(MODEL)",
            "    set_attribute(event, '__dict__', out)",
            "    return event",
        ]
    source = "\n".join(lines) + "\n"
    filename = f"<wecom_contacts.callback.{function_name}>"
    SOURCES[function_name] = source
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # the source is built above
    generated: Callable[[Raw], Any] = namespace[function_name]
    return generated


def _bind(namespace: dict[str, Any], function: Callable[..., Any]) -> str:
    """The name under which the generated code calls `function` (its own, if free)."""
    name = getattr(function, "__name__", "")
    if not name.isidentifier() or namespace.get(name, function) is not function:
        name = f"function{len(namespace)}"
    if getattr(builtins, name, None) is not function:
        namespace[name] = function
    return name


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING = _Missing()
