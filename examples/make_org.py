"""Generates examples/org.yaml (a ~200-person company) and org-v2.yaml (its reorganisation).

Deterministic: running it again writes the same files. ``python examples/make_org.py``.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DOMAIN = "yunfan-tech.example.com"

# (path under 总部, English name, headcount, positions for members, leader's title)
DEPARTMENTS: list[tuple[str, str, int, tuple[str, ...], str]] = [
    ("总经办", "CEO Office", 4, ("总裁助理", "战略分析师"), "首席执行官"),
    ("研发中心", "R&D Center", 2, ("技术专家",), "首席技术官"),
    ("研发中心/平台研发部", "Platform Engineering", 26, ("后端工程师", "高级后端工程师", "架构师"),
     "平台研发总监"),
    ("研发中心/移动研发部", "Mobile Engineering", 18, ("iOS工程师", "Android工程师", "前端工程师"),
     "移动研发经理"),
    ("研发中心/数据智能部", "Data Intelligence", 14, ("算法工程师", "数据工程师", "数据分析师"),
     "数据智能总监"),
    ("研发中心/质量保障部", "Quality Assurance", 10, ("测试工程师", "测试开发工程师"), "质量经理"),
    ("产品中心", "Product Center", 2, ("产品总监助理",), "首席产品官"),
    ("产品中心/产品设计部", "Product Design", 14, ("产品经理", "交互设计师", "视觉设计师"),
     "产品设计经理"),
    ("产品中心/用户研究部", "User Research", 6, ("用户研究员",), "用户研究经理"),
    ("市场营销中心", "Marketing Center", 2, ("市场专员",), "市场副总裁"),
    ("市场营销中心/品牌市场部", "Brand Marketing", 10, ("品牌经理", "文案策划"), "品牌总监"),
    ("市场营销中心/数字营销部", "Digital Marketing", 10, ("增长运营", "内容运营", "SEM专员"),
     "数字营销经理"),
    ("销售中心", "Sales Center", 2, ("销售运营",), "销售副总裁"),
    ("销售中心/华东销售部", "East China Sales", 18, ("客户经理", "高级客户经理"), "华东区总监"),
    ("销售中心/华南销售部", "South China Sales", 16, ("客户经理", "高级客户经理"), "华南区总监"),
    ("销售中心/华北销售部", "North China Sales", 10, ("客户经理", "高级客户经理"), "华北区总监"),
    ("销售中心/客户成功部", "Customer Success", 14, ("客户成功经理", "技术支持工程师"),
     "客户成功总监"),
    ("人力资源部", "Human Resources", 8, ("HRBP", "招聘专员", "薪酬专员"), "人力资源总监"),
    ("财务部", "Finance", 7, ("会计", "出纳", "财务分析师"), "财务总监"),
    ("行政部", "Administration", 6, ("行政专员", "IT运维工程师"), "行政经理"),
]
SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
            ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
            ("徐", "xu"), ("孙", "sun"), ("胡", "hu"), ("朱", "zhu"), ("高", "gao"),
            ("林", "lin"), ("何", "he"), ("郭", "guo"), ("马", "ma"), ("罗", "luo")]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
         ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
         ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"),
         ("超", "chao"), ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
         ("子涵", "zihan"), ("浩然", "haoran"), ("欣怡", "xinyi"), ("宇轩", "yuxuan"),
         ("思远", "siyuan"), ("雨桐", "yutong"), ("晨", "chen"), ("博文", "bowen")]
ENGLISH = ["Alex", "Amy", "Ben", "Cathy", "David", "Eric", "Grace", "Helen", "Ivan", "Jack",
           "Kevin", "Lily", "Mia", "Nina", "Oscar", "Peter", "Rita", "Sam", "Tina", "Vicky"]


def _person(rng: random.Random, taken: set[str], mobiles: set[str]) -> dict[str, Any]:
    while True:
        (sz, sp), (gz, gp) = rng.choice(SURNAMES), rng.choice(GIVEN)
        userid = f"{gp}.{sp}"
        suffix = 2
        while userid in taken:
            userid, suffix = f"{gp}.{sp}{suffix}", suffix + 1
        mobile = f"138{rng.randrange(10**8):08d}"
        if mobile not in mobiles:
            break
    taken.add(userid)
    mobiles.add(mobile)
    person: dict[str, Any] = {"userid": userid, "name": sz + gz}
    if rng.random() < 0.3:
        person["alias"] = rng.choice(ENGLISH)
    person["gender"] = rng.choice(["male", "female"])
    person["mobile"] = mobile
    person["email"] = f"{userid}@{DOMAIN}"
    return person


def build() -> dict[str, Any]:
    rng = random.Random(20240601)
    taken: set[str] = set()
    mobiles: set[str] = set()
    departments: list[dict[str, Any]] = [{"path": "总部"}]
    users: list[dict[str, Any]] = []
    heads: dict[str, str] = {}
    for order, (path, name_en, count, titles, head_title) in enumerate(DEPARTMENTS):
        full = f"总部/{path}"
        departments.append({"path": full, "name_en": name_en, "order": 1000 - order * 10})
        parent_head = heads.get(full.rsplit("/", 1)[0])
        for i in range(count):
            person = _person(rng, taken, mobiles)
            if i == 0:
                heads[full] = person["userid"]
                person["position"] = head_title
                person["departments"] = [{"department": full, "leader": True}]
                if parent_head:
                    person["direct_leader"] = [parent_head]
            else:
                person["position"] = rng.choice(titles)
                person["departments"] = [full]
                person["direct_leader"] = [heads[full]]
            if rng.random() < 0.25:
                person["telephone"] = f"021-6{rng.randrange(10**7):07d}"
            users.append(person)
    ceo = heads["总部/总经办"]
    for user in users:  # top-level heads report to the CEO
        if user["userid"] != ceo and "direct_leader" not in user:
            user["direct_leader"] = [ceo]
    # the CTO also sits on the product centre's leadership
    cto = next(u for u in users if u["userid"] == heads["总部/研发中心"])
    cto["departments"].append("总部/产品中心")
    it_admin = next(u for u in users if u["position"] == "IT运维工程师")
    it_admin["position"] = "IT管理员"
    seniors = [u["userid"] for u in users if u["position"] in ("架构师", "技术专家", "算法工程师")]
    tags = [
        {"name": "管理层", "users": sorted(heads.values())},
        {"name": "技术委员会", "users": sorted([*seniors[:8], heads["总部/研发中心"]])},
        {"name": "全体销售", "departments": ["总部/销售中心"]},
        {"name": "华北区域", "departments": ["总部/销售中心/华北销售部"]},
        {"name": "新员工", "users": sorted(u["userid"] for u in users[-6:])},
    ]
    return {"version": 1, "departments": departments, "users": users, "tags": tags}


def reorganise(doc: dict[str, Any]) -> dict[str, Any]:
    """v2: a department renamed, one moved, one removed, people moved, joiners and leavers."""
    v2 = copy.deepcopy(doc)
    rng = random.Random(20250101)

    def rename(old: str, new: str) -> None:
        for user in v2["users"]:
            user["departments"] = [
                {**d, "department": d["department"].replace(old, new)} if isinstance(d, dict)
                else d.replace(old, new) for d in user["departments"]]
        for tag in v2["tags"]:
            if "departments" in tag:
                tag["departments"] = [d.replace(old, new) for d in tag["departments"]]

    ai = next(d for d in v2["departments"] if d["path"].endswith("数据智能部"))
    ai.update(path="总部/研发中心/人工智能部", name_en="AI Lab", previous_path=ai["path"])
    rename("总部/研发中心/数据智能部", "总部/研发中心/人工智能部")
    ur = next(d for d in v2["departments"] if d["path"].endswith("用户研究部"))
    ur.update(path="总部/市场营销中心/用户研究部", previous_path=ur["path"])
    rename("总部/产品中心/用户研究部", "总部/市场营销中心/用户研究部")
    north = "总部/销售中心/华北销售部"
    v2["departments"] = [d for d in v2["departments"] if d["path"] != north]
    v2["tags"] = [t for t in v2["tags"] if t["name"] != "华北区域"]
    east_head = next(u["userid"] for u in v2["users"]
                     if u["departments"][0] == {"department": "总部/销售中心/华东销售部",
                                                "leader": True})
    north_people = [u for u in v2["users"] if _first(u) == north]
    leavers = {u["userid"] for u in north_people[:2]}
    for user in north_people[2:]:
        user["departments"] = ["总部/销售中心/华东销售部"]
        user["direct_leader"] = [east_head]
    # ten engineers and analysts change teams
    platform_head = next(u["userid"] for u in v2["users"] if u.get("position") == "平台研发总监")
    movers = [u for u in v2["users"] if _first(u) == "总部/研发中心/移动研发部"
              and "leader" not in str(u["departments"])][:5]
    movers += [u for u in v2["users"] if _first(u) == "总部/研发中心/质量保障部"
               and "leader" not in str(u["departments"])][:5]
    for user in movers:
        user["departments"] = ["总部/研发中心/平台研发部"]
        user["direct_leader"] = [platform_head]
    leavers |= {u["userid"] for u in rng.sample(
        [u for u in v2["users"] if _first(u) == "总部/销售中心/华南销售部"][1:], 2)}
    v2["users"] = [u for u in v2["users"] if u["userid"] not in leavers]
    for tag in v2["tags"]:
        if "users" in tag:
            tag["users"] = [u for u in tag["users"] if u not in leavers]
    taken = {u["userid"] for u in doc["users"]}
    mobiles = {u["mobile"] for u in doc["users"]}
    joiners = []
    for dept, title in [("总部/研发中心/人工智能部", "算法工程师"),
                        ("总部/研发中心/平台研发部", "后端工程师"),
                        ("总部/销售中心/客户成功部", "客户成功经理"),
                        ("总部/人力资源部", "招聘专员"),
                        ("总部/市场营销中心/用户研究部", "用户研究员")]:
        person = _person(rng, taken, mobiles)
        person.update(position=title, departments=[dept])
        joiners.append(person)
    v2["users"] += joiners
    newcomers = next(t for t in v2["tags"] if t["name"] == "新员工")
    newcomers["users"] = sorted(u["userid"] for u in joiners)
    return v2


def _first(user: dict[str, Any]) -> str:
    first = user["departments"][0]
    return str(first["department"] if isinstance(first, dict) else first)


class _Dumper(yaml.SafeDumper):
    pass


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, (dict, list)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _list)


def write(path: Path, doc: dict[str, Any], title: str) -> None:
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(f"# {title}\n# Generated by examples/make_org.py; see docs/sync.md for the "
                    f"format.\n{body}", encoding="utf-8")


if __name__ == "__main__":
    org = build()
    write(HERE / "org.yaml", org, f"云帆科技 (Yunfan Tech): {len(org['users'])} people, "
          f"{len(org['departments']) - 1} departments below the root")
    write(HERE / "org-v2.yaml", reorganise(org), "云帆科技 after the reorganisation: 数据智能部 "
          "renamed 人工智能部, 用户研究部 moved to marketing, 华北销售部 closed, 10 engineers "
          "moved, 5 joiners, 4 leavers, tags updated")
