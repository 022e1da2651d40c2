"""Load benchmark: signed Slack requests over HTTP into `moments serve` replicas on PostgreSQL.

    .venv/bin/python bench/load.py [--requests 600] [--concurrency 1,10,50,100] [--replicas 1,2]

It starts a local stand-in for the Slack Web API, a throwaway PostgreSQL database, N replicas of
`moments serve` (and, as the baseline, a bare Bolt app with a no-op handler), then sends a mix of
slash commands, reaction events and retried deliveries at rising concurrency. It prints
throughput, p50/p99 time to acknowledgement, errors, redeliveries told to come back later (503),
peak memory per server process, the servers' CPU per request (the work after the ack included)
and, while the acks were sent, the answering loop's CPU per request and how busy it was,
and the number of moments stored against the number acknowledged (each must be stored exactly
once), with how long it took until the last was stored: the work after the ack can run behind
the acks in a burst, and moments/s is the rate the work kept. End to end: until every moment is
stored and every slash command's confirmation has reached the stand-in (a reaction's moment is
confirmed later, once the history queue has read its message, and is not waited for).
Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
TEAM = "TBENCH01"
CHANNEL = "CBENCH01"
ADMIN_URL = os.environ.get("MOMENTS_TEST_DATABASE_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _WebApi(BaseHTTPRequestHandler):
    latency = 0.0  # --api-latency: seconds before each answer, as a Slack far from the server
    confirmed = 0  # response_url posts answered (a command's confirmation)
    confirmed_at = 0.0  # time.monotonic() of the last
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.latency:
            time.sleep(self.latency)
        method = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        if method == "response":
            with _WebApi.lock:
                _WebApi.confirmed += 1
                _WebApi.confirmed_at = time.monotonic()
        body: dict[str, object] = {"ok": True}
        if method == "auth.test":
            body.update(user_id="UBOT", bot_id="BBOT", team_id=TEAM, team="Bench")
        if method == "chat.getPermalink":
            body["permalink"] = "https://example.invalid/archives/C/p1"
        if method == "conversations.history":
            body["messages"] = [{"ts": "1.1", "user": "U2", "text": "the baggage belt broke"}]
        if method == "users.info":
            body["user"] = {"id": "U1", "is_admin": False, "is_owner": False, "name": "u"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - the async client reads (users.info) with GET, as Slack allows
        if self.path == "/_bench/confirmed":
            with _WebApi.lock:
                data = json.dumps({"confirmed": _WebApi.confirmed, "at": _WebApi.confirmed_at}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.do_POST()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def web_api() -> Iterator[str]:
    """The stand-in Web API, in a process of its own (as Slack is): in the load generator's
    process its threads would take the interpreter lock from the generator while Moments sends
    its replies, and not while the bare app (which sends none) runs, slowing Moments' side
    alone. Its latency is ``_WebApi.latency``; ``confirmed()`` asks it what it took."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--stand-in", str(port),
                             "--api-latency", str(_WebApi.latency)])
    global _STAND_IN
    _STAND_IN = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the stand-in Web API did not start") from None
                time.sleep(0.1)
        yield f"{_STAND_IN}/api/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


_STAND_IN = ""


def confirmed() -> tuple[int, float]:
    """Commands' confirmations (response_url posts) the stand-in answered, and when the last was
    (time.monotonic(), the same clock in every process)."""
    with urlopen(f"{_STAND_IN}/_bench/confirmed", timeout=10) as resp:  # noqa: S310 - 127.0.0.1
        found = json.loads(resp.read())
    return int(found["confirmed"]), float(found["at"])


def serve_stand_in(port: int) -> int:
    server = ThreadingHTTPServer(("127.0.0.1", port), _WebApi)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    return 0


@contextmanager
def throwaway_database() -> Iterator[str]:
    name = f"moments_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def seed(url: str) -> None:
    """A Slack workspace with one team in the benchmark channel."""
    sys.path.insert(0, str(ROOT))
    from bot.clock import SystemClock
    from bot.domain import Platform
    from bot.filing import KeywordFiler
    from bot.services import Actor
    from bot.services.base import Deps
    from bot.services.journey import JourneyService
    from storage import open_store

    store = open_store(url)
    ws = store.workspace(platform=Platform.SLACK, external_id=TEAM, name="Bench")
    deps = Deps(store, SystemClock(), KeywordFiler)
    JourneyService(deps).setup_team(workspace_id=ws.id, actor=Actor("U1", "Lead", True),
                                    channel=CHANNEL, name="Bench crew", template="airline")
    store.close()


