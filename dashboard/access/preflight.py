"""What ``make run`` checks before it starts Streamlit (``python -m dashboard preflight``): a setup the app would
only refuse page by page is refused at start instead, with one line and a non-zero exit.

- Demo mode (``PROMO_DEMO_MODE=1``, what ``make run`` sets) with an ``[auth]`` section in the secrets: demo mode has
  no sign-in, so the two never run together (the app refuses it too, on every page).
- Sign-in without demo mode: ``[auth]`` must be there and complete (Streamlit's keys: ``redirect_uri``,
  ``cookie_secret``, and ``client_id``, ``client_secret``, ``server_metadata_url`` either directly or for each named
  provider, ``[auth.NAME]``), else every visitor would meet an error page.

The secrets files are the ones Streamlit reads: the project's ``.streamlit/secrets.toml`` and the user's
``~/.streamlit/secrets.toml``. A file that cannot be read counts as an ``[auth]`` that is there but incomplete.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dashboard.access.identity import demo_mode

REPO = Path(__file__).resolve().parents[2]
SHARED_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
UNREADABLE = "unreadable"
EXIT_REFUSED = 2


def secrets_files() -> list[Path]:
    return [REPO / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


def auth_section(files: list[Path]) -> tuple[Path, Mapping[str, Any] | str] | None:
    """The first ``[auth]`` section found in ``files`` and its file, ``UNREADABLE`` for a file that cannot be read,
    or None when no file has one."""
    for path in files:
        if not path.is_file():
            continue
        try:
            content = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return path, UNREADABLE
        if "auth" in content:
            auth = content["auth"]
            return path, auth if isinstance(auth, Mapping) else UNREADABLE
    return None


def missing_keys(auth: Mapping[str, Any]) -> list[str]:
    """The keys Streamlit's ``st.login`` needs that ``auth`` lacks (empty values count as missing)."""
    missing = [k for k in SHARED_KEYS if not auth.get(k)]
    providers = {name: section for name, section in auth.items() if isinstance(section, Mapping)}
    if all(auth.get(k) for k in PROVIDER_KEYS) or not providers:
        missing += [k for k in PROVIDER_KEYS if not auth.get(k)]
    else:
        missing += [f"{name}.{k}" for name, section in providers.items() for k in PROVIDER_KEYS if not section.get(k)]
    return missing


def start_refusal(demo: bool, files: list[Path]) -> str | None:
    """Why the app must not start with this setup (one line), or None."""
    found = auth_section(files)
    if demo:
        if found is None:
            return None
        return (f"{found[0]} has an [auth] section (sign-in), and make run is the demo without sign-in "
                "(PROMO_DEMO_MODE=1): move the file away to run the demo, or start with sign-in (README, Sign-in)")
    if found is None:
        return ("no sign-in configured: add [auth] to .streamlit/secrets.toml (README, Sign-in), or run the demo "
                "with PROMO_DEMO_MODE=1 (make run)")
    path, auth = found
    if auth == UNREADABLE:
        return f"{path} cannot be read as TOML with an [auth] table: fix it (README, Sign-in)"
    assert not isinstance(auth, str)
    missing = missing_keys(auth)
    if missing:
        return f"[auth] in {path} is incomplete: missing {', '.join(missing)} (README, Sign-in)"
    return None


def cmd_preflight(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.secrets] if args.secrets else secrets_files()
    why = start_refusal(demo_mode(), files)
    if why:
        print(f"error: {why}", file=sys.stderr)
        return EXIT_REFUSED
    return 0


def add_preflight_parser(sub: Any) -> None:
    pre = sub.add_parser("preflight", help="check the sign-in setup before starting the app (make run does): exit 2 "
                                           "with one line when demo mode meets [auth], or [auth] is incomplete")
    pre.add_argument("--secrets", action="append", help="a secrets.toml to read instead of Streamlit's (repeatable)")
    pre.set_defaults(run=cmd_preflight)
