"""``python -m dashboard serve``: N Streamlit app processes (replicas) behind HAProxy, supervised.

Each replica is ``streamlit run app.py`` on its own loopback port; HAProxy (Debian's package) listens on
``--address:--port``, health-checks every replica (``GET /_stcore/health``) and keeps each browser on one replica with
a cookie it inserts (``PROMO_REPLICA``), so a session's websocket, ``/media/…`` downloads and ``/_stcore/…`` calls
reach the replica that holds the session. A replica that exits is started again on its port; meanwhile the proxy
sends its people to another replica (``option redispatch``), where the browser's reconnect opens a new session.

Replicas share the store: on PostgreSQL any number work (the store version tells every replica about a decision made
on another); a DuckDB file has one writer, so a DuckDB store gets one replica. Nothing here imports Streamlit.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from dashboard.allocator import without_jemalloc

REPO = Path(__file__).resolve().parent.parent
COOKIE = "PROMO_REPLICA"
LOOPBACK = ("127.0.0.1", "::1", "localhost")
EXIT_USAGE = 2
START_SECONDS = 90  # a replica's first health answer (imports and the store's first look)
# seconds before a restart: first long enough for the proxy's health check to mark the replica down (2 failed checks
# a second apart), so nobody reaches the new process before it is ready; longer while it keeps dying at once
RESTART_BACKOFF = (3, 3, 5, 10, 30)


@dataclass
class Replica:
    index: int
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None
    restarts: int = 0

    @property
    def name(self) -> str:
        return f"r{self.index}"


@dataclass
class Served:
    """What a running ``serve`` holds: the replicas, the proxy, and the temp folder of its config and logs."""

    replicas: list[Replica]
    workdir: Path
    port: int
    address: str
    proxy: subprocess.Popen[bytes] | None = None
    stopping: bool = False
    env: dict[str, str] = field(default_factory=dict)
    secrets: Path | None = None  # --secrets: the replicas' secrets file instead of .streamlit/secrets.toml


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(address: str, port: int) -> str | None:
    """Why the proxy could not listen on ``address:port`` (one line), or None."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError as exc:
            return f"cannot listen on {address}:{port}: {exc.strerror or exc}"
    return None


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)


def haproxy_config(address: str, port: int, replicas: list[Replica]) -> str:
    """The proxy's whole configuration. Websockets pass through HTTP mode (``timeout tunnel`` bounds an idle one);
    ``cookie … insert indirect nocache`` is the stickiness; ``option redispatch`` moves a session whose replica is
    down to another one; ``httpchk`` marks a replica down after 2 failed checks a second apart, up after 2 good."""
    bind = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    servers = "\n".join(
        f"    server {r.name} 127.0.0.1:{r.port} check cookie {r.name}" for r in replicas)
    return f"""# written by python -m dashboard serve; removed when it stops
global
    maxconn 4096
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    option http-server-close
    timeout connect 5s
    timeout client 60s
    timeout server 120s
    timeout tunnel 1h
    timeout http-request 30s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response response-timeout 503

frontend promo
    bind {bind}
    default_backend replicas

backend replicas
    balance leastconn
    cookie {COOKIE} insert indirect nocache httponly attr SameSite=Lax
    option httpchk GET /_stcore/health
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
{servers}
"""


def sign_in_configured(files: list[Path] | None = None) -> bool:
    """``[auth]`` in the secrets Streamlit reads (``--secrets``, else the project's ``.streamlit/secrets.toml`` and
    the user's). A file that cannot be read counts as configured, as the app itself does (demo mode is then refused,
    never guessed)."""
    default = [REPO / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]
    for path in files or default:
        if not path.is_file():
            continue
        try:
            if "auth" in tomllib.loads(path.read_text(encoding="utf-8")):
                return True
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return True
    return False


