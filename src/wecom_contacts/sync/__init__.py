"""Directory sync: desired state (YAML / JSON / CSV) → plan → journaled, resumable apply.

    desired = load_desired("org.yaml")
    live = read_live(client)
    plan = make_plan(desired, live, PlanOptions(protected_users={"admin"}))
    print(render_plan(plan))
    Path("plan.json").write_text(plan.to_json())
    report = apply_plan(client, Plan.from_json(Path("plan.json").read_text()), "apply.journal")

or, from files as `wecom-contacts sync plan / apply / status` do it (saved-plan detection, the
journal path and resume handled once, here):

    plan = plan_from_files(client, ["org.yaml"])
    done = apply_sources(client, ["org.yaml"])          # or a plan saved with Plan.to_json()
    state = apply_status(["org.yaml"], target=f"{client.corp_id}@{client.base_url}")

See docs/sync.md for the file format, the planning rules and the apply guarantees.
"""

from .apply.apply import DEFAULT_BULK, ProgressCallback, apply_plan, check_drift, plan_and_apply
from .apply.bulk import DEFAULT_THRESHOLD, BulkRunner, ImportJobRunner, StepOutcome
from .apply.journal import JournalState, read_journal
from .apply.report import ApplyReport, ProgressEvent, StepFailure
from .commands import FileApply, apply_sources, apply_status, plan_from_files
from .desired.derive import with_departments_from_members
from .desired.document import EXPORT_FORMATS, directory_document, dump_directory
from .desired.model import (
    DesiredDepartment,
    DesiredDirectory,
    DesiredTag,
    DesiredUser,
    Membership,
)
from .desired.sources import load_desired, parse_desired
from .errors import (
    ApplyInterrupted,
    DeletionCapError,
    DesiredStateError,
    DriftError,
    JournalError,
    PlanError,
    SyncError,
)
from .live.details import READ_VIA, ReadVia
from .live.model import LiveDepartment, LiveDirectory, LiveTag, LiveUser, user_from_wire
from .live.read import export_directory, read_live
from .plan.caps import CapLimits, CapVerdict, evaluate_caps
from .plan.make import make_plan
from .plan.render import render_plan
from .plan.scope import fingerprint, scope_for
from .plan.types import Plan, PlanOptions, Step

__all__ = [
    "DEFAULT_BULK",
    "DEFAULT_THRESHOLD",
    "EXPORT_FORMATS",
    "READ_VIA",
    "ApplyInterrupted",
    "ApplyReport",
    "BulkRunner",
    "CapLimits",
    "CapVerdict",
    "DeletionCapError",
    "DesiredDepartment",
    "DesiredDirectory",
    "DesiredStateError",
    "DesiredTag",
    "DesiredUser",
    "DriftError",
    "FileApply",
    "ImportJobRunner",
    "JournalError",
    "JournalState",
    "LiveDepartment",
    "LiveDirectory",
    "LiveTag",
    "LiveUser",
    "Membership",
    "Plan",
    "PlanError",
    "PlanOptions",
    "ProgressCallback",
    "ProgressEvent",
    "ReadVia",
    "Step",
    "StepFailure",
    "StepOutcome",
    "SyncError",
    "apply_plan",
    "apply_sources",
    "apply_status",
    "check_drift",
    "directory_document",
    "dump_directory",
    "evaluate_caps",
    "export_directory",
    "fingerprint",
    "load_desired",
    "make_plan",
    "parse_desired",
    "plan_and_apply",
    "plan_from_files",
    "read_journal",
    "read_live",
    "render_plan",
    "scope_for",
    "user_from_wire",
    "with_departments_from_members",
]
