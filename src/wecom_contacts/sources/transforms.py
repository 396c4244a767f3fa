"""Transforms without code (trim, mobile, gender, maps, templates, conditions) and plug-ins.

Everything here is compiled once from the mapping (a bad regular expression or plug-in is a
mapping error with its line) and then run per record; a value that cannot be transformed
raises TransformError, which the builder reports with the record's row and column.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import mapping as m
from .base import Record, SourceError, Value

__all__ = [
    "Compiled",
    "TransformError",
    "compile_condition",
    "compile_steps",
    "compile_template",
    "compile_template_column",
    "compile_template_values",
    "compile_value_test",
    "first_text",
    "template_fields",
    "text_steps",
    "to_boolean",
]

Compiled = Callable[[Value, Record], Value]
_SPACES = " \t\u3000\u00a0"  # full-width and no-break spaces are common in HR exports


class TransformError(ValueError):
    """A value a transform cannot turn into what WeCom takes (the message says why)."""


def first_text(value: Value) -> str | None:
    """A single text value: a one-item list is its item; several items are refused."""
    if isinstance(value, list):
        items = [v for v in value if v.strip(_SPACES)]
        if len(items) > 1:
            raise TransformError(f"has {len(items)} values where one is expected: {items!r}")
        value = items[0] if items else None
    if value is None:
        return None
    text = value.strip(_SPACES)
    return text or None


_MOBILE_SEPARATORS = re.compile(r"[\s\-().\u3000]")
_COUNTRY_CODE = re.compile(r"(?:\+|00)(\d{1,4})[\s\-(\u3000]")
# a column of mainland mobiles, separators dropped and joined by NUL (_mobile_column)
_MAINLAND_COLUMN = re.compile(r"(?:\+86)?1[0-9]{10}(?:\x00(?:\+86)?1[0-9]{10})*")


def _mobile(text: str) -> str:
    """``+86 138-0000-0000`` → ``13800000000``; other countries keep ``+CC-number``."""
    raw = text.strip(_SPACES)
    compact = _MOBILE_SEPARATORS.sub("", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("86") and len(compact) == 13 and compact[2] == "1":
        compact = compact[2:]
    elif compact.startswith("+"):
        if not compact[1:].isdigit() or len(compact) < 6:
            raise TransformError(f"{text!r} is not a mobile number")
        # the country code ends at the first separator the source wrote (+852 6123 4567)
        head = _COUNTRY_CODE.match(raw)
        if head:
            return f"+{head.group(1)}-{compact[1 + len(head.group(1)):]}"
        return compact
    if not compact.isdigit():
        raise TransformError(f"{text!r} is not a mobile number (digits, +, - and spaces only)")
    if len(compact) != 11 or not compact.startswith("1"):
        raise TransformError(f"{text!r} is not a mainland mobile number (11 digits starting "
                             "with 1); write others with their +country code")
    return compact


def _mobile_column(texts: list[str]) -> list[str]:
    """``_mobile`` over a column: the separators of every value dropped in one pass, the
    usual mainland forms (11 digits from 1, or after +86) taken as they come out, any other
    value given to ``_mobile`` itself (so each value gets what ``_mobile`` gives it)."""
    joined = _MOBILE_SEPARATORS.sub("", "\x00".join(texts))
    if _MAINLAND_COLUMN.fullmatch(joined):
        # every value a mainland mobile (the usual column): one regular-expression pass
        # checks them all, and "+86" stands only in front of a number
        quick = joined.replace("+86", "").split("\x00")
        if len(quick) == len(texts):  # else a value held the joiner
            return quick
    compact = joined.split("\x00")
    if len(compact) != len(texts):  # a value held the joiner
        return list(map(_mobile, texts))
    out: list[str] = []
    add = out.append
    for text, digits in zip(texts, compact, strict=True):
        if len(digits) == 11 and digits[0] == "1" and digits.isdigit():
            add(digits)
        elif len(digits) == 14 and digits.startswith("+861") and digits[1:].isdigit():
            add(digits[3:])
        else:
            add(_mobile(text))
    return out


_GENDERS = {"男": "1", "男性": "1", "先生": "1", "m": "1", "male": "1", "1": "1",
            "女": "2", "女性": "2", "女士": "2", "f": "2", "female": "2", "2": "2"}
_BOOLEANS = {"是": "1", "否": "0", "y": "1", "n": "0", "yes": "1", "no": "0", "true": "1",
             "false": "0", "1": "1", "0": "0", "√": "1", "×": "0", "x": "0", "on": "1",
             "off": "0", "t": "1", "f": "0", "有": "1", "无": "0"}


def _gender(text: str) -> str:
    found = _GENDERS.get(text.lower())
    if found is None:
        raise TransformError(f"{text!r} is not a gender (男/女, male/female, M/F, 1/2)")
    return found


def to_boolean(text: str) -> str:
    found = _BOOLEANS.get(text.lower())
    if found is None:
        raise TransformError(f"{text!r} is not yes or no (是/否, Y/N, true/false, 1/0)")
    return found


def _email_local_part(text: str) -> str:
    local, at, domain = text.partition("@")
    if not at or not local or not domain:
        raise TransformError(f"{text!r} is not an e-mail address")
    return local


_NAMED: dict[str, Callable[[str], str]] = {
    "trim": lambda t: t.strip(_SPACES),
    "lower": str.lower,
    "upper": str.upper,
    "mobile": _mobile,
    "gender": _gender,
    "boolean": to_boolean,
    "email_local_part": _email_local_part,
    "digits": lambda t: re.sub(r"\D", "", t),
}


# named steps that also have a form over a whole column (the same result for each value)
COLUMN_FORMS: dict[Callable[[str], str | None], Callable[[list[str]], list[str]]] = {
    _mobile: _mobile_column,
}


def _per_item(fn: Callable[[str], str | None]) -> Compiled:
    def run(value: Value, record: Record) -> Value:
        # an empty value stays empty: it is not managed (or takes the field's default)
        if not value:
            return None
        if isinstance(value, list):
            return [r for r in (fn(v) for v in value if v) if r]
        return fn(value) or None
    return run


def _map_step(step: m.MapStep) -> Callable[[str], str | None]:
    table = {k.strip(_SPACES): v for k, v in step.map.items()}

    def run(text: str) -> str | None:
        if text in table:
            return table[text]
        if step.default is not None:
            return step.default
        if step.keep_unknown:
            return text
        known = ", ".join(repr(k) for k in list(table)[:8])
        raise TransformError(f"{text!r} is not in the map (known: {known})")
    return run


def _replace_step(step: m.ReplaceStep) -> Callable[[str], str]:
    def run(text: str) -> str:
        for old, new in step.replace.items():
            text = text.replace(old, new)
        return text
    return run


def _split_step(step: m.SplitStep) -> Compiled:
    def run(value: Value, record: Record) -> Value:
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        return [p.strip(_SPACES) for v in items for p in v.split(step.split) if p.strip(_SPACES)]
    return run


def load_plugin(ref: str, base_dir: Path, where: str) -> Callable[..., Any]:
    """``module:function`` or ``file.py:function`` (relative to the mapping file)."""
    module_name, _, attr = ref.rpartition(":")
    try:
        if module_name.endswith(".py"):
            path = (base_dir / module_name).resolve()
            spec = importlib.util.spec_from_file_location(f"_wecom_plugin_{path.stem}", path)
            if spec is None or spec.loader is None or not path.is_file():
                raise SourceError(f"plug-in file {module_name!r} not found (looked at {path})",
                                  where=where, field="python")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except SourceError:
        raise
    except Exception as exc:  # the user's module: any import failure is a mapping error
        raise SourceError(f"cannot import plug-in {ref!r}: {type(exc).__name__}: {exc}",
                          where=where, field="python") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise SourceError(f"plug-in {ref!r}: {module_name} has no function {attr!r}",
                          where=where, field="python")
    return fn  # type: ignore[no-any-return]


def _python_step(step: m.PythonStep, base_dir: Path, where: str) -> Compiled:
    fn = load_plugin(step.python, base_dir, where)

    def run(value: Value, record: Record) -> Value:
        try:
            result = fn(value or None, record.values)  # an empty cell is None, as a missing one
        except (ValueError, TypeError, KeyError) as exc:
            raise TransformError(f"{step.python}: {exc}") from None
        if result is not None and not isinstance(result, (str, list)):
            result = str(result)
        return result  # type: ignore[no-any-return]
    return run


def compile_steps(steps: list[m.Step], *, base_dir: Path,
                  where: Callable[[int], str]) -> Compiled:
    """The steps of a ``transforms:`` list as one function (value, record) → value."""
    compiled: list[Compiled] = []
    for i, step in enumerate(steps):
        if isinstance(step, str):
            compiled.append(_per_item(_NAMED[step]))
        elif isinstance(step, m.MapStep):
            compiled.append(_per_item(_map_step(step)))
        elif isinstance(step, m.ReplaceStep):
            compiled.append(_per_item(_replace_step(step)))
        elif isinstance(step, m.SplitStep):
            compiled.append(_split_step(step))
        else:
            compiled.append(_python_step(step, base_dir, where(i)))

    if len(compiled) == 1:
        return compiled[0]

    def run(value: Value, record: Record) -> Value:
        for fn in compiled:
            value = fn(value, record)
        return value
    return run


TextStep = Callable[[str], "str | None"]


def text_steps(steps: list[m.Step]) -> list[TextStep] | None:
    """The steps as functions of one text each, to map over a column, when every step is one
    (named steps, maps, replacements); None when one splits or is a plug-in. Each is the
    function ``compile_steps`` runs per item, so a column gives what its values give."""
    out: list[TextStep] = []
    for step in steps:
        if isinstance(step, str):
            out.append(_NAMED[step])
        elif isinstance(step, m.MapStep):
            out.append(_map_step(step))
        elif isinstance(step, m.ReplaceStep):
            out.append(_replace_step(step))
        else:
            return None
    return out


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}|]+)((?:\|[a-z_]+)*)\}")


def template_fields(template: str) -> list[str]:
    return [mt.group(1).strip() for mt in _PLACEHOLDER.finditer(template) if mt.group(1)]


def compile_template(template: str, where: str) -> Callable[[Record], str | None]:
    """``"E{工号}"``, ``"{邮箱|email_local_part|lower}"``: None when a field is empty."""
    names = template_fields(template)
    render = compile_template_values(template, where)
    return lambda record: render([record.get(name) for name in names])


_Parts = list["str | tuple[str, list[Callable[[str], str]]]"]


def _template_parts(template: str, where: str) -> _Parts:
    parts: _Parts = []
    pos = 0
    for mt in _PLACEHOLDER.finditer(template):
        parts.append(template[pos:mt.start()])
        pos = mt.end()
        if mt.group(0) in ("{{", "}}"):
            parts.append(mt.group(0)[0])
            continue
        names = [n for n in mt.group(2).split("|") if n]
        unknown = [n for n in names if n not in _NAMED]
        if unknown:
            raise SourceError(f"unknown transform {unknown[0]!r} in template {template!r} "
                              f"(known: {', '.join(_NAMED)})", where=where, field="template")
        parts.append((mt.group(1).strip(), [_NAMED[n] for n in names]))
    parts.append(template[pos:])
    if not any(isinstance(p, tuple) for p in parts):
        raise SourceError(f"template {template!r} names no field (write {{column}})",
                          where=where, field="template")
    return parts


def compile_template_values(template: str,
                            where: str) -> Callable[[Sequence[Value]], str | None]:
    """``compile_template`` given the values of ``template_fields(template)``, in order."""
    parts = _template_parts(template, where)

    def render(values: Sequence[Value]) -> str | None:
        out: list[str] = []
        given = iter(values)
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            text = first_text(next(given))
            if text is None:
                return None
            for fn in part[1]:
                text = fn(text)
            out.append(text)
        return "".join(out)
    return render


def compile_template_column(template: str,
                            where: str) -> Callable[[list[str]], list[str]] | None:
    """A one-field template over a column of non-empty trimmed texts: what
    ``compile_template_values`` gives for each, in a few passes; None for several fields."""
    parts = _template_parts(template, where)
    fields = [p for p in parts if isinstance(p, tuple)]
    if len(fields) != 1:
        return None
    at = parts.index(fields[0])
    fmt = "".join(p for p in parts[:at] if isinstance(p, str)).replace("%", "%%") + "%s" + \
        "".join(p for p in parts[at + 1:] if isinstance(p, str)).replace("%", "%%")
    fns = fields[0][1]

    def column(texts: list[str]) -> list[str]:
        for fn in fns:
            texts = list(map(fn, texts))
        return list(map(fmt.__mod__, texts))
    return column


def compile_condition(cond: m.Condition, where: str) -> Callable[[Record], bool]:
    """A condition → a test on a record (every test the condition gives must hold)."""
    test = compile_value_test(cond, where)
    column = cond.column
    return lambda record: test(record.get(column))


def compile_value_test(cond: m.Condition, where: str) -> Callable[[Value], bool]:
    """``compile_condition`` given the value of ``cond.column``."""
    pattern = None
    if cond.matches is not None:
        try:
            pattern = re.compile(cond.matches)
        except re.error as exc:
            raise SourceError(f"invalid regular expression {cond.matches!r}: {exc}",
                              where=where, field="matches") from None
    inside = frozenset(cond.in_) if cond.in_ is not None else None
    outside = frozenset(cond.not_in) if cond.not_in is not None else None

    def test(raw: Value) -> bool:
        items = [v.strip(_SPACES) for v in raw] if isinstance(raw, list) else \
            [raw.strip(_SPACES)] if raw else []
        text = items[0] if len(items) == 1 else "" if not items else None
        values = [v for v in items if v] or [""]
        checks: list[bool] = []
        if inside is not None:
            checks.append(any(v in inside for v in values))
        if outside is not None:
            checks.append(all(v not in outside for v in values))
        if cond.equals is not None:
            checks.append(text == cond.equals)
        if cond.not_equals is not None:
            checks.append(text != cond.not_equals)
        if pattern is not None:
            checks.append(any(pattern.fullmatch(v) for v in values))
        if cond.empty is not None:
            checks.append((not any(items)) == cond.empty)
        return all(checks)
    return test

