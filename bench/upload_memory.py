#!/usr/bin/env python3
"""Upload memory (issue 12 A): a gunicorn worker's RSS before and after big image uploads.

    .venv/bin/python bench/upload_memory.py [--megapixels 40] [--rounds 1] [--limit-mb 250]

Starts gunicorn from ``deploy/gunicorn.conf.py`` as shipped (one worker; only the address,
the app's database, uploads and secret and the logs are set) on 127.0.0.1, on a temporary
instance migrated with ``flask db upgrade``; signs an editor in through the real login
form (CSRF on); uploads one small warm-up image, then a large PNG and a large JPEG per
round (both just under the pixel cap by default), and reads the worker's VmRSS from
/proc after each step. The peak of the worker and of its whole process tree (the
short-lived image child included) is sampled every 20 ms while the uploads run.

Exit status 1 when the worker's RSS after the uploads is over ``--limit-mb`` (250 MB, the
issue's target). tests/test_upload_memory.py runs a smaller version in ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `bench` is a folder of the project root

from bench.run import proc_status_kb, process_tree  # noqa: E402  (the one /proc reader)

GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
MB = 1024 * 1024
EMAIL = "bientap@example.com"
PASSWORD = "mat khau dai cho bench " + "x" * 8


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- images


def size_for(megapixels: float, ratio: float = 3 / 2) -> tuple[int, int]:
    """A landscape size of at most `megapixels` million pixels (a camera's 3:2)."""
    height = int((megapixels * 1_000_000 / ratio) ** 0.5)
    width = int(megapixels * 1_000_000 // height)
    return width, height


def picture(size: tuple[int, int], grain: bool = True) -> Image.Image:
    """Gradients, diagonal stripes and (for a photo) a soft grain: quick to make."""
    width, height = size
    gradient = Image.linear_gradient("L")
    red = gradient.resize(size)
    green = gradient.rotate(90).resize(size)
    blue = Image.radial_gradient("L").resize(size)
    image = Image.merge("RGB", (red, green, blue))
    if grain:  # a photo's noise; a PNG (a screenshot, a chart) stays flat and small
        noise = Image.effect_noise((max(1, width // 8), max(1, height // 8)), 40).resize(size)
        image = Image.blend(image, Image.merge("RGB", (noise, noise, noise)), 0.15)
    draw = ImageDraw.Draw(image)
    step = max(1, max(size) // 40)
    for x in range(0, width, step):
        draw.line([(x, 0), (width - x, height)], fill=(x % 256, 80, 200), width=9)
    return image


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "PNG":
        image.save(buffer, "PNG", compress_level=1)
    else:
        image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def big_images(megapixels: float) -> list[tuple[str, bytes, str]]:
    """(file name, bytes, content type) of a large PNG and a large JPEG."""
    size = size_for(megapixels)
    return [
        ("lon.png", encoded(picture(size, grain=False), "PNG"), "image/png"),
        ("lon.jpg", encoded(picture(size), "JPEG"), "image/jpeg"),
    ]


def small_image() -> tuple[str, bytes, str]:
    return ("nho.jpg", encoded(picture((640, 480)), "JPEG"), "image/jpeg")


# ---------------------------------------------------------------- processes


def rss_mb(pid: int) -> float:
    return proc_status_kb(pid, "VmRSS") / 1024


def tree_rss_mb(pid: int) -> float:
    return sum(proc_status_kb(p, "VmRSS") for p in process_tree(pid)) / 1024


def gunicorn_worker(master: int, timeout: float = 30) -> int:
    """The one worker of a gunicorn master (the master's first child process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = [p for p in process_tree(master) if p != master]
        if children:
            return min(children)
        time.sleep(0.05)
    raise RuntimeError("gunicorn started no worker")


def cmdline(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""


class PeakSampler(threading.Thread):
    """The highest RSS of one process, of its children, and of both together, every 20 ms."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_mb = 0.0
        self.child_peak_mb = 0.0
        self.tree_peak_mb = 0.0
        self.children_seen: set[int] = set()
        self._done = threading.Event()

    def sample(self) -> None:
        own = rss_mb(self.pid)
        # A child forked but not yet exec'd still shows the worker's command line and
        # shares its pages: summing it would count the worker twice.
        mine = cmdline(self.pid)
        children = [p for p in process_tree(self.pid) if p != self.pid and cmdline(p) != mine]
        self.children_seen.update(children)
        child = sum(rss_mb(p) for p in children)
        self.peak_mb = max(self.peak_mb, own)
        self.child_peak_mb = max(self.child_peak_mb, child)
        self.tree_peak_mb = max(self.tree_peak_mb, own + child)

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join()
        self.sample()


# ---------------------------------------------------------------- HTTP


def multipart(fields: dict[str, str], name: str, data: bytes, content_type: str):
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Browser:
    """One signed-in editor: cookies kept between requests, a fresh connection each time."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            sent = {"User-Agent": "bantin-upload-memory/1.0", **(headers or {})}
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, data.decode("utf-8", "replace")
        finally:
            conn.close()

    def csrf(self, path: str, required: bool = True) -> str:
        status, text = self.request("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(
            r'name="csrf-token"[^>]*content="([^"]+)"', text
        )
        if status != 200 or (required and not match):
            raise RuntimeError(f"no CSRF token on {path} (status {status})")
        return html.unescape(match.group(1)) if match else ""

    def sign_in(self, email: str, password: str, csrf: bool = True) -> None:
        """Through the login form; without `csrf` for an app that runs with CSRF off."""
        form = {"email": email, "password": password}
        if csrf:
            form["csrf_token"] = self.csrf("/login")
        body = urlencode(form)
        status, text = self.request(
            "POST", "/login", body.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status not in (302, 303):
            raise RuntimeError(f"sign-in refused ({status}): {text[:300]}")

    def upload(self, name: str, data: bytes, content_type: str, token: str | None = None) -> dict:
        fields = {"csrf_token": token} if token else {}
        body, form_type = multipart(fields, name, data, content_type)
        status, text = self.request("POST", "/editor/uploads", body, {"Content-Type": form_type})
        if status != 201:
            raise RuntimeError(f"upload of {name} answered {status}: {text[:300]}")
        return json.loads(text)


# ---------------------------------------------------------------- the run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask_cli(env: dict, *args: str) -> None:
    cmd = [sys.executable, "-m", "flask", "--app", "app", *args]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def run(megapixels: float, rounds: int, workdir: Path, extra_env: dict[str, str]) -> dict:
    instance = workdir / "instance"
    instance.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
    env |= {
        "BANTIN_SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bantin.db'}",
        "BANTIN_UPLOAD_FOLDER": str(instance / "uploads"),
        "BANTIN_INSTANCE_PATH": str(instance),
        "BANTIN_SECRET_KEY": "bench-" + secrets.token_hex(24),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    flask_cli(env, "db", "upgrade")
    flask_cli(
        env, "create-user", "--email", EMAIL, "--name", "Biên tập", "--role", "editor",
        "--password", PASSWORD,
    )  # fmt: skip
    log(f"making a {megapixels:g} MP PNG and JPEG …")
    images = big_images(megapixels)
    warm_up = small_image()
    port = free_port()
    env |= {
        "BANTIN_GUNICORN_BIND": f"127.0.0.1:{port}",
        "BANTIN_GUNICORN_WORKERS": "1",
        "BANTIN_GUNICORN_ACCESSLOG": "",
        "BANTIN_GUNICORN_LOGLEVEL": "warning",
        **extra_env,
    }
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)]
    cmd += ["--control-socket", str(workdir / "gunicorn.ctl")]
    log_path = workdir / "gunicorn.log"
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_ready(port, proc)
        worker = gunicorn_worker(proc.pid)
        steps: list[dict] = []

        def note(step: str, **extra) -> None:
            steps.append({"step": step, "worker_rss_mb": round(rss_mb(worker), 1), **extra})
            peaks = ""
            if "peak_mb" in extra:
                peaks = (
                    f" (peak {extra['peak_mb']:.1f}, child {extra['child_peak_mb']:.1f},"
                    f" together {extra['tree_peak_mb']:.1f})"
                )
            log(f"  {step:<30} worker RSS {steps[-1]['worker_rss_mb']:7.1f} MB{peaks}")

        note("started")
        browser = Browser(port)
        browser.sign_in(EMAIL, PASSWORD)
        token = browser.csrf("/editor/media")
        browser.upload(*warm_up, token=token)
        note("signed in, small upload")
        peak = tree_peak = child_peak = 0.0
        children: set[int] = set()
        for n in range(rounds):
            for name, data, content_type in images:
                sampler = PeakSampler(worker)
                sampler.start()
                started = time.monotonic()
                try:
                    answer = browser.upload(name, data, content_type, token=token)
                finally:
                    sampler.stop()
                seconds = round(time.monotonic() - started, 2)
                peak = max(peak, sampler.peak_mb)
                tree_peak = max(tree_peak, sampler.tree_peak_mb)
                child_peak = max(child_peak, sampler.child_peak_mb)
                children |= sampler.children_seen
                size = answer["original"]
                label = f"after {name} ({len(data) / MB:.1f} MB)"
                note(
                    label + (f" #{n + 1}" if rounds > 1 else ""),
                    seconds=seconds,
                    pixels=f"{size['width']}x{size['height']}",
                    peak_mb=round(sampler.peak_mb, 1),
                    child_peak_mb=round(sampler.child_peak_mb, 1),
                    tree_peak_mb=round(sampler.tree_peak_mb, 1),
                )
        if worker not in process_tree(proc.pid):
            raise RuntimeError("the worker was replaced during the run: its RSS means nothing")
        return {
            "megapixels": megapixels,
            "images": {name: round(len(data) / MB, 2) for name, data, _ in images},
            "steps": steps,
            "worker_peak_mb": round(peak, 1),
            "child_peak_mb": round(child_peak, 1),
            "tree_peak_mb": round(tree_peak, 1),
            "children_seen": len(children),
            "tree_rss_after_mb": round(tree_rss_mb(worker), 1),
            "worker_hwm_mb": round(proc_status_kb(worker, "VmHWM") / 1024, 1),
        }
    except Exception:
        log(log_path.read_text(errors="replace")[-3000:])
        raise
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megapixels", type=float, default=39.99)
    parser.add_argument("--rounds", type=int, default=1, help="PNG + JPEG uploads per round")
    parser.add_argument("--limit-mb", type=float, default=250.0)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a BANTIN_GUNICORN_<NAME> setting, e.g. --set MAX_REQUESTS=0",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    extra = {}
    for item in args.set:
        key, _, value = item.partition("=")
        extra[f"BANTIN_GUNICORN_{key.upper()}"] = value
    with tempfile.TemporaryDirectory(prefix="bantin-upload-memory-") as tmp:
        result = run(args.megapixels, args.rounds, Path(tmp), extra)
    after = result["steps"][-1]["worker_rss_mb"]
    result["limit_mb"] = args.limit_mb
    result["ok"] = after <= args.limit_mb
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"worker RSS: {result['steps'][0]['worker_rss_mb']} MB started, "
            f"{result['steps'][1]['worker_rss_mb']} MB warm, {after} MB after "
            f"{len(result['steps']) - 2} big uploads (peak {result['worker_peak_mb']} MB; "
            f"image child peak {result['child_peak_mb']} MB, worker and child together "
            f"{result['tree_peak_mb']} MB; {result['children_seen']} child processes seen)"
        )
        print("OK" if result["ok"] else f"FAILED: over {args.limit_mb:g} MB")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
