"""A seeded mutation fuzzer over desired-state files (YAML, JSON, the member CSV template).

Each case starts from a valid document and mutates its bytes (flips, cuts, splices of YAML/JSON
syntax, aliases, huge numbers, control characters, other encodings) or its data (values of
the wrong type, long or odd strings, unknown keys, deep nesting) and writes it back. The
oracle: reading it either refuses it with a DesiredStateError that names the file, or gives a
desired directory whose plan holds only values WeCom accepts (the shared field rules), with
no other exception. Nothing may hang: every case is bounded by the readers' limits.

``WECOM_FUZZ_SEED`` reproduces a run; ``WECOM_FUZZ_CASES`` sets the number of cases per format.
"""

from __future__ import annotations

import copy
import json
import os
import random
from typing import Any

import pytest
import yaml

from wecom_contacts._fieldrules import (
    department_name_problem,
    member_field_problem,
    tag_name_problem,
)
from wecom_contacts.sync import DesiredStateError, PlanOptions, SyncError, make_plan, parse_desired

from .conftest import live

SEED = int(os.environ.get("WECOM_FUZZ_SEED", "20261202"))
CASES = int(os.environ.get("WECOM_FUZZ_CASES", "400"))

DOC: dict[str, Any] = {
    "version": 1,
    "departments": [{"path": "总部"}, {"path": "总部/研发中心", "name_en": "R&D", "order": 10},
                    {"path": "总部/研发中心/平台组"}],
    "users": [
        {"userid": "zhangsan", "name": "张三", "mobile": "+86 13800000001",
         "email": "zhangsan@example.com", "position": "工程师", "gender": "male",
         "departments": [{"department": "总部/研发中心", "leader": True, "order": 3}],
         "direct_leader": ["lisi"], "telephone": "010-12345678", "alias": "Zhang"},
        {"userid": "lisi", "name": "李四", "mobile": "13800000002",
         "departments": ["总部/研发中心/平台组"], "enable": False},
    ],
    "tags": [{"name": "值班", "users": ["lisi"], "departments": ["总部/研发中心"]}],
}
CSV = ("姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,座机,禁用\n"
       "张三,zhangsan,13800000001,,1,工程师,男,1,5,,,,0\n"
       "李四,lisi,,lisi@example.com,1,,女,,,,,,1\n")
SPLICES = [b"&a ", b"*a", b"<<: *a", b"[", b"]", b"{", b"}", b'"', b"'", b": ", b"\n- ", b"\t",
           b"\x00", b"\x07", b"\xff\xfe", b"\xef\xbb\xbf", "张".encode("gbk"), b"9" * 400,
           b"!!python/object:os.system ", b"!!binary ", b"? ", b"---\n", b"\\u0000", b",",
           b";", b"\r\n", b"1e999", b"NaN", b"\xed\xa0\x80"]
ODD_VALUES: list[Any] = [None, True, 0, -1, 2**40, 1.5, "", " ", "x" * 300, "张" * 70,
                         "a\x01b", "138-abc", "a@b", "总部/研发中心/../x", "\u202e", [], {},
                         [[[[[]]]]], {"k": {"k": {"k": "v"}}}, "\ud800"]
KEYS = ["userid", "name", "mobile", "email", "departments", "department", "path", "order",
        "leader", "gender", "enable", "tags", "users", "extattr", "unknown", "main_department",
        "previous_userid", "previous_path", "name_en", "id"]


def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(buf) + 1)
        op = rng.choice(["flip", "delete", "truncate", "splice", "splice", "repeat"])
        if op == "flip" and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == "delete":
            del buf[pos:pos + rng.randint(1, 12)]
        elif op == "truncate":
            del buf[pos:]
        elif op == "splice":
            buf[pos:pos] = rng.choice(SPLICES)
        else:
            buf[pos:pos] = bytes(buf[pos:pos + 6]) * rng.randint(2, 50)
    return bytes(buf)


