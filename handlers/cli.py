"""The `moments` command line: console chat, database, touchpoints, exports, filing, digests."""

from __future__ import annotations

import argparse
import contextlib
import csv
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot import text as render
from bot.clock import OffsetClock, SystemClock
from bot.config import Settings, environment
from bot.domain import Platform, Team, TouchpointTemplate
from bot.errors import UserError
from bot.journeys import template_names
from bot.markup import plain
from bot.rulecheck import add_arguments as _add_rulecheck_arguments
from bot.rulecheck import check as _rulecheck
from bot.services import Actor, Services

OPERATOR = Actor("cli", "command line", is_admin=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    settings = Settings.from_env(environment())
    if getattr(args, "db", None):
        settings = _with_db(settings, args.db)
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        result: int = args.run(args, settings)
        return result
    except UserError as err:
        print(f"moments: {plain(err.message)}", file=sys.stderr)
        return 2


def _with_db(settings: Settings, url: str) -> Settings:
    from dataclasses import replace

    return replace(settings, database_url=url)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="moments",
        description="Moments of Truth for frontline teams: log WOW and OW moments, find the "
        "touchpoints that hurt, vote on better responses, adopt them as service standards.",
    )
    sub = p.add_subparsers(title="commands")

    c = sub.add_parser("console", help="chat with the bot in this terminal (no Slack needed)")
    c.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///moments.db)")
    c.add_argument("--template", default="airline", choices=template_names(),
                   help="journey for the console team when it is first created")
    c.add_argument("--tz", default="UTC", help="the console team's IANA timezone")
    c.add_argument("--user", default="you", help="who you are at the start (an admin)")
    c.add_argument("--start", help="pretend the clock starts at this ISO time, e.g. 2026-11-16T09:00Z")
    c.add_argument("--fresh", action="store_true", help="start from an empty SQLite file")
    c.set_defaults(run=_console)

    sv = sub.add_parser("serve", help="run the bot for Slack (HTTP and Socket Mode) and Teams")
    sv.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 opens it)")
    sv.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    sv.add_argument("--db", help="database URL")
    sv.set_defaults(run=_serve)

    db = sub.add_parser("db", help="database maintenance").add_subparsers(title="db commands")
    up = db.add_parser("upgrade", help="apply the migrations (also done on every start)")
    up.add_argument("--db", help="database URL")
    up.set_defaults(run=_db_upgrade)

    tp = sub.add_parser("touchpoints", help="list, import or export a team's journey")
    tps = tp.add_subparsers(title="touchpoint commands")
    for name, run, helptext in (
        ("list", _tp_list, "print the journey"),
        ("export", _tp_export, "write the journey as YAML"),
        ("import", _tp_import, "add or update touchpoints from YAML (by slug, in file order)"),
    ):
        q = tps.add_parser(name, help=helptext)
        _team_args(q)
        if name != "list":
            q.add_argument("file", help="YAML file, or - for stdin/stdout")
        q.set_defaults(run=run)

    ex = sub.add_parser("export", help="export data").add_subparsers(title="exports")
    em = ex.add_parser("moments", help="a team's moments as CSV")
    _team_args(em)
    em.add_argument("--out", default="-", help="CSV file (default stdout)")
    em.set_defaults(run=_export_moments)

    f = sub.add_parser("file", help="file JSON lines {id, text} from stdin; one result per line")
    f.add_argument("--template", required=True, choices=template_names())
    f.add_argument("--learn", help="JSON lines {text, touchpoint, kind} of confirmed filings")
    f.set_defaults(run=_file)

    pv = sub.add_parser("privacy", help="a person's data: export it or erase it")
    pvs = pv.add_subparsers(title="privacy commands")
    for name, run, helptext in (("export", _privacy_export, "print everything stored about a person"),
                                ("delete", _privacy_delete, "erase a person's data (forget-me)")):
        q = pvs.add_parser(name, help=helptext)
        q.add_argument("--db", help="database URL")
        q.add_argument("--workspace", default="console:local", help="PLATFORM:ID of the workspace")
        q.add_argument("--user", required=True, help="the person's user id")
        q.set_defaults(run=run)

    pg = sub.add_parser("purge", help="retention: delete moments older than N months, everywhere")
    pg.add_argument("--db", help="database URL")
    pg.add_argument("--older-than-months", type=int,
                    help="default: MOMENTS_RETENTION_MONTHS")
    pg.set_defaults(run=_purge)

    tp2 = sub.add_parser("teams-package", help="write the Microsoft Teams app package (zip)")
    tp2.add_argument("--out", default=".",
                     help="a folder (created if missing; moments-teams.zip goes inside) or a .zip path")
    tp2.set_defaults(run=_teams_package)

    st = sub.add_parser("status", help="teams, their next weekly posts, and the last posts sent")
    st.add_argument("--db", help="database URL")
    st.set_defaults(run=_status)

    d = sub.add_parser("digest", help="render a team's weekly digest in the terminal")
    _team_args(d)
    d.add_argument("--week", help="ISO week such as 2026-W47 (default: this week)")
    d.add_argument("--preview", action="store_true", help="print it; post nothing (the default)")
    d.set_defaults(run=_digest)

    rules = sub.add_parser("rules", help="the language rules").add_subparsers(title="rules commands")
    rc = rules.add_parser("check", help="keywords and cue words that clash, go unused or are unneeded")
    _add_rulecheck_arguments(rc)
    rc.set_defaults(run=lambda args, settings: _rulecheck(args))
    return p


