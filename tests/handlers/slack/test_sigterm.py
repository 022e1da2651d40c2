"""SIGTERM: `moments serve` finishes the work it has acknowledged before it exits."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from tests.handlers.slack.recorder import start

ROOT = Path(__file__).resolve().parents[3]


def test_sigterm_lets_acknowledged_moments_finish(tmp_path: Path) -> None:
    api, server = start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "m.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SLACK_SIGNING_SECRET": "s",
           "SLACK_BOT_TOKEN": "xoxb-t", "SLACK_API_URL": api.url, "MOMENTS_LOG_LEVEL": "WARNING"}
    env.pop("SLACK_APP_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "handlers.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)

        def command(text: str) -> int:
            body = urlencode({"command": "/moments" if text.startswith("setup") else "/ow", "text": text,
                              "team_id": "T1", "user_id": "U1", "channel_id": "C1",
                              "response_url": api.url + "response",
                              "trigger_id": f"{time.monotonic_ns()}.1"})
            ts = str(int(time.time()))
            sig = "v0=" + hmac.new(b"s", f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
            req = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                                  "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig})
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status

        assert command("setup name=Gate template=airline") == 200
        while not api.named("response"):
            time.sleep(0.05)
        statuses = [command(f"#baggage bag {n} came out last") for n in range(20)]
        proc.send_signal(signal.SIGTERM)  # right after the acks, with lazy work still running
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        server.shutdown()
    assert statuses == [200] * 20
    stored = sqlite3.connect(db).execute("select count(*) from moments").fetchone()[0]
    assert stored == 20  # every acknowledged moment was stored before the process exited
    assert len(api.named("response")) == 21  # and every person got their answer

