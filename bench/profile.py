#!/usr/bin/env python3
"""Flame graphs of Bantin under load (issue 16): py-spy records every gunicorn worker while
wrk loads one address.

    flock /tmp/bantin-heavy.lock .venv/bin/python bench/profile.py --label before
    # -> docs/profiles/healthz-before.svg, docs/profiles/article-before.svg

Same conditions as bench/run.py: a seeded temporary database (1,000 articles by default),
gunicorn from ``deploy/gunicorn.conf.py`` with the harness's test settings, wrk on
127.0.0.1 with 2 threads and 32 connections, each run bounded (at most 15 s). The article is
loaded with a browser user agent, so every view is counted as a reader's would be. py-spy
needs ptrace (root, or CAP_SYS_PTRACE); it samples the workers' CPU only (no idle frames).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the same servers, data and helpers)

ROOT = run.ROOT
TARGETS = ("healthz", "article", "home", "baseline")


def pyspy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("py-spy is missing: .venv/bin/pip install -e '.[dev]'")
    return found


def record(server: run.Gunicorn, path: str, out: Path, duration: float, rate: int) -> dict:
    """py-spy on the master and its workers while wrk loads `path`."""
    spy = subprocess.Popen(
        [
            pyspy(),
            "record",
            "--pid",
            str(server.proc.pid),
            "--subprocesses",
            "--rate",
            str(rate),
            "--duration",
            str(round(duration) + 1),
            "--format",
            "flamegraph",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    time.sleep(0.5)  # let py-spy attach before the load starts
    res = run.run_wrk(server.port, path, duration, 32, 2, count=False)
    spy.wait(timeout=duration + 60)
    log = spy.stdout.read().decode("utf-8", "replace") if spy.stdout else ""
    if spy.returncode != 0 or not out.exists():
        raise RuntimeError(f"py-spy failed ({spy.returncode}):\n{log}")
    return {"rps": round(res.rps, 1), "p50_ms": res.p50_ms, "p99_ms": res.p99_ms}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--comments", type=int, default=10000)
    ap.add_argument("--duration", type=float, default=8.0, help="seconds per target (max 15)")
    ap.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    ap.add_argument("--label", default="before", help="the file names' suffix")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "profiles")
    ap.add_argument("--targets", default="healthz,article")
    args = ap.parse_args(argv)
    duration = min(run.MAX_DURATION, max(1.0, args.duration))
    targets = [t for t in args.targets.split(",") if t]
    if set(targets) - set(TARGETS):
        ap.error(f"targets are any of {', '.join(TARGETS)}")
    args.out.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="bantin-profile-"))
    site = run.Site("sqlite", work)
    env = run.flask_env(site.path, work / "uploads", run.make_secret())
    servers: list = []
    try:
        run.flask_cli(env, "db", "upgrade")
        run.flask_cli(
            env, "seed-bench", "--articles", str(args.articles), "--comments", str(args.comments)
        )
        facts = run.pick_targets(site.reader)
        bantin = run.Gunicorn("app:create_app()", env, work, "bantin")
        servers.append(bantin)
        bantin.wait("/healthz")
        paths = {"healthz": "/healthz", "article": facts["article_path"], "home": "/"}
        _s, _h, html = run.fetch(bantin.port, facts["article_path"])
        (work / "article.html").write_bytes(html)
        for name in targets:
            if name == "baseline":
                continue
            for _ in range(20):
                run.fetch(bantin.port, paths[name], ua="bench-warmup")
            out = args.out / f"{name}-{args.label}.svg"
            run.log(f"{name}: py-spy + wrk for {duration:.0f} s -> {out}")
            print(name, record(bantin, paths[name], out, duration, args.rate), flush=True)
        bantin.stop()
        servers.remove(bantin)
        if "baseline" in targets:
            bare_env = {**env, "BENCH_PAGE": str(work / "article.html")}
            bare = run.Gunicorn("bare_app:app", bare_env, work, "bare", pythonpath=run.BENCH)
            servers.append(bare)
            bare.wait("/")
            out = args.out / f"baseline-{args.label}.svg"
            run.log(f"baseline: py-spy + wrk for {duration:.0f} s -> {out}")
            print("baseline", record(bare, "/", out, duration, args.rate), flush=True)
    finally:
        for server in servers:
            server.stop()
        site.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