def refusal(args: argparse.Namespace, store_is_postgres: bool, demo: bool, auth: bool) -> str | None:
    """Why ``serve`` will not start with these arguments (one line), or None."""
    if args.replicas is None:
        args.replicas = 2 if store_is_postgres else 1
    if args.replicas < 1 or args.replicas > 32:
        return "--replicas must be between 1 and 32"
    if not 0 < args.port < 65536:
        return "--port must be between 1 and 65535"
    if args.replicas > 1 and not store_is_postgres:
        return ("a DuckDB store has one writer, so it serves one replica: use --replicas 1, or a PostgreSQL store "
                "(postgresql+psycopg://…) for more")
    if demo and auth:
        return "PROMO_DEMO_MODE=1 with [auth] configured: demo mode is refused (unset one of them)"
    if not demo and not auth:
        return ("no sign-in: configure [auth] in .streamlit/secrets.toml (see README, Sign-in), or set "
                "PROMO_DEMO_MODE=1 for a local demo")
    if demo and args.address not in LOOPBACK:
        return "demo mode has no sign-in, so it is served on 127.0.0.1 only (drop --address or configure [auth])"
    return None


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when serve dies, even by SIGKILL (Linux), so no replica is orphaned."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start_replica(served: Served, replica: Replica) -> None:
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
           "--server.address", "127.0.0.1", "--server.port", str(replica.port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    if served.secrets:
        cmd += ["--secrets.files", str(served.secrets)]
    out: IO[bytes] = replica.log.open("ab")
    try:
        replica.proc = subprocess.Popen(cmd, cwd=REPO, env=served.env, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
    finally:
        out.close()
    replica.started = time.monotonic()
    replica.restart_at = None
    print(f"replica {replica.name} pid {replica.proc.pid} port {replica.port}", flush=True)


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def wait_healthy(served: Served, seconds: float = START_SECONDS) -> str | None:
    """None once every replica answers its health check; else why not (one line)."""
    deadline = time.monotonic() + seconds
    waiting = list(served.replicas)
    while waiting and not served.stopping:
        for r in list(waiting):
            if r.proc is not None and r.proc.poll() is not None:
                return f"replica {r.name} exited with code {r.proc.returncode} while starting: {last_line(r.log)}"
            if healthy(r.port):
                waiting.remove(r)
        if time.monotonic() > deadline:
            return f"replica {waiting[0].name} did not answer /_stcore/health within {seconds:.0f} s"
        time.sleep(0.3)
    return None


def last_line(log: Path) -> str:
    try:
        lines = [ln.strip() for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def start_proxy(served: Served, haproxy: str) -> str | None:
    cfg = served.workdir / "haproxy.cfg"
    cfg.write_text(haproxy_config(served.address, served.port, served.replicas), encoding="utf-8")
    log = served.workdir / "haproxy.log"
    with log.open("ab") as out:
        served.proxy = subprocess.Popen([haproxy, "-db", "-f", str(cfg)], stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True,
                                        env=without_jemalloc(os.environ),
                                        preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if served.proxy.poll() is not None:
            return f"haproxy exited with code {served.proxy.returncode}: {last_line(log)}"
        if healthy_through_proxy(served):
            return None
        time.sleep(0.2)
    return f"haproxy did not answer on {served.address}:{served.port}: {last_line(log)}"


def healthy_through_proxy(served: Served) -> bool:
    host = "127.0.0.1" if served.address in ("0.0.0.0", "::", "localhost") else served.address
    host = f"[{host}]" if ":" in host else host
    try:
        with urllib.request.urlopen(f"http://{host}:{served.port}/_stcore/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def supervise_once(served: Served, now: float) -> str | None:
    """One look at the children: a replica that exited is started again (after a backoff if it keeps dying at
    once); the proxy exiting ends serve (returned as one line)."""
    if served.proxy is not None and served.proxy.poll() is not None:
        return f"haproxy exited with code {served.proxy.returncode}: {last_line(served.workdir / 'haproxy.log')}"
    for r in served.replicas:
        if r.proc is None or r.proc.poll() is None:
            if r.proc is not None and r.quick_deaths and now - r.started > 60:
                r.quick_deaths = 0
            continue
        if r.restart_at is None:
            lived = now - r.started
            r.quick_deaths = r.quick_deaths + 1 if lived < 10 else 0
            wait = RESTART_BACKOFF[min(r.quick_deaths, len(RESTART_BACKOFF) - 1)]
            r.restart_at = now + wait
            say(f"replica {r.name} (pid {r.proc.pid}) exited with code {r.proc.returncode} after {lived:.0f} s; "
                f"restarting it in {wait} s (its sessions move to another replica)"
                + (f"; last log line: {last_line(r.log)}" if r.proc.returncode not in (0, -9, -15) else ""))
        if now >= r.restart_at:
            r.restarts += 1
            start_replica(served, r)
    return None


def stop_all(served: Served) -> None:
    """SIGTERM to the proxy and every replica, SIGKILL after 10 s, then the temp folder goes."""
    served.stopping = True
    procs = [p for p in [served.proxy, *(r.proc for r in served.replicas)] if p is not None and p.poll() is None]
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            p.terminate()
    deadline = time.monotonic() + 10
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    shutil.rmtree(served.workdir, ignore_errors=True)


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.access.identity import demo_mode
    from dashboard.store.connect import resolve_store

    store = resolve_store(args.db)
    secrets_file = Path(args.secrets).resolve() if args.secrets else None
    if secrets_file is not None and not secrets_file.is_file():
        print(f"error: --secrets {args.secrets}: no such file", file=sys.stderr)
        return EXIT_USAGE
    why = refusal(args, store.is_postgres, demo_mode(), sign_in_configured([secrets_file] if secrets_file else None))
    if why:
        print(f"error: {why}", file=sys.stderr)
        return EXIT_USAGE
    busy = port_in_use(args.address, args.port)
    if busy:
        print(f"error: {busy} (another server there? choose --port)", file=sys.stderr)
        return 1
    haproxy = haproxy_binary()
    if haproxy is None:
        print("error: haproxy not found: install it (make serve does: apt-get install haproxy)", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="promo-serve-"))
    env = dict(os.environ)
    env["PROMO_DB"] = store.name
    # one secret for every replica: Streamlit's XSRF cookie from one replica is valid on the others after a failover
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_urlsafe(32))
    served = Served([Replica(i + 1, free_port(), workdir / f"r{i + 1}.log") for i in range(args.replicas)],
                    workdir, args.port, args.address, env=env, secrets=secrets_file)

    def on_signal(signum: int, _frame: object) -> None:
        served.stopping = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for r in served.replicas:
            start_replica(served, r)
        problem = wait_healthy(served) or (None if served.stopping else start_proxy(served, haproxy))
        if problem and not served.stopping:
            print(f"error: {problem}", file=sys.stderr)
            return 1
        if not served.stopping:
            shown = "127.0.0.1" if served.address in LOOPBACK else served.address
            print(f"haproxy pid {served.proxy.pid if served.proxy else '?'} config {served.workdir / 'haproxy.cfg'} "
                  "(removed on stop)", flush=True)
            print(f"serving {store.label()} at http://{shown}:{served.port}/ through haproxy, "
                  f"{len(served.replicas)} replica{'s' if len(served.replicas) > 1 else ''}; Ctrl-C stops",
                  flush=True)
        while not served.stopping:
            problem = supervise_once(served, time.monotonic())
            if problem:
                print(f"error: {problem}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        say("stopping: replicas and haproxy")
        return 0
    finally:
        stop_all(served)
        for s, handler in previous.items():
            signal.signal(s, handler)


def add_serve_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from dashboard.store.connect import DB_HELP

    serve = sub.add_parser("serve", help="run N app replicas behind HAProxy (sticky sessions, health checks)")
    serve.add_argument("--db", help=DB_HELP)
    serve.add_argument("--replicas", type=int, default=None,
                       help="app processes (default: 2 on PostgreSQL, 1 on DuckDB, which has one writer)")
    serve.add_argument("--port", type=int, default=8501, help="the proxy's port (default 8501)")
    serve.add_argument("--address", default="127.0.0.1",
                       help="the proxy's address (default 127.0.0.1; replicas always listen on loopback)")
    serve.add_argument("--secrets", help="the replicas' secrets.toml ([auth], connections) instead of "
                                         ".streamlit/secrets.toml; its [auth] redirect_uri names the proxy's address")
    serve.set_defaults(run=cmd_serve)
