"""``make demo``: start the embedded emulator, build a small department tree, print it."""

from __future__ import annotations

import time
from collections.abc import Sequence

from .client import Client
from .models.departments import Department

TREE: Sequence[tuple[str, str, str | None]] = (
    # (name, English name, parent name; None = the root department)
    ("研发中心", "R&D", None),
    ("平台组", "Platform", "研发中心"),
    ("客户端组", "Clients", "研发中心"),
    ("销售部", "Sales", None),
    ("华东大区", "East China", "销售部"),
    ("华南大区", "South China", "销售部"),
    ("人力资源部", "HR", None),
)


def render_tree(departments: Sequence[Department]) -> str:
    """An indented tree, children in WeCom's order (larger ``order`` first)."""
    children: dict[int, list[Department]] = {}
    for dept in departments:
        children.setdefault(dept.parent_id, []).append(dept)
    lines: list[str] = []

    def walk(parent: int, depth: int) -> None:
        for dept in sorted(children.get(parent, []), key=lambda d: (-d.order, d.id)):
            english = f" ({dept.name_en})" if dept.name_en else ""
            lines.append(f"{'    ' * depth}{dept.name}{english}  [id {dept.id}]")
            walk(dept.id, depth + 1)

    known = {d.id for d in departments}
    for root in sorted((d for d in departments if d.parent_id not in known), key=lambda d: d.id):
        lines.append(f"{root.name}  [id {root.id}]")
        walk(root.id, 1)
    return "\n".join(lines)


def main() -> None:
    from .emulator import EmulatorServer

    started = time.monotonic()
    with EmulatorServer() as server:
        config = server.config
        print(f"emulator running at {server.base_url} (corp {config.corp_id})")
        with Client(config.corp_id, config.secret, base_url=server.base_url) as client:
            ids: dict[str | None, int] = {None: 1}
            for index, (name, name_en, parent) in enumerate(TREE):
                # Larger order sorts first in WeCom: keep the listed order.
                ids[name] = client.departments.create(
                    name, ids[parent], name_en=name_en, order=len(TREE) - index
                )
                print(f"created {name} (id {ids[name]})")
            client.departments.update(ids["客户端组"], name="移动端组", name_en="Mobile")
            print("renamed 客户端组 → 移动端组")
            print()
            print(render_tree(client.departments.list()))
    print(f"\ndone in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
