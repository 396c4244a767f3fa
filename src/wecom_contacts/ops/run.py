"""run_once: one scheduled sync — source → plan → caps → apply → report → history → notices.

Every outcome is recorded (history row, a 0600 JSON report, an HTML report when there are
changes) and told through the channels; a channel that fails never changes the outcome.
A run that stopped half-way leaves its journal: the next run resumes it before planning.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .._private import write_private
from ..sources import load_source, read_source
from ..sync import (
    BulkRunner,
    CapLimits,
    DesiredDirectory,
    ImportJobRunner,
    Plan,
    PlanOptions,
    ProgressCallback,
    ReadVia,
    apply_plan,
    evaluate_caps,
    make_plan,
    read_journal,
    read_live,
)
from ..sync.files import ApplyFiles
from .fingerprint import RunFingerprint, run_fingerprint
from .history import History
from .html import render_html
from .notice import notice_for
from .notify import Channel, deliver
from .result import EXIT_CODES, RunResult
from .review import review_plan

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["EXIT_CODES", "RunConfig", "RunResult", "SourceShrank", "run_once"]


class SourceShrank(Exception):
    """The source names suspiciously fewer members, departments or tags than the last
    successful run."""


@dataclass
class RunConfig:
    sources: Sequence[Path]
    state_dir: Path  # history.sqlite, run.lock, the journal, reports/
    target: str = ""  # which directory (corp id @ base URL): journals are per source and target
    options: PlanOptions = field(default_factory=PlanOptions)
    caps: CapLimits | None = None  # default: from options
    max_shrink: float = 0.2  # share of members that may go missing since the last good run
    allow_shrink: bool = False
    bulk: BulkRunner | None = field(default_factory=ImportJobRunner)
    read_via: ReadVia = "auto"
    notify_on: frozenset[str] = frozenset(EXIT_CODES) - {"no-changes"}

    @property
    def label(self) -> str:
        return ", ".join(str(Path(p).resolve()) for p in self.sources)

    @property
    def history_path(self) -> Path:
        return self.state_dir / "history.sqlite"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / "run.lock"


def run_once(
    client: Client, config: RunConfig, *, channels: Sequence[Channel] = (),
    classify: Callable[[BaseException], int | None] = lambda exc: None,
    progress: ProgressCallback | None = None, now: Callable[[], float] = time.time,
) -> RunResult:
    """One run; the caller holds the run lock. Never raises for a failed sync (the result
    says so), except KeyboardInterrupt, which is recorded and re-raised."""
    config.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with History(config.history_path) as history:
        run_id = history.start(config.label, now=now())
        result = RunResult(run_id, "failed", 1)
        try:
            _run(client, config, history, result, progress)
        except KeyboardInterrupt:
            result.outcome, result.exit_code = "interrupted", 130
            result.message = "interrupted; the next run resumes the journal"
            _close(config, history, result, channels, now)
            raise
        except SourceShrank as exc:
            result.outcome, result.exit_code, result.message = "source-shrank", 4, str(exc)
        except Exception as exc:  # every failure is recorded and told, then mapped to a code
            result.outcome, result.message = "failed", f"{type(exc).__name__}: {exc}"
            result.exit_code = classify(exc) or EXIT_CODES["failed"]
        _close(config, history, result, channels, now)
        return result


def _journal(config: RunConfig) -> tuple[Path, Path]:
    """The journal `sync apply` of the same files to the same target uses (named alike, in
    the state directory): `sync status FILE` shows a run's apply, and a run finishes an
    apply left half-done by hand, or the other way round."""
    named = ApplyFiles.for_desired([Path(p) for p in config.sources], config.target, None)
    journal = config.state_dir / named.journal.name
    return journal, journal.with_name(journal.name + ".plan.json")


def _discard(journal: Path, plan_file: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(journal) + suffix).unlink(missing_ok=True)
    plan_file.unlink(missing_ok=True)


def _run(client: Client, config: RunConfig, history: History, result: RunResult,
         progress: ProgressCallback | None) -> None:
    journal, plan_file = _journal(config)
    resumed = ""
    if journal.exists() and plan_file.exists() and not read_journal(journal).finished:
        # an earlier run stopped half-way: finish its plan before planning again
        earlier = Plan.from_json(plan_file.read_text(encoding="utf-8"))
        report = apply_plan(client, earlier, journal, resume=True, check=False,
                            bulk=config.bulk, progress=progress, read_via=config.read_via)
        if not report.ok:
            result.outcome, result.exit_code = "partial", EXIT_CODES["partial"]
            result.apply = report.to_dict()
            result.message = (f"resuming the earlier run's plan: {report.failed} step(s) failed, "
                              f"{report.skipped} skipped; the next run resumes it again")
            return
        result.apply = report.to_dict()
        resumed = f"finished the earlier run's plan ({report.done} of {report.total} steps done)"
    _discard(journal, plan_file)
    desired, records = _read_source(config.sources)
    result.fingerprint = fp = run_fingerprint(list(config.sources), desired, records)
    history.set_source(result.run_id, members=fp.members, sha256=fp.sha256,
                       sections=fp.sections())
    _check_shrink(history, config, fp)
    live = read_live(client, subtree=config.options.subtree, via=config.read_via)
    plan = make_plan(desired, live, config.options)
    review = review_plan(plan, live=live, desired=desired)
    verdict = evaluate_caps(plan, config.caps)
    result.counts = {**review.totals(), "api_calls": len(plan.steps),
                     "risky": len(review.risky)}
    result.caps = verdict.to_dict()
    if plan.is_empty:
        result.outcome, result.exit_code = ("applied" if resumed else "no-changes"), 0
        result.message = (f"{resumed}; no further changes" if resumed
                          else "no changes: the live directory matches the source")
        return
    reports = config.state_dir / "reports"
    html = reports / f"run-{result.run_id:06d}.html"
    write_private(html, render_html(review, caps_message=verdict.explain()))
    result.html = str(html)
    if verdict.capped:
        saved = reports / f"run-{result.run_id:06d}.plan.json"
        write_private(saved, plan.to_json())
        result.plan = str(saved)
        result.outcome, result.exit_code = "capped", EXIT_CODES["capped"]
        result.message = (f"{verdict.explain()}. The plan waits for approval: review {html}, "
                          f"then run: wecom-contacts sync apply {saved} --allow-deletes")
        return
    write_private(plan_file, plan.to_json())
    report = apply_plan(client, plan, journal, check=False, bulk=config.bulk,
                        progress=progress, read_via=config.read_via, caps=config.caps)
    result.apply = report.to_dict()
    if report.ok:
        result.outcome, result.exit_code = "applied", 0
        result.message = f"applied: {report.done} of {report.total} steps done"
        _discard(journal, plan_file)
    else:
        result.outcome, result.exit_code = "partial", EXIT_CODES["partial"]
        result.message = (f"{report.failed} step(s) failed and {report.skipped} were skipped "
                          "(see the report); the next run resumes them")


def _read_source(sources: Sequence[Path]) -> tuple[DesiredDirectory, str | None]:
    """Every kind of source `sync plan` takes (a mapping file, a workbook, desired-state
    documents), read completely: SourceError on any row's problem, before anything is sent.
    Returns the desired directory and, for a mapping source, its records' sha256."""
    if len(sources) > 1:
        return load_source(*sources), None
    got = read_source(sources[0])
    got.raise_for_problems()
    return got.directory, got.fingerprint.sha256 if got.fingerprint else None


