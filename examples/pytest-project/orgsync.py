"""The job under test: keep WeCom equal to a desired-state file, refusing mass deletions."""

from __future__ import annotations

from pathlib import Path

from wecom_contacts import Client
from wecom_contacts.sync import PlanOptions, load_desired, plan_and_apply


def sync_org(client: Client, desired: Path, journal: Path) -> dict[str, int]:
    """Plan and apply; returns the planned steps by operation (empty when already equal)."""
    plan, report = plan_and_apply(
        client, load_desired(desired), journal, PlanOptions(max_deletes=5)
    )
    if not report.ok:
        raise RuntimeError(report.summary())
    return dict(plan.counts())


if __name__ == "__main__":
    import sys

    with Client.from_env() as wecom:
        print(sync_org(wecom, Path(sys.argv[1]), Path("orgsync.journal")))
