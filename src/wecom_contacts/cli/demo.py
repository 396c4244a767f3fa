"""`wecom-contacts demo`: emulator → apply a company → reorganise it → the callbacks received."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..callback import CallbackEvent
from ..client import Client
from ..sync import apply_plan, load_desired, make_plan, read_live, render_plan
from ..testing import CallbackInbox, EmulatorControl
from . import _render as render
from ._errors import usage_error
from .callback import event_line

__all__ = ["demo"]

# links to examples/org*.yaml in a checkout; the files themselves in an installed wheel
EXAMPLES = Path(__file__).parent / "demo_data"


def _say(out: Console, text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _sync(out: Console, client: Client, source: Path, journal: Path, *, show_plan: bool) -> None:
    desired = load_desired(source)
    below_root = sum(1 for d in desired.departments or () if len(d.path) > 1)
    people, tags = len(desired.users or ()), len(desired.tags or ())
    _say(
        out, f"{source.name}: {people} people, {below_root} departments below the root, {tags} tags"
    )
    plan = make_plan(desired, read_live(client))
    if show_plan:
        _say(out, render_plan(plan).rstrip("\n") + "\n")
    report = apply_plan(client, plan, journal, check=False)
    _say(out, report.summary())


def _settled(inbox: CallbackInbox) -> int:
    """How many events arrived once every delivery so far has been made."""
    return len(inbox.wait())


def _kind(event: CallbackEvent) -> str:
    return str(event.raw.get("ChangeType") or event.raw.get("Event") or "?")


def _events(
    out: Console, inbox: CallbackInbox, split: int, names: tuple[str, str], sample: int
) -> None:
    total = _settled(inbox)
    first = Counter(_kind(e) for e in inbox.events[:split])
    second = Counter(_kind(e) for e in inbox.events[split:total])
    rows = [(kind, first[kind], second[kind]) for kind in sorted(first | second)]
    _say(out, f"The receiver got {total} events, decrypted and checked:")
    out.print(render.table(("change", *names), rows))
    if sample:
        _say(out, f"The last {min(sample, total)}, as `callback serve` prints them:")
    for event in inbox.events[total - sample : total] if sample else []:
        _say(out, event_line(event))


def demo(
    # show_default: the real default is an absolute path that depends on the installation.
    org: Annotated[Path, typer.Option("--org", help="The company to create.",
                                      show_default="examples/org.yaml")] = EXAMPLES / "org.yaml",
    org_v2: Annotated[Path, typer.Option("--org-v2", help="Its reorganisation.",
                                         show_default="examples/org-v2.yaml")] = EXAMPLES
    / "org-v2.yaml",
    events: Annotated[int, typer.Option("--events", help="How many events to print.")] = 8,
) -> None:
    """Tour the toolkit on an embedded emulator (under a minute).

    Applies a company of about 200 people, prints its tree, shows the plan of a
    reorganisation and applies it, then lists the callback events a receiver got.
    """
    from ..emulator import EmulatorServer

    for path in (org, org_v2):
        if not path.is_file():
            raise usage_error(f"{path} not found; pass --org / --org-v2")
    started = time.monotonic()
    out = render.console()
    with EmulatorServer() as server, tempfile.TemporaryDirectory() as tmp:
        config = server.config
        out.rule("1. The emulator")
        _say(out, f"WeCom emulator at {server.base_url} (corp {config.corp_id})")
        control = EmulatorControl(server.base_url, corp_id=config.corp_id, secret=config.secret)
        # the demo applies through the contacts-sync secret and wants to see its own changes
        with control, control.receive_callbacks(echo_own_changes=True) as inbox:
            with Client(config.corp_id, config.secret, base_url=server.base_url) as client:
                out.rule(f"2. Apply {org.name}")
                _sync(out, client, org, Path(tmp) / "org.journal", show_plan=False)
                out.print(render.department_tree(client.departments.list()))
                split = _settled(inbox)
                out.rule(f"3. Reorganise: the plan for {org_v2.name}, then apply it")
                _sync(out, client, org_v2, Path(tmp) / "org-v2.journal", show_plan=True)
                out.print(render.department_tree(client.departments.list()))
            out.rule("4. Callback events")
            _events(out, inbox, split, (org.name, org_v2.name), events)
    out.print(f"\nDone in {time.monotonic() - started:.1f}s.")