def count_moments(url: str) -> int:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        n = int(conn.execute(sa.text("select count(*) from moments")).scalar_one())
    engine.dispose()
    return n


def settle(url: str, before: int, timeout: float = 60.0) -> tuple[int, float]:
    """Moments stored since ``before`` once lazy listeners have stopped adding any, and when
    (time.monotonic()) the last of them was seen: the work after the ack may end well after it."""
    last, last_at, deadline = -1, time.monotonic(), time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        now = count_moments(url) - before
        if now != last:
            last, last_at = now, time.monotonic()
            quiet_since = last_at
        elif time.monotonic() - quiet_since >= 2.0:
            break
        time.sleep(0.1)
    return last, last_at


def confirmations(since: int, expected: int, timeout: float = 600.0) -> tuple[int, float]:
    """Commands confirmed since ``since`` (the count before the level), once ``expected`` have
    been or none came for 5 s, and when the last was."""
    deadline, last, quiet_since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        total, at = confirmed()
        now = total - since
        if now >= expected:
            return now, at
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= 5.0:
            break
        time.sleep(0.05)
    return last, at


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int

    def cpu_seconds(self) -> float:
        """User + system CPU this process has used so far (its threads included)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def threads_cpu(self) -> tuple[float, float]:
        """CPU seconds so far of the main thread (the event loop that answers) and of the
        process's other threads together."""
        tick, main, rest = os.sysconf("SC_CLK_TCK"), 0.0, 0.0
        try:
            tasks = list(Path(f"/proc/{self.proc.pid}/task").iterdir())
        except OSError:
            return float("nan"), float("nan")
        for task in tasks:
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # (a thread that ended meanwhile)
            used = (int(fields[11]) + int(fields[12])) / tick
            if task.name == str(self.proc.pid):
                main += used
            else:
                rest += used
        return main, rest

    def peak_rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")


BARE_BOLT = """
import sys
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
app = AsyncApp(signing_secret=sys.argv[2], client=AsyncWebClient("xoxb-bench", base_url=sys.argv[3]))
@app.command("/wow")
async def wow(ack): await ack()
@app.command("/ow")
async def ow(ack): await ack()
@app.event("reaction_added")
async def reacted(ack): await ack()
app.start(port=int(sys.argv[1]), path="/slack/events")
"""


def start(kind: str, port: int, env: dict[str, str]) -> Server:
    if kind == "bare":
        cmd = [sys.executable, "-c", BARE_BOLT, str(port), SECRET, env["SLACK_API_URL"]]
    else:
        cmd = [str(ROOT / ".venv/bin/moments"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with open(f"/tmp/moments-bench-{port}.log", "wb") as log:  # the child keeps its own copy
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Server(kind, proc, port)
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} on {port} exited; see /tmp/moments-bench-{port}.log") from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{kind} on {port} did not start in 60 s")


def signed(body: bytes, *, now: float | None = None) -> dict[str, str]:
    ts = str(int(now or time.time()))
    mac = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={mac}"}


def requests_mix(n: int, rng: random.Random, api_url: str) -> list[tuple[str, bytes, dict[str, str], bool]]:
    """(content type, body, extra headers, creates a moment) — commands, reactions, retries."""
    texts = ["the queue at check-in took 40 minutes", "@U3 found a lost passport at boarding",
             "my bag never arrived", "crew were wonderful with our toddler", "app kept crashing"]
    out = []
    base = rng.randrange(10**6) * 10**4  # fresh message timestamps for every round
    for i in range(n):
        roll = rng.random()
        if roll < 0.5:
            # each its own words: the same person sending the same report twice makes one moment
            # (the second is answered with the first), and would not count as stored
            text = f"{rng.choice(texts)} (round {base // 10**4}, report {i})"
            form = urlencode({"command": rng.choice(["/wow", "/ow"]), "text": text,
                              "team_id": TEAM, "channel_id": CHANNEL, "user_id": f"U{i % 40}",
                              "user_name": f"user{i % 40}",
                              "trigger_id": f"{base + i}.2.{rng.getrandbits(40):x}",
                              "response_url": api_url + "response", "api_app_id": "ABENCH"})
            out.append(("application/x-www-form-urlencoded", form.encode(), {}, True))
        else:
            event_id = f"Ev{uuid.uuid4().hex[:10]}"
            event = {"type": "reaction_added", "user": f"U{i % 40}", "reaction": "tada",
                     "item_user": "U2", "item": {"type": "message", "channel": CHANNEL,
                                                 "ts": f"{1700000000 + base + i}.000100"},
                     "event_ts": f"{time.time():.6f}"}
            envelope = json.dumps({"token": "x", "team_id": TEAM, "api_app_id": "ABENCH",
                                   "event": event, "type": "event_callback", "event_id": event_id,
                                   "event_time": int(time.time())}).encode()
            out.append(("application/json", envelope, {}, True))
            if roll > 0.85:  # Slack retried it: same event id, must not store twice
                out.append(("application/json", envelope,
                            {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}, False))
    return out


