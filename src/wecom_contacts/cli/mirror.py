"""`wecom-contacts mirror sync / serve`: copy WeCom into SQL or LDAP, once or continuously."""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from ..mirror import (
    DeletionCap,
    IncompleteReadError,
    MirrorDeletionCapError,
    SchemaError,
    Target,
    TargetError,
    TargetURLError,
    mirror_sync,
    open_target,
    render_diff,
)
from ..sync import READ_VIA
from ._context import use
from ._errors import EXIT_REFUSED, EXIT_TRANSPORT, CliFailure, usage_error

__all__ = ["app"]

app = typer.Typer(help="Mirror WeCom into SQL or LDAP (通讯录镜像).", no_args_is_help=True)

TargetURL = Annotated[str, typer.Option(
    "--target", metavar="URL", envvar="WECOM_MIRROR_TARGET",
    help="sqlite:///mirror.db, postgresql+psycopg://user@host/db, or ldap(s)://host.")]
AllowDeletes = Annotated[bool, typer.Option("--allow-deletes", help="Lift the deletion cap.")]
MaxDeletes = Annotated[int, typer.Option("--max-deletes", help="Deletion cap.")]
MaxRatio = Annotated[float, typer.Option(
    "--max-delete-ratio", help="Deletion cap as a share of what the target holds.")]
Via = Annotated[str, typer.Option(
    "--via", help="How to read WeCom: auto (lists, export jobs on 48009), lists, export.")]
BindDN = Annotated[str | None, typer.Option("--ldap-bind-dn", envvar="WECOM_LDAP_BIND_DN",
                                            help="LDAP: the DN to bind as.")]
BindPassword = Annotated[str | None, typer.Option(
    "--ldap-password", envvar="WECOM_LDAP_PASSWORD", help="LDAP: the bind password.")]
BaseDN = Annotated[str | None, typer.Option("--ldap-base-dn", envvar="WECOM_LDAP_BASE_DN",
                                            help="LDAP: the entry the tree goes under.")]
Leavers = Annotated[str, typer.Option(
    "--ldap-leavers", help="LDAP: what happens to members who leave WeCom: disable (keep the "
    "entry, mark it) or move (to the former OU).")]
Mapping = Annotated[Path | None, typer.Option(
    "--ldap-mapping", metavar="FILE", help="LDAP: JSON/YAML file with dn_template and "
    "attributes (see docs/mirror.md).")]
Journal = Annotated[Path | None, typer.Option(
    "--ldap-journal", metavar="FILE", help="LDAP: journal file (default: beside the current "
    "directory, named after the target).")]


def _cap(allow: bool, max_deletes: int, ratio: float) -> DeletionCap:
    return DeletionCap(max_deletes=max_deletes, max_delete_ratio=ratio, allow_deletes=allow)


def _via(via: str) -> Any:
    if via not in READ_VIA:
        raise usage_error(f"--via must be one of {', '.join(READ_VIA)}, not {via!r}")
    return via


def _ldap_options(url: str, bind_dn: str | None, password: str | None, base_dn: str | None,
                  leavers: str, mapping: Path | None, journal: Path | None) -> dict[str, Any]:
    if not url.lower().startswith(("ldap://", "ldaps://")):
        return {}
    options: dict[str, Any] = {"bind_dn": bind_dn, "password": password, "base_dn": base_dn,
                               "leavers": leavers, "journal": journal}
    if mapping is not None:
        from ..mirror.ldap_map import load_mapping

        try:
            options["mapping"] = load_mapping(mapping)
        except ValueError as exc:
            raise usage_error(f"--ldap-mapping {mapping}: {exc}") from None
    return {k: v for k, v in options.items() if v is not None}


@contextmanager
def _mirror_errors() -> Any:
    try:
        yield
    except TargetURLError as exc:
        raise usage_error(str(exc)) from None
    except (IncompleteReadError, MirrorDeletionCapError, SchemaError) as exc:
        raise CliFailure(str(exc), EXIT_REFUSED) from None
    except TargetError as exc:
        raise CliFailure(f"target failed: {exc}", EXIT_TRANSPORT) from None


def _open(url: str, options: dict[str, Any]) -> Target:
    with _mirror_errors():
        return open_target(url, **options)


