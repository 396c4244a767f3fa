"""The central guarantee of sync, checked on random cases against the real emulator.

For a random starting directory (seeded into the emulator) and a random desired directory
built from it — departments renamed, moved (under a sibling, parent and child swapped),
deleted and created, English names and orders changed; users created, deleted, renamed
(``previous_userid``), moved, leader flags, main departments and direct leaders changed;
mobiles and e-mails handed from one member to another (swaps, chains, a leaver's number given
to a joiner); tags renamed (swaps too), deleted and created, their members changed —
``make_plan`` then ``apply_plan`` succeeds, planning again gives no step, and the emulator's
own records are the desired directory. Some cases send member changes as import jobs, some
disable leavers instead of deleting them.

``pytest --hypothesis-show-statistics`` shows how often each kind of step occurs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, currently_in_test_context, event, given, note, settings
from hypothesis import strategies as st

from wecom_contacts import Client
from wecom_contacts.sync import (
    DesiredDirectory,
    ImportJobRunner,
    LiveDepartment,
    LiveDirectory,
    PlanError,
    PlanOptions,
    Step,
    apply_plan,
    make_plan,
    parse_desired,
    read_live,
)
from wecom_contacts.testing import EmulatorControl

from .conftest import desired, live

ROOT = "总部"
DEPT_NAMES = ("研发", "市场", "销售", "A", "B")
NAMES_EN = ("", "", "X", "Y")  # unique among siblings too (WeCom: 60008 / 60016)
USERIDS = ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim", "leo")
NAMES = ("张三", "李四", "王五", "赵六")
POSITIONS = ("", "工程师", "经理")
MOBILES = tuple(f"138000000{i:02d}" for i in range(14))
EMAILS = tuple(f"m{i}@example.com" for i in range(14))
TAG_NAMES = ("T1", "T2", "T3", "T4")
OPTIONS = PlanOptions(allow_deletes=True)

# The refusals (PlanError) a random case may meet, each a desired state WeCom cannot reach:
# a member left with neither mobile nor e-mail (60129) — members without e-mail swapping
# mobiles (two runs needed), a file clearing the mobile of a member without e-mail, a leaver
# kept disabled whose only contact another member takes; two sibling departments of one
# English name (60008), one keeping the live name_en the file leaves out; and, in
# disable_instead_of_delete mode, a department a new one's name must be freed from that
# still holds a disabled leaver ("must make way").
REFUSED = ("cannot give its", "would be left with neither mobile nor e-mail",
           "would both have name_en")
DISABLED_REFUSED = "must make way"


@dataclass
class Dept:
    key: int  # identity across before and after: the live id before; 100+ for new ones
    name: str
    parent: int  # key of the parent; 1 is the root
    name_en: str
    order: int


@dataclass
class Person:
    userid: str
    name: str
    depts: list[tuple[int, bool]]  # (dept key, leader)
    mobile: str
    email: str
    position: str
    enable: bool = True


@dataclass
class Case:
    seed: dict[str, Any]  # the live directory, as the emulator's wire records
    doc: dict[str, Any]  # the desired directory, dumped to YAML for the planner
    kept: dict[str, dict[str, str]]  # lower userid → fields it leaves out: their live values
    jobs: bool  # member creates and updates sent as import jobs (runs of 2 or more)
    disable: bool = False  # PlanOptions(disable_instead_of_delete=True)


def _paths(depts: dict[int, Dept]) -> dict[int, str]:
    result = {1: ROOT}

    def path(key: int) -> str:
        if key not in result:
            result[key] = f"{path(depts[key].parent)}/{depts[key].name}"
        return result[key]

    for key in depts:
        path(key)
    return result


def _tree(draw: st.DrawFn, keys: list[int], before: dict[int, Dept] | None = None
          ) -> dict[int, Dept]:
    """A random forest under the root over ``keys`` (parents come earlier in ``keys``), names
    and English names unique among siblings; ``before`` values are kept half the time."""
    depts: dict[int, Dept] = {}
    for i, key in enumerate(keys):
        old = (before or {}).get(key)
        parent = old.parent if old and old.parent in [1, *keys[:i]] and draw(st.booleans()) \
            else draw(st.sampled_from([1, *keys[:i]]))
        siblings = [d for d in depts.values() if d.parent == parent]
        free = [n for n in DEPT_NAMES if n not in {d.name for d in siblings}] or [f"部{key}"]
        name = old.name if old and old.name in free and draw(st.booleans()) \
            else draw(st.sampled_from(free))
        free_en = [n for n in NAMES_EN if not n or n not in {d.name_en for d in siblings}]
        name_en = old.name_en if old and old.name_en in free_en and draw(st.booleans()) \
            else draw(st.sampled_from(free_en))
        depts[key] = Dept(key, name, parent, name_en, draw(st.sampled_from((0, 5, 9))))
    return depts


def _contacts(draw: st.DrawFn, count: int, keep: list[tuple[str, str]] | None = None
              ) -> list[tuple[str, str]]:
    """``count`` (mobile, email) pairs, each with at least one, no value used twice; the
    values of ``keep`` (the members' current ones) are kept about half the time."""
    mobiles = list(draw(st.permutations(MOBILES)))
    emails = list(draw(st.permutations(EMAILS)))
    used: set[str] = set()
    result: list[tuple[str, str]] = []
    for i in range(count):
        kind = draw(st.sampled_from(["both", "both", "mobile", "email"]))
        old = keep[i] if keep and i < len(keep) else ("", "")
        same = bool(keep) and draw(st.booleans())
        pair = []
        for pool, old_value, wanted in ((mobiles, old[0], kind != "email"),
                                        (emails, old[1], kind != "mobile")):
            value = ""
            if wanted:
                value = old_value if same and old_value and old_value not in used \
                    else next(v for v in pool if v not in used)
                used.add(value)
            pair.append(value)
        result.append((pair[0], pair[1]))
    return result


def _spelling(draw: st.DrawFn, mobile: str, email: str) -> tuple[str, str]:
    """The same values as WeCom compares them, now and then written another way."""
    if mobile and draw(st.integers(0, 5)) == 0:
        mobile = f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    if email and draw(st.integers(0, 5)) == 0:
        email = email.capitalize()
    return mobile, email


def _memberships(draw: st.DrawFn, keys: list[int]) -> list[tuple[int, bool]]:
    chosen = draw(st.lists(st.sampled_from([1, *keys]), min_size=1, max_size=2, unique=True))
    return [(k, draw(st.booleans())) for k in chosen]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    # --- before: the live directory -------------------------------------------------------
    before_keys = list(range(2, 2 + draw(st.integers(0, 6))))
    before = _tree(draw, before_keys)
    userids = draw(st.permutations(USERIDS))[:draw(st.integers(0, 7))]
    people = [
        Person(uid, draw(st.sampled_from(NAMES)), _memberships(draw, before_keys),
               mobile, email, draw(st.sampled_from(POSITIONS)), draw(st.integers(0, 4)) > 0)
        for uid, (mobile, email) in zip(userids, _contacts(draw, len(userids)), strict=True)
    ]
    live_tags = [
        (tag_id, name,
         draw(st.lists(st.sampled_from(userids), unique=True, max_size=3)) if userids else [],
         draw(st.lists(st.sampled_from([1, *before_keys]), unique=True, max_size=2)))
        for tag_id, name in enumerate(draw(st.permutations(TAG_NAMES))[:draw(st.integers(0, 3))],
                                      start=1)
    ]
    seed = {
        "departments": [{"id": d.key, "name": d.name, "parentid": d.parent, "order": d.order,
                         **({"name_en": d.name_en} if d.name_en else {})}
                        for d in before.values()],
        "users": [
            {"userid": p.userid, "name": p.name, "department": [k for k, _ in p.depts],
             "is_leader_in_dept": [int(lead) for _, lead in p.depts],
             **({"mobile": p.mobile} if p.mobile else {}),
             **({"email": p.email} if p.email else {}),
             **({"position": p.position} if p.position else {}),
             **({} if p.enable else {"enable": 0}),
             "order": [draw(st.sampled_from((0, 3))) for _ in p.depts],
             "system_userid": True}  # WeCom lets a system-made userid change once
            for p in people
        ],
        "tags": [{"tagid": i, "tagname": n, "userlist": us, "partylist": ds}
                 for i, n, us, ds in live_tags],
    }
    if len(people) > 1 and draw(st.booleans()):
        boss = people[0].userid
        seed["users"][-1]["direct_leader"] = [boss]

    # --- after: the desired directory -----------------------------------------------------
    # without a departments section the tree is left alone (users name live paths)
    manage_departments = draw(st.integers(0, 5)) > 0
    if manage_departments:
        survivors = [k for k in before_keys if draw(st.integers(0, 3)) > 0]
        new_keys = list(range(100, 100 + draw(st.integers(0, 3))))
        order = draw(st.permutations(survivors + new_keys))
        after = _tree(draw, order, before)
    else:
        order, after = before_keys, before
    after_paths = _paths(after)
    before_paths = _paths(before)
    departments: list[dict[str, Any]] = [{"path": ROOT}]
    for key in order:
        dept = after[key]
        item: dict[str, Any] = {"path": after_paths[key]}
        if draw(st.integers(0, 4)) > 0:  # else not managed: the live one is kept
            item["name_en"] = dept.name_en
        if draw(st.integers(0, 4)) > 0:
            item["order"] = dept.order
        if key in before:
            how = draw(st.sampled_from(["id", "previous_path", "name"]))
            if how == "id":
                item["id"] = key
            elif how == "previous_path":
                item["previous_path"] = before_paths[key]
        elif draw(st.booleans()):
            # created with the file's id. Ids far apart: WeCom numbers new departments max + 1,
            # and a file id that a name match overrides (with a warning) could otherwise be
            # given to another new department and match it on the next run.
            item["id"] = (key - 99) * 1000
        departments.append(item)

    staying = [p for p in people if draw(st.integers(0, 3)) > 0]
    free_ids = [u for u in draw(st.permutations(USERIDS)) if u not in {p.userid for p in staying}]
    chosen: list[tuple[Person, str | None]] = []  # (person, previous userid)
    for p in staying:
        how = draw(st.sampled_from(["same", "same", "rename", "upper"]))
        if how == "rename" and free_ids:
            chosen.append((Person(free_ids.pop(), p.name, p.depts, p.mobile, p.email,
                                  p.position), p.userid))
        elif how == "upper":  # userids are compared ignoring case: the same member
            chosen.append((Person(p.userid.upper(), p.name, p.depts, p.mobile, p.email,
                                  p.position), None))
        else:
            chosen.append((p, None))
    for _ in range(draw(st.integers(0, min(len(free_ids), 12 - len(chosen), 4)))):
        chosen.append((Person(free_ids.pop(0), "", [], "", "", ""), None))
    chosen = draw(st.permutations(chosen))
    contacts = _contacts(draw, len(chosen), [(p.mobile, p.email) for p, _ in chosen])
    final_ids = [p.userid for p, _ in chosen]
    users: list[dict[str, Any]] = []
    kept: dict[str, dict[str, str]] = {}
    live_ids = {u.lower() for u in userids}
    for (p, previous), (mobile, email) in zip(chosen, contacts, strict=True):
        if p.depts and all(k == 1 or k in after for k, _ in p.depts) and draw(st.booleans()):
            depts = [(k, draw(st.booleans()) if draw(st.booleans()) else lead)
                     for k, lead in p.depts]
        else:
            depts = _memberships(draw, list(after))
        mobile, email = _spelling(draw, mobile, email)
        entry: dict[str, Any] = {
            "userid": p.userid,
            "name": p.name if p.name and draw(st.booleans()) else draw(st.sampled_from(NAMES)),
            "departments": [_membership(draw, after_paths[k], lead) for k, lead in depts],
            "mobile": mobile,
            "email": email,
            "position": draw(st.sampled_from(POSITIONS)),
        }
        if draw(st.integers(0, 3)) == 0:
            entry["enable"] = not p.enable if draw(st.booleans()) else p.enable
        # a field left out keeps its live value; the member matched is the live one of that
        # userid if there is one, else the one of previous_userid
        own = p.userid.lower() not in live_ids or previous is None
        if (p.mobile or p.email) and own and draw(st.integers(0, 5)) == 0:
            unmanaged = draw(st.sampled_from(["mobile", "email"]))
            del entry[unmanaged]
            kept[p.userid.lower()] = {unmanaged: getattr(p, unmanaged)}
        if previous is not None:
            entry["previous_userid"] = previous
        if draw(st.integers(0, 2)) == 0:
            entry["main_department"] = after_paths[draw(st.sampled_from(depts))[0]]
        if len(final_ids) > 1 and draw(st.integers(0, 2)) == 0:
            entry["direct_leader"] = draw(st.lists(st.sampled_from(final_ids), max_size=2,
                                                   unique_by=str.lower))
        users.append(entry)

    tags: list[dict[str, Any]] = []
    for tag_id, name, _, _ in live_tags:
        how = draw(st.sampled_from(["id", "id-rename", "name", "gone"]))
        if how == "gone":
            continue
        tag: dict[str, Any] = {
            "name": draw(st.sampled_from(TAG_NAMES)) if how == "id-rename" else name}
        if how != "name":
            tag["id"] = tag_id
        tags.append(tag)
    tags += [{"name": n} for n in draw(st.lists(st.sampled_from(TAG_NAMES), max_size=2))]
    names: set[str] = set()
    unique: list[dict[str, Any]] = []
    for t in tags:  # the first tag of each name
        if t["name"] not in names:
            names.add(t["name"])
            unique.append(t)
    tags = unique
    for tag in tags:
        if final_ids and draw(st.integers(0, 3)) > 0:  # else its users are not managed
            tag["users"] = draw(st.lists(st.sampled_from(final_ids), unique=True, max_size=3))
        if draw(st.integers(0, 4)) > 0:  # else its departments are not managed
            tag["departments"] = [after_paths[k] for k in draw(
                st.lists(st.sampled_from([1, *after]), unique=True, max_size=2))]
    doc: dict[str, Any] = {"users": users}
    if manage_departments:
        doc["departments"] = departments
    if draw(st.integers(0, 3)) > 0:
        doc["tags"] = tags
    return Case(seed, doc, kept, draw(st.booleans()), draw(st.integers(0, 3)) == 0)


def _membership(draw: st.DrawFn, path: str, leader: bool) -> str | dict[str, Any]:
    order = draw(st.sampled_from((None, None, 0, 3, 8)))
    if not leader and order is None:
        return path
    entry: dict[str, Any] = {"department": path}
    if leader:
        entry["leader"] = True
    if order is not None:
        entry["order"] = order
    return entry


# --- what the emulator holds, and what the desired directory says ----------------------------


def emulator_facts(records: dict[str, Any]) -> dict[str, Any]:
    depts = {d["id"]: d for d in records["departments"]}

    def path(dept_id: int) -> str:
        dept = depts[dept_id]
        return dept["name"] if dept["parentid"] == 0 else f"{path(dept['parentid'])}/{dept['name']}"

    return {
        "departments": {
            path(d["id"]): None if d["id"] == 1 else (d.get("name_en") or "", d["order"])
            for d in depts.values()
        },
        "users": {
            u["userid"].lower(): {
                "name": u["name"], "mobile": u.get("mobile") or "", "email": u.get("email") or "",
                "position": u.get("position") or "",
                "departments": sorted((path(d), bool(lead)) for d, lead in
                                      zip(u["department"], u["is_leader_in_dept"], strict=True)),
                "orders": {path(d): o for d, o in zip(u["department"], u["order"], strict=True)},
                "enable": bool(u["enable"]),
                "main_department": path(u["main_department"] or u["department"][0]),
                "direct_leader": sorted(x.lower() for x in u["direct_leader"]),
            }
            for u in records["users"]
        },
        "tags": {
            t["tagname"]: (sorted(u.lower() for u in t["userlist"]),
                           sorted(path(d) for d in t["partylist"]))
            for t in records["tags"]
        },
        "ids": {path(d): d for d in depts},
    }


def desired_facts(doc: dict[str, Any]) -> dict[str, Any]:
    def membership(m: Any) -> tuple[str, bool]:
        return (m["department"], m.get("leader", False)) if isinstance(m, dict) else (m, False)

    def orders(user: dict[str, Any]) -> dict[str, int]:
        return {m["department"]: m["order"] for m in user["departments"]
                if isinstance(m, dict) and "order" in m}

    return {
        "departments": {
            d["path"]: (d.get("name_en"), d.get("order")) if "/" in d["path"] else None
            for d in doc["departments"]
        } if "departments" in doc else None,
        "users": {
            u["userid"].lower(): {
                "name": u["name"], **{k: u[k] for k in ("mobile", "email") if k in u},
                "position": u["position"],
                "departments": sorted(membership(m) for m in u["departments"]),
                "orders": orders(u),
                **({"enable": u["enable"]} if "enable" in u else {}),
                **({"main_department": u["main_department"]} if "main_department" in u else {}),
                **({"direct_leader": sorted(x.lower() for x in u["direct_leader"])}
                   if "direct_leader" in u else {}),
            }
            for u in doc["users"]
        },
        "tags": {
            t["name"]: (sorted(u.lower() for u in t["users"]) if "users" in t else None,
                        sorted(t["departments"]) if "departments" in t else None)
            for t in doc["tags"]
        } if "tags" in doc else None,
    }


def _unmanaged_left_out(got: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """``got`` without what the desired directory does not manage."""
    for userid, fields in got["users"].items():
        if userid in want["users"]:
            fields["orders"] = {d: o for d, o in fields["orders"].items()
                                if d in want["users"][userid]["orders"]}
            for key in list(fields):
                if key not in want["users"][userid]:
                    del fields[key]
    for section in ("departments", "tags"):
        if want[section] is None:
            got[section] = None
    for name, (users, depts) in (got["tags"] or {}).items():
        if name in want["tags"]:
            wanted_users, wanted_depts = want["tags"][name]
            got["tags"][name] = (None if wanted_users is None else users,
                                 None if wanted_depts is None else depts)
    return got


def _kind(step: Step, steps: list[Step]) -> str:
    """A step's kind for the statistics (pytest --hypothesis-show-statistics)."""
    if step.note.startswith("frees its"):
        return "user release"
    if step.note.startswith("temporary name"):
        return f"{step.kind} temporary name"
    if "new_userid" in step.params:
        return "user rename"
    if step.op == "department.update" and "parent_id" in step.params:
        return "department move"
    if step.op == "user.delete" and any(s.op in ("user.create", "user.update")
                                        for s in steps[step.id:]):
        return "user deleted early"
    if step.note:
        return f"{step.op} ({step.note[:20]})"
    return step.op


_journals = itertools.count()


def _note(text: str) -> None:
    if currently_in_test_context():  # converge also runs the fixed regression cases
        note(text)


def _event(text: str) -> None:
    if currently_in_test_context():
        event(text)


def _assume(condition: bool) -> None:
    """Skip a generated case; a fixed regression case must not need skipping."""
    if currently_in_test_context():
        assume(condition)
    else:
        assert condition


def converge(client: Client, emulator: EmulatorControl, case: Case, tmp: Path) -> None:
    """Seed, plan, apply; then the plan is empty and the records are the desired directory."""
    emulator.reset()
    emulator.seed(case.seed)
    text = yaml.safe_dump(case.doc, allow_unicode=True, sort_keys=False)
    _note(f"desired:\n{text}")
    options = PlanOptions(allow_deletes=True, disable_instead_of_delete=case.disable)
    want: DesiredDirectory = parse_desired(text, "yaml", source="case.yaml")
    try:
        plan = make_plan(want, read_live(client), options)
    except PlanError as err:
        documented = [r for r in REFUSED if r in str(err)]
        if case.disable and DISABLED_REFUSED in str(err):
            documented.append(DISABLED_REFUSED)
        _event(f"PlanError: {documented}")
        _assume(not documented)
        raise
    _note("plan:\n" + "\n".join(f"{s.id} {s.op} {s.target} {s.params} <- {s.depends_on}"
                               for s in plan.steps))
    _note(f"warnings: {plan.warnings}")
    # documented: a value held by a member that keeps it (its field is not managed) makes the
    # step that takes it fail, with a warning
    refused = [w for w in plan.warnings if "WeCom will refuse it" in w]
    if refused:
        _event("warning: WeCom will refuse it")
    _assume(not refused)
    for step in plan.steps:
        _event(_kind(step, plan.steps))
    bulk = ImportJobRunner(threshold=2, poll_interval=0.01) if case.jobs else None
    report = apply_plan(client, plan, tmp / f"j{next(_journals)}.sqlite", check=False,
                        durable=False, bulk=bulk)
    if report.jobs:
        _event("import job")
    assert report.ok, report.summary()
    again = make_plan(want, read_live(client), options)
    assert again.steps == [], [(s.op, s.target, s.params) for s in again.steps]
    got = emulator_facts(emulator.directory())
    ids = got.pop("ids")
    want_facts = desired_facts(case.doc)
    for userid, fields in case.kept.items():
        want_facts["users"][userid].update(fields)
    live_depts = {d["id"]: d for d in case.seed.get("departments", [])}
    for path, wanted in (want_facts["departments"] or {}).items():
        if wanted is not None and path in ids:  # a field left out keeps the live value
            was = live_depts.get(ids[path], {})
            name_en, order = wanted
            want_facts["departments"][path] = (
                was.get("name_en", "") if name_en is None else name_en,
                was.get("order", 0) if order is None else order)
    if case.disable:  # leavers are disabled and their departments kept
        leavers = set(got["users"]) - set(want_facts["users"])
        assert all(not got["users"][u]["enable"] for u in leavers)
        held = {p for u in leavers for p, _ in got["users"][u]["departments"]}
        got["users"] = {u: f for u, f in got["users"].items() if u not in leavers}
        if want_facts["departments"] is not None:
            extra = set(got["departments"]) - set(want_facts["departments"])
            assert all(any(h == p or h.startswith(f"{p}/") for h in held) for p in extra)
            got["departments"] = {p: v for p, v in got["departments"].items()
                                  if p not in extra}
    assert _unmanaged_left_out(got, want_facts) == want_facts
    for dept in case.doc.get("departments", []):
        if "id" in dept and not any(f"the file says id {dept['id']}," in w
                                    for w in plan.warnings):
            assert ids[dept["path"]] == dept["id"], dept


@settings(max_examples=150, deadline=None, derandomize=True, database=None, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_plan_then_apply_converges_to_the_desired_directory(
    case: Case, wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    converge(wecom_client, wecom_emulator, case, tmp_path)


# --- cases the property found, kept as fixed regression tests --------------------------------


def test_previous_path_names_the_department_that_took_the_old_name_since(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    # 研发 is renamed 销售 and a new 研发 created; on the next run previous_path 总部/研发 is
    # that new department, which must not be matched (it was, and the plan never emptied)
    seed = {"departments": [{"id": 2, "name": "研发", "parentid": 1}]}
    doc = {"departments": [{"path": "总部"}, {"path": "总部/研发"},
                           {"path": "总部/销售", "previous_path": "总部/研发"}], "users": []}
    converge(wecom_client, wecom_emulator, Case(seed, doc, {}, False), tmp_path)
    names = {d["id"]: d["name"] for d in wecom_emulator.directory()["departments"]}
    assert names[2] == "销售"


def test_main_department_stays_when_the_department_list_puts_another_first(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    # a main department never set is the first one: the move must say which stays main
    seed = {"departments": [{"id": 2, "name": "部", "parentid": 1}],
            "users": [{"userid": "a", "name": "A", "department": [1], "mobile": "13800000001"}]}
    doc = {"departments": [{"path": "总部"}, {"path": "总部/部"}],
           "users": [{"userid": "a", "name": "A", "departments": ["总部/部", "总部"],
                      "main_department": "总部", "mobile": "13800000001", "email": "",
                      "position": ""}]}
    converge(wecom_client, wecom_emulator, Case(seed, doc, {}, False), tmp_path)


def test_an_english_name_not_in_the_file_moves_with_its_department(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    # 甲 (name_en X, not managed) moves under 丙 while a new root department takes X: 甲's is
    # cleared first and set again by its move
    seed = {"departments": [{"id": 2, "name": "甲", "name_en": "X", "parentid": 1},
                            {"id": 3, "name": "丙", "parentid": 1}]}
    doc = {"departments": [{"path": "总部"}, {"path": "总部/丙", "id": 3},
                           {"path": "总部/丙/甲", "id": 2}, {"path": "总部/乙", "name_en": "X"}],
           "users": []}
    converge(wecom_client, wecom_emulator, Case(seed, doc, {}, False), tmp_path)
    assert {d["name"]: d.get("name_en") for d in wecom_emulator.directory()["departments"]
            if d["id"] != 1} == {"甲": "X", "乙": "X", "丙": None}


def test_a_chain_of_tag_names_through_a_deleted_tag(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    seed = {"tags": [{"tagid": 1, "tagname": "T1"}, {"tagid": 2, "tagname": "T2"},
                     {"tagid": 3, "tagname": "T3"}]}
    doc = {"users": [], "tags": [{"name": "T2", "id": 1}, {"name": "T3", "id": 2},
                                 {"name": "T1"}]}
    converge(wecom_client, wecom_emulator, Case(seed, doc, {}, False), tmp_path)
    tags = {t["tagname"]: t["tagid"] for t in wecom_emulator.directory()["tags"]}
    assert (tags["T2"], tags["T3"], len(tags)) == (1, 2, 3)  # T1 is a new tag


def test_siblings_that_would_share_an_english_name_are_a_plan_problem() -> None:
    current = LiveDirectory.from_records([
        LiveDepartment(1, ROOT, 0), LiveDepartment(2, "甲", 1, 0, "X"),
        LiveDepartment(3, "乙", 2, 0, "X")])
    moved = f"departments:\n  - {{path: {ROOT}}}\n  - {{path: {ROOT}/甲, id: 2}}\n" \
        f"  - {{path: {ROOT}/乙, id: 3}}\n"  # 乙 keeps X (not in the file) next to 甲
    with pytest.raises(PlanError, match=r"甲 and 总部/乙 would both have name_en 'X' "
                                        r"\(总部/甲 and 总部/乙 keep the English name"):
        make_plan(desired(moved), current, OPTIONS)
    both = f"departments:\n  - {{path: {ROOT}/A, name_en: Y}}\n  - {{path: {ROOT}/B, name_en: Y}}\n"
    with pytest.raises(PlanError, match="would both have name_en 'Y'; WeCom refuses"):
        make_plan(desired(both), current, OPTIONS)


def test_a_disabled_leaver_with_only_the_mobile_another_takes_is_told_apart() -> None:
    current = live([(2, "部", 1)], [
        {"userid": "old", "name": "O", "department": [2], "mobile": "13800000001"},
        {"userid": "new", "name": "N", "department": [2], "email": "n@example.com"}])
    text = ("users:\n  - {userid: new, name: N, departments: [总部/部], "
            "mobile: '13800000001'}\n")
    with pytest.raises(PlanError, match=r"cannot give its mobile to new: it stays in WeCom "
                                        r"\(disabled, or only leaving the managed subtree\)"):
        make_plan(desired(text), current, PlanOptions(disable_instead_of_delete=True))