def _mutate_data(rng: random.Random, doc: Any) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        # walk to a random container
        node, parents = doc, []
        while isinstance(node, (dict, list)) and node and rng.random() < 0.7:
            parents.append(node)
            node = rng.choice(list(node.values()) if isinstance(node, dict) else node)
        target = parents[-1] if parents else doc
        if isinstance(target, dict):
            key = rng.choice(sorted(target) + KEYS)
            if rng.random() < 0.2:
                target.pop(key, None)
            else:
                target[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif isinstance(target, list):
            if target and rng.random() < 0.3:
                target.pop(rng.randrange(len(target)))
            else:
                choices = [*ODD_VALUES, target[0] if target else {}]
                target.append(copy.deepcopy(rng.choice(choices)))
    if rng.random() < 0.05:
        deep: Any = "x"
        for _ in range(rng.choice([70, 500, 3000])):
            deep = [deep]
        doc = {"users": deep} if isinstance(doc, dict) else deep
    return doc


def _csv_case(rng: random.Random) -> bytes:
    # Cells are mutated as text and the file written as UTF-8: the values reach the shared
    # rules. (Undecodable bytes are the CSV readers' own tests: the template reader decodes.)
    lines = [line.split(",") for line in CSV.splitlines()]
    for _ in range(rng.randint(1, 3)):
        row = rng.choice(lines[1:])
        column = rng.randrange(len(row))
        odd = rng.choice([v for v in ODD_VALUES if v != "\ud800"])  # not UTF-8 encodable
        row[column] = "" if odd is None else str(odd).replace(",", ";").replace("\n", " ")
    return "\n".join(",".join(r) for r in lines).encode("utf-8")


def _case(rng: random.Random, fmt: str) -> bytes:
    if fmt == "csv":
        return _csv_case(rng)
    if rng.random() < 0.5:
        data = _mutate_data(rng, DOC)
        try:
            text = (json.dumps(data, ensure_ascii=rng.random() < 0.5) if fmt == "json"
                    else yaml.safe_dump(data, allow_unicode=True))
        except (ValueError, RecursionError, yaml.YAMLError):
            text = json.dumps(DOC)  # a structure the dumper itself cannot write
        encoded = text.encode("utf-8", "surrogatepass")
        return _mutate_bytes(rng, encoded) if rng.random() < 0.3 else encoded
    base = (json.dumps(DOC, ensure_ascii=False, indent=1) if fmt == "json"
            else yaml.safe_dump(DOC, allow_unicode=True))
    return _mutate_bytes(rng, base.encode(rng.choice(["utf-8", "utf-8", "gb18030", "utf-16"])))


def _plan_values_are_acceptable(plan: Any, where: str) -> None:
    for step in plan.steps:
        params = step.params
        if step.op.startswith("user."):
            for key in ("userid", "name", "mobile", "email", "position", "telephone", "alias",
                        "address", "biz_mail", "external_position"):
                value = params.get(key)
                if isinstance(value, str):
                    assert member_field_problem(key, value) is None, (where, step)
        elif step.op in ("department.create", "department.update"):
            for key in ("name", "name_en"):
                value = params.get(key)
                if isinstance(value, str):
                    assert department_name_problem(value, allow_empty=key == "name_en") \
                        is None, (where, step)
        elif step.op in ("tag.create", "tag.update"):
            assert tag_name_problem(params["name"]) is None, (where, step)


OPTIONS = PlanOptions(allow_deletes=True)
LIVE = live([(2, "研发中心", 1)], [{"userid": "wangwu", "name": "王五", "department": [2],
                                   "mobile": "13800000009"}])


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_mutated_desired_files_are_refused_by_name_or_planned_with_acceptable_values(
    fmt: str,
) -> None:
    rng = random.Random(f"{SEED}-{fmt}")
    source = f"org.{fmt}"
    outcomes = {"refused": 0, "planned": 0}
    for index in range(CASES):
        data = _case(rng, fmt)
        where = f"seed {SEED}, {fmt} case {index}: {data[:200]!r}"
        try:
            desired = parse_desired(data, fmt, source=source)
        except DesiredStateError as exc:
            assert str(exc).startswith(source), (where, str(exc))
            outcomes["refused"] += 1
            continue
        try:
            plan = make_plan(desired, LIVE, OPTIONS)
        except SyncError:  # a plan-level refusal (a conflict the planner names)
            outcomes["refused"] += 1
            continue
        _plan_values_are_acceptable(plan, where)
        outcomes["planned"] += 1
    assert outcomes["refused"] and outcomes["planned"], outcomes  # the mix reaches both