@app.command("sync")
def sync(
    ctx: typer.Context,
    target: TargetURL,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the diff; write nothing.")
                       ] = False,
    allow_deletes: AllowDeletes = False,
    max_deletes: MaxDeletes = 50,
    max_delete_ratio: MaxRatio = 0.10,
    via: Via = "auto",
    bind_dn: BindDN = None, password: BindPassword = None, base_dn: BaseDN = None,
    leavers: Leavers = "disable", mapping: Mapping = None, journal: Journal = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One full pass: read WeCom whole, diff against the target, write only what changed.

    Exit 4 when the read was incomplete or the deletions exceed the cap (nothing written),
    3 when the target cannot be reached or refuses a write.
    """
    state = use(ctx, as_json)
    client = state.client()
    tgt = _open(target, _ldap_options(target, bind_dn, password, base_dn, leavers, mapping,
                                      journal))
    try:
        with _mirror_errors():
            report = mirror_sync(client, tgt, dry_run=dry_run, via=_via(via),
                                 cap=_cap(allow_deletes, max_deletes, max_delete_ratio))
    finally:
        tgt.close()
    if state.json:
        typer.echo(json.dumps({**report.to_dict(), "target": tgt.description,
                               "diff": render_diff(report.diff).splitlines()},
                              ensure_ascii=False))
        return
    typer.echo(render_diff(report.diff))
    verb = "would write" if dry_run else "wrote"
    typer.echo(f"{tgt.description}: {verb} {len(report.diff)} change(s) "
               f"(read {report.read_seconds:.1f} s, write {report.write_seconds:.1f} s)",
               err=True)


@app.command("serve")
def serve(
    ctx: typer.Context,
    target: TargetURL,
    token: Annotated[str, typer.Option("--token", envvar="WECOM_CALLBACK_TOKEN",
                                       help="The callback Token.")],
    aes_key: Annotated[str, typer.Option("--aes-key", envvar="WECOM_CALLBACK_AES_KEY",
                                         help="The 43-character EncodingAESKey.")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    reconcile_interval: Annotated[float, typer.Option(
        "--reconcile-interval", metavar="SECONDS", min=1,
        help="Seconds between full reconciles (the first runs at start).")] = 600.0,
    retry_interval: Annotated[float, typer.Option(
        "--retry-interval", metavar="SECONDS", min=0.1,
        help="Seconds between retries of kept events.")] = 5.0,
    queue: Annotated[Path, typer.Option(
        "--queue", metavar="FILE", help="Where events that could not be applied wait (0600).")
    ] = Path("mirror-queue.sqlite"),
    redis_url: Annotated[str | None, typer.Option(
        "--redis", metavar="URL", envvar="WECOM_REDIS_URL",
        help="Share callback de-duplication and elect one reconcile leader among several "
        "mirror serve processes.")] = None,
    fleet_name: Annotated[str, typer.Option(
        "--fleet-name", help="Name of the leader lock (one per mirrored target).")] = "default",
    leader_ttl: Annotated[float, typer.Option(
        "--leader-ttl", metavar="SECONDS", min=1,
        help="Seconds a dead leader keeps the lock.")] = 30.0,
    max_age: Annotated[float, typer.Option("--max-age",
                                           help="Seconds a signed timestamp may be off.")] = 300,
    allow_deletes: AllowDeletes = False,
    max_deletes: MaxDeletes = 50,
    max_delete_ratio: MaxRatio = 0.10,
    via: Via = "auto",
    bind_dn: BindDN = None, password: BindPassword = None, base_dn: BaseDN = None,
    leavers: Leavers = "disable", mapping: Mapping = None, journal: Journal = None,
) -> None:
    """Receive WeCom's contact-change callbacks and apply each to the target; reconcile
    periodically. GET /_mirror/status reports counters, the queue and the last drift."""
    import uvicorn

    from ..callback import CallbackCrypto
    from ..mirror.app import make_mirror_app
    from ..mirror.leader import Leadership, RedisLeadership, SoleLeadership
    from ..mirror.queue import EventQueue
    from ..mirror.service import MirrorService

    state = use(ctx)
    client = state.client()
    corp_id = state.settings().corp_id
    if not corp_id:
        raise usage_error("give --corp-id (the receiver id every message must end with)")
    try:
        crypto = CallbackCrypto(token, aes_key, receive_id=corp_id)
    except ValueError as exc:
        raise usage_error(f"--token / --aes-key: {exc}") from None
    tgt = _open(target, _ldap_options(target, bind_dn, password, base_dn, leavers, mapping,
                                      journal))
    dedup: Any = None
    leadership: Leadership = SoleLeadership()
    if redis_url:
        try:
            from ..redis import RedisDedupStore
        except ImportError:
            raise usage_error("--redis needs the redis extra: pip install "
                              "'wecom-contacts[redis]'") from None
        dedup = RedisDedupStore.from_url(redis_url, prefix=f"mirror:{fleet_name}:")
        leadership = RedisLeadership(redis_url, name=fleet_name, ttl=leader_ttl)
    service = MirrorService(client, tgt, EventQueue(queue), reconcile_interval=reconcile_interval,
                            retry_interval=retry_interval, leadership=leadership, via=_via(via),
                            cap=_cap(allow_deletes, max_deletes, max_delete_ratio))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per WeCom call is noise
    asgi = make_mirror_app(service, crypto, dedup=dedup, max_age=max_age)
    try:
        uvicorn.run(asgi, host=host, port=port, log_level="warning")
    finally:
        service.queue.close()
        tgt.close()