def _team_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="database URL")
    p.add_argument("--workspace", default="console:local",
                   help="PLATFORM:ID of the workspace (default console:local)")
    p.add_argument("--team", help="team name or channel (default: the only team)")


def _services(settings: Settings, clock: SystemClock | OffsetClock | None = None) -> Services:
    from handlers.bootstrap import build_services

    return build_services(settings, clock=clock or SystemClock())


def _console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands import CommandRouter
    from handlers.console.chat import ConsoleChat

    if args.fresh:
        url = settings.database_url
        if not url.startswith("sqlite:///"):
            raise UserError("--fresh only empties SQLite files; it won't touch " + url)
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    start = _iso(args.start) if args.start else None
    clock = OffsetClock(start)
    services = _services(settings, clock)
    ws = services.store.workspace(platform=Platform.CONSOLE, external_id="local", name="Console")
    admin = Actor(args.user.lower(), args.user, is_admin=True)
    if services.journey.team_for_channel(workspace_id=ws.id, channel="console") is None:
        services.journey.setup_team(workspace_id=ws.id, actor=admin, channel="console",
                                    name="Console team", template=args.template, timezone=args.tz)
    interactive = sys.stdin.isatty()
    chat = ConsoleChat(CommandRouter(services), workspace_id=ws.id, channel="console",
                       out=sys.stdout, advance_clock=clock.advance, user=args.user,
                       echo=not interactive, color=interactive and sys.stdout.isatty())
    chat.run(sys.stdin)
    return 0


def _iso(raw: str) -> datetime:
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"“{raw}” is not an ISO time such as 2026-11-16T09:00Z.") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.bootstrap import build_server
    from handlers.observability import configure_logging
    from handlers.server import run_serve

    configure_logging(settings.log_level)
    return run_serve(build_server(settings, clock=SystemClock()), host=args.host, port=args.port)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage import upgrade

    upgrade(settings.database_url)
    print(f"Database is up to date: {_safe_url(settings.database_url)}")
    return 0


def _safe_url(url: str) -> str:
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, _credentials = head.partition("://")
    return f"{scheme}://…@{tail}"


def _pick_team(services: Services, args: argparse.Namespace) -> tuple[int, Team]:
    platform, _, external = args.workspace.partition(":")
    try:
        kind = Platform(platform)
    except ValueError:
        raise UserError(f"--workspace is PLATFORM:ID with PLATFORM one of "
                        f"{', '.join(p.value for p in Platform)}.") from None
    known = [w for w in services.store.workspaces()
             if w.platform is kind and w.external_id == external]
    if not known:
        raise UserError(f"There is no workspace {args.workspace} in this database yet.")
    ws = known[0]
    teams = services.journey.teams(workspace_id=ws.id)
    if args.team:
        wanted = args.team.lstrip("#").lower()
        teams = [t for t in teams if wanted in (t.name.lower(), t.channel.lower())]
    if len(teams) != 1:
        names = ", ".join(t.name for t in services.journey.teams(workspace_id=ws.id)) or "none"
        raise UserError(f"Say which team with --team (teams: {names}).")
    return ws.id, teams[0]


def _workspace_id(services: Services, spec: str) -> int:
    platform, _, external = spec.partition(":")
    for w in services.store.workspaces():
        if w.platform.value == platform and w.external_id == external:
            return w.id
    raise UserError(f"There is no workspace {spec} in this database.")


def _privacy_export(args: argparse.Namespace, settings: Settings) -> int:
    import json

    services = _services(settings)
    data = services.privacy.export_user(workspace_id=_workspace_id(services, args.workspace),
                                        actor=OPERATOR, user_id=args.user)
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