async def fire(ports: list[int], load: list[tuple[str, bytes, dict[str, str], bool]],
               concurrency: int) -> tuple[list[float], int, int, float, list[float]]:
    """Latencies (ms), errors, 503s, seconds for all, and when each answer came (perf_counter)."""
    latencies: list[float] = []
    answered: list[float] = []
    errors = later = 0
    queue: asyncio.Queue[tuple[int, tuple[str, bytes, dict[str, str], bool]]] = asyncio.Queue()
    for i, item in enumerate(load):
        queue.put_nowait((i, item))

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors, later
        while not queue.empty():
            i, (ctype, body, extra, creates) = queue.get_nowait()
            port = ports[i % len(ports)]  # round robin, like the nginx upstream
            headers = {"Content-Type": ctype, **signed(body), **extra}
            t0 = time.perf_counter()
            try:
                async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body,
                                        headers=headers) as resp:
                    await resp.read()
                    # A redelivery racing its original (sent at once here; Slack waits 3 s) finds
                    # the claim not yet acknowledged: 503 asks Slack to try later, by design.
                    if resp.status == 503:
                        later += 1
                    elif resp.status != 200:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append((time.perf_counter() - t0) * 1000)
            answered.append(time.perf_counter())

    t0 = time.perf_counter()
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return latencies, errors, later, time.perf_counter() - t0, sorted(answered)