def _check_shrink(history: History, config: RunConfig, fp: RunFingerprint) -> None:
    """Refuse a source whose members, departments or tags (each section it manages) are
    suspiciously fewer than at the last successful run: a source read short (a wrong query, a
    truncated export) must not be taken for a smaller company."""
    last = history.last_success(config.label)
    if config.allow_shrink or last is None:
        return
    before = dict(last.source_counts)
    if last.source_members:
        before.setdefault("members", last.source_members)  # a run an older version recorded
    now = fp.sections()
    for section, had in before.items():
        count = now.get(section)
        if not had or count is None:
            continue  # the section was empty, or is no longer managed
        missing = had - count
        share = missing / had
        if missing > 0 and share > config.max_shrink:
            raise SourceShrank(
                f"the source names {count} {section}, {missing} ({share:.0%}) fewer than "
                f"the last successful run #{last.id} ({had}), over the "
                f"{config.max_shrink:.0%} limit; nothing was planned. Check the source; to "
                "go ahead pass --allow-shrink (or raise --max-shrink)")


def _close(config: RunConfig, history: History, result: RunResult,
           channels: Sequence[Channel], now: Callable[[], float]) -> None:
    stamp = dt.datetime.fromtimestamp(now(), dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    report = config.state_dir / "reports" / f"run-{result.run_id:06d}-{stamp}.json"
    result.report = str(report)
    write_private(report, json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    if result.outcome in config.notify_on and channels:
        result.deliveries = deliver(channels, notice_for(result, config.label))
        write_private(report, json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    counts = dict(result.counts)
    history.finish(result.run_id, result.outcome, result.exit_code, counts=counts,
                   message=result.message, report=result.report, now=now())
