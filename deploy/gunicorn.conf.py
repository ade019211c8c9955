"""gunicorn settings for one small VPS (1-2 cores): `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be overridden with an environment variable (BANTIN_GUNICORN_*), so the
systemd unit, the benchmark harness and the tests share this one file.
"""

import os


def _env(name: str, default: str) -> str:
    return os.environ.get(f"BANTIN_GUNICORN_{name}", default)


# nginx talks to gunicorn over loopback; gunicorn is never exposed directly.
bind = _env("BIND", "127.0.0.1:8000")
wsgi_app = _env("APP", "app:create_app()")

# Two processes survive one crashing; threads overlap the short waits on SQLite and on
# the network. Each worker holds its own SQLite connections (no preload: no fork after
# connecting).
workers = int(_env("WORKERS", "2"))
threads = int(_env("THREADS", "4"))
worker_class = "gthread"
preload_app = False

# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new
# connections over them. With one shared socket, a gthread worker that wakes first accepts
# many keep-alive connections at once: rounds were measured with all 32 on one worker, one
# core idle, at half speed (issue 16). Connections waiting in a restarting worker's queue
# are reset unless the kernel moves them (Linux 5.14+: sysctl net.ipv4.tcp_migrate_req=1,
# docs/deploy.md). REUSE_PORT=false goes back to the shared socket.
reuse_port = _env("REUSE_PORT", "true").lower() in ("1", "true", "yes", "on")

# A request that runs longer than this is stuck: the worker is killed and replaced.
timeout = int(_env("TIMEOUT", "30"))
# On restart/stop, finish the requests in flight (a commit takes milliseconds).
graceful_timeout = int(_env("GRACEFUL_TIMEOUT", "20"))
keepalive = int(_env("KEEPALIVE", "5"))
# A backstop only: big images are decoded in short-lived child processes (bantin.imaging),
# so a worker's memory stays flat (docs/performance.md, "Upload memory"). Should anything
# else ever grow, a worker is replaced after this many requests, the jitter keeping the
# workers from restarting together. 0 never recycles.
max_requests = int(_env("MAX_REQUESTS", "50000"))
max_requests_jitter = int(_env("MAX_REQUESTS_JITTER", "5000"))

# Limits on the request line and headers (bodies are limited by MAX_CONTENT_LENGTH/nginx).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Logs go to stderr -> journald under systemd ("-"); set a file path to log elsewhere.
accesslog = _env("ACCESSLOG", "-") or None
errorlog = _env("ERRORLOG", "-")
loglevel = _env("LOGLEVEL", "info")
# %(h)s is nginx; the reader's address is in X-Real-IP. The path is logged without its
# query string (search terms are the readers' business).
access_log_format = '%(h)s %({x-real-ip}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# gunicorn trusts no forwarded header itself: the app's ProxyFix (PROXY_COUNT) is the one
# place that decides how many proxies to believe, for the client address and for https.
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "")
secure_scheme_headers: dict[str, str] = {}
proc_name = "bantin"
# The master's temporary heartbeat files: tmpfs when available (PrivateTmp in systemd).
worker_tmp_dir = _env("WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else "") or None