def by_thirds(answered: list[float]) -> str:
    """Acks a second in each third of the burst: a pace that drops late in the burst shows the
    work after the ack taking the interpreter from the acks."""
    n = len(answered)
    if n < 30:
        return "-"
    cuts = [0, n // 3, 2 * n // 3, n - 1]
    return "/".join(f"{(b - a) / max(answered[b] - answered[a], 1e-9):.0f}"
                    for a, b in zip(cuts, cuts[1:], strict=False))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(args: argparse.Namespace) -> int:
    rng = random.Random(7)
    _WebApi.latency = args.api_latency
    if args.api_latency:
        print(f"stand-in Web API answers each call after {args.api_latency * 1000:.0f} ms")
    levels = [int(x) for x in args.concurrency.split(",")]
    print(f"{'target':<14}{'conc':>5}{'req':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}{'503':>5}{'peak MB':>10}{'CPU ms/req':>11}  stored, confirmed, end to end")
    with web_api() as api_url, ExitStack() as stack:
        base_env = {**os.environ, "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": "xoxb-bench",
                    "SLACK_API_URL": api_url, "MOMENTS_LOG_LEVEL": "WARNING"}
        base_env.pop("SLACK_APP_TOKEN", None)
        # every target is started once, each on a database of its own, and stays up for all the
        # rounds: a round sends each level to the bare app and then to Moments, back to back, so
        # a shared machine's drifting pace, which moves by half between runs a minute apart,
        # weighs on both alike; each burst starts once the last one's work is done
        targets: list[Target] = []
        for kind, replicas in [("bare", 1)] + [("moments", n) for n in args.replicas if n > 0]:
            url = stack.enter_context(throwaway_database())
            env = {**base_env, "DATABASE_URL": url}
            if kind == "moments":
                seed(url)
            servers = [start(kind, free_port(), env) for _ in range(replicas)]
            stack.callback(stop, servers)
            # a first round, not counted: imports and connections made on first use
            # (the bare app's first requests otherwise wait about a second)
            asyncio.run(fire([s.port for s in servers], requests_mix(100, rng, api_url), 10))
            if kind == "moments":
                settle(url, 0)  # its work done before the first level counts
            targets.append(Target(kind, replicas, url, servers))
        shares: dict[tuple[int, int], list[float]] = {}  # (replicas, level) -> Moments' shares
        for round_no in range(args.rounds):
            for level in levels:
                rates = {(t.kind, t.replicas): burst(t, level, args, rng, api_url) for t in targets}
                bare_rate = rates[("bare", 1)]
                for target in targets[1:]:
                    share = rates[("moments", target.replicas)] / bare_rate
                    shares.setdefault((target.replicas, level), []).append(share)
                    print(f"  round {round_no + 1}, moments x{target.replicas} at {level} concurrent: "
                          f"{share:.0%} of the bare app's acks/s", flush=True)
        for (replicas, level), found in sorted(shares.items()):
            if len(found) > 1:
                print(f"moments x{replicas} at {level} concurrent, acks/s against the bare app's over "
                      f"{len(found)} rounds: median {statistics.median(found):.0%}, mean "
                      f"{statistics.mean(found):.0%}, lowest {min(found):.0%}, highest {max(found):.0%}")
    return 0


@dataclass
class Target:
    kind: str  # "bare" or "moments"
    replicas: int
    url: str  # its database
    servers: list[Server]


def burst(target: Target, level: int, args: argparse.Namespace, rng: random.Random,
          api_url: str) -> float:
    """One level's burst at ``target``, its line printed; Moments' work waited for. Its acks/s."""
    kind, servers, url = target.kind, target.servers, target.url
    load = requests_mix(args.requests, rng, api_url)
    idle(servers)
    before = count_moments(url) if kind == "moments" else 0
    told_before = confirmed()[0]
    cpu_before = sum(s.cpu_seconds() for s in servers)
    began = time.monotonic()
    threads_before = [s.threads_cpu() for s in servers]
    lat, errors, later, took, answered = asyncio.run(fire([s.port for s in servers], load, level))
    threads_after = [s.threads_cpu() for s in servers]
    loop_s = sum(a[0] - b[0] for a, b in zip(threads_after, threads_before, strict=True))
    rest_s = sum(a[1] - b[1] for a, b in zip(threads_after, threads_before, strict=True))
    expected = sum(1 for *_x, creates in load if creates)
    stored, last_at = settle(url, before, timeout=600.0) if kind == "moments" else (0, 0.0)
    commands = sum(1 for ctype, *_x in load if ctype.endswith("urlencoded"))
    told, told_at = confirmations(told_before, commands) if kind == "moments" else (0, 0.0)
    end = max(last_at, told_at) - began
    # all the servers' CPU for this level, the work after the ack included
    cpu_ms = (sum(s.cpu_seconds() for s in servers) - cpu_before) * 1000 / len(load)
    label = kind if kind == "bare" else f"{kind} x{target.replicas}"
    peak = max(s.peak_rss_mb() for s in servers)
    rate = len(load) / took
    check = (f"{stored}/{expected} in {last_at - began:.1f} s, {told}/{commands} "
             f"confirmed in {told_at - began:.1f} s: end to end "
             f"{stored / max(end, 1e-9):.0f} moments/s" if kind == "moments" else "-")
    print(f"{label:<14}{level:>5}{len(load):>6}{rate:>9.0f}"
          f"{statistics.median(lat):>9.1f}{pct(lat, 99):>9.1f}{errors:>8}{later:>5}"
          f"{peak:>10.0f}{cpu_ms:>11.2f}  {check}; acks/s by thirds of "
          f"the burst {by_thirds(answered)}", flush=True)
    # while the acks were sent: what the answering loop spent a request, how much of the
    # burst it was busy (a loop that idles waits on something other than its own CPU), and
    # what the process's other threads spent (claims, and any work after the ack)
    print(f"{'':<14}while acking: loop {loop_s * 1e6 / len(load):.0f} µs a request, busy "
          f"{loop_s / (took * len(servers)):.0%} of the burst; other threads "
          f"{rest_s * 1e6 / len(load):.0f} µs a request", flush=True)
    return rate


def idle(servers: list[Server], timeout: float = 60.0) -> None:
    """Until the servers have used under 5% of a core for half a second: what the last burst
    left behind (marks of work done, messages read back, the collector) no longer runs, and
    every burst starts on an idle server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = sum(s.cpu_seconds() for s in servers)
        time.sleep(0.5)
        if sum(s.cpu_seconds() for s in servers) - before < 0.025:
            return


def stop(servers: list[Server]) -> None:
    for s in servers:
        s.proc.send_signal(signal.SIGTERM)
    for s in servers:
        try:
            s.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            s.proc.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="requests per concurrency level")
    parser.add_argument("--concurrency", default="1,10,50,100")
    parser.add_argument("--replicas", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--api-latency", type=float, default=0.0,
                        help="seconds the stand-in Slack Web API waits before each answer (e.g. 0.15)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="send each level to the bare app and to Moments back to back this many times")
    parser.add_argument("--stand-in", type=int, metavar="PORT", help=argparse.SUPPRESS)  # (web_api's child)
    args = parser.parse_args()
    if args.stand_in:
        _WebApi.latency = args.api_latency
        return serve_stand_in(args.stand_in)
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