def _privacy_delete(args: argparse.Namespace, settings: Settings) -> int:
    services = _services(settings)
    counts = services.privacy.delete_user(workspace_id=_workspace_id(services, args.workspace),
                                          actor=OPERATOR, user_id=args.user)
    print(f"Erased {args.user}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    months = args.older_than_months or settings.retention_months
    if not months:
        raise UserError("Say how old: --older-than-months N, or set MOMENTS_RETENTION_MONTHS.")
    services = _services(settings)
    total = sum(services.privacy.purge(workspace_id=w.id, older_than_months=months)
                for w in services.store.workspaces())
    print(f"Deleted {total} moment(s) older than {months} month(s).")
    return 0


def _teams_package(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.teams.package import write_teams_package

    try:
        path = write_teams_package(settings, Path(args.out))
    except ValueError as err:
        raise UserError(str(err)) from None
    print(f"Wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app).")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.status import status_lines

    services = _services(settings)
    print("\n".join(status_lines(services, services.clock.now())))
    return 0


def _tp_list(args: argparse.Namespace, settings: Settings) -> int:
    services = _services(settings)
    ws, team = _pick_team(services, args)
    items = services.journey.touchpoints(workspace_id=ws, team_id=team.id, include_retired=True)
    print(plain(render.touchpoints(items, team).text))
    return 0


def _tp_export(args: argparse.Namespace, settings: Settings) -> int:
    import yaml

    services = _services(settings)
    ws, team = _pick_team(services, args)
    items = services.journey.touchpoints(workspace_id=ws, team_id=team.id, include_retired=True)
    doc = {
        "team": team.name,
        "template": team.template,
        "touchpoints": [
            {"slug": t.slug, "name": t.name, "description": t.description, "emoji": t.emoji,
             "keywords": list(t.keywords), **({"retired": True} if not t.active else {})}
            for t in items
        ],
    }
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    _write(args.file, text)
    return 0


def _tp_import(args: argparse.Namespace, settings: Settings) -> int:
    import yaml

    raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    try:
        doc = yaml.safe_load(raw)
        rows = doc["touchpoints"] if isinstance(doc, dict) else doc
        items = [
            TouchpointTemplate(str(r["slug"]), str(r.get("name") or r["slug"]),
                               str(r.get("description", "")),
                               tuple(str(k) for k in r.get("keywords") or ()),
                               str(r.get("emoji", "")))
            for r in rows
        ]
        retire = tuple(str(r["slug"]) for r in rows if r.get("retired"))
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as err:
        raise UserError(f"That YAML isn't a touchpoint list ({err}). Export one to see the "
                        "shape: `moments touchpoints export -`.") from None
    services = _services(settings)
    ws, team = _pick_team(services, args)
    added, updated = services.journey.import_touchpoints(
        workspace_id=ws, team_id=team.id, actor=OPERATOR, items=items, retire=retire
    )
    print(f"{team.name}: {added} touchpoint(s) added, {updated} updated.")
    return 0


def _export_moments(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    services = _services(settings)
    ws, team = _pick_team(services, args)
    rows = services.reports.export(workspace_id=ws, team_id=team.id)
    with contextlib.ExitStack() as stack:
        out: TextIO = sys.stdout
        if args.out != "-":
            out = stack.enter_context(open(args.out, "w", newline="", encoding="utf-8"))
        writer = csv.writer(out)
        writer.writerow(["id", "created_at", "kind", "touchpoint", "filing", "confidence",
                         "source", "reporter", "credited", "text", "retracted_at"])
        for m, tp in tqdm(rows, desc="moments", unit="row", disable=None, file=sys.stderr):
            writer.writerow([m.id, m.created_at.isoformat(), m.kind.value, tp.slug if tp else "",
                             m.filing.value, f"{m.confidence:.3f}", m.source.value, m.reporter_id,
                             " ".join(m.credited), m.text,
                             m.retracted_at.isoformat() if m.retracted_at else ""])
    return 0


def _file(args: argparse.Namespace, settings: Settings) -> int:
    from bot.filebatch import file_jsonl

    learn: list[str] | None = None
    if args.learn:
        learn = Path(args.learn).read_text(encoding="utf-8").splitlines()
    file_jsonl(sys.stdin, sys.stdout, template=args.template, learn_lines=learn, warn=sys.stderr)
    return 0


def _digest(args: argparse.Namespace, settings: Settings) -> int:
    services = _services(settings)
    ws, team = _pick_team(services, args)
    view = services.reports.digest(workspace_id=ws, team_id=team.id,
                                   week=args.week.upper() if args.week else None)
    print(plain(render.digest(view).text))
    return 0


def _write(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
