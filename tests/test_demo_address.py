"""Issue 27 item 12: demo mode (every visitor an admin, no sign-in) refuses to serve beyond this computer unless
PROMO_DEMO_PUBLIC=1 says so. The address is Streamlit's ``server.address``: unset or 0.0.0.0 is every interface.
The app run under a server mode with the address set is checked with AppTest here; a real ``streamlit run`` in
tests/browser/test_demo_address.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from dashboard.access.identity import demo_refused, loopback_address
from dashboard.i18n.translations import t
from dashboard.store.connect import Store
from tests.apptest import ISOLATED_SECRETS, new_app


@pytest.mark.parametrize(("address", "loopback"), [
    (None, False), ("", False), ("0.0.0.0", False), ("::", False), ("[::]", False), ("192.168.1.10", False),
    ("10.0.0.5", False), ("example.org", False), ("127.1", False),  # written out or not at all: refused
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LOCALHOST", True), ("unix:///tmp/promo.sock", True),
])
def test_loopback_addresses(address: str | None, loopback: bool) -> None:
    assert loopback_address(address) is loopback


def test_only_demo_mode_on_a_served_public_address_is_refused() -> None:
    demo = {"PROMO_DEMO_MODE": "1"}
    assert demo_refused(None, True, demo) and demo_refused("0.0.0.0", True, demo)
    assert not demo_refused("127.0.0.1", True, demo)
    assert not demo_refused(None, False, demo)  # AppTest: no server listens
    assert not demo_refused(None, True, {"PROMO_DEMO_MODE": "0"})  # sign-in decides who sees what
    assert not demo_refused("0.0.0.0", True, {**demo, "PROMO_DEMO_PUBLIC": "1"})  # said explicitly
    assert demo_refused("0.0.0.0", True, {**demo, "PROMO_DEMO_PUBLIC": "0"})


@pytest.fixture
def served() -> Iterator[None]:
    """As under ``streamlit run`` (the server mode is set); the address is restored afterwards."""
    before_mode, before_address = getattr(config, "_server_mode", None), config.get_option("server.address")
    config._server_mode = "starlette-managed"
    try:
        yield
    finally:
        config._server_mode = before_mode
        config.set_option("server.address", before_address)


def _demo_app(tmp_path: Path, address: str | None, public: str = "") -> AppTest:
    config.set_option("server.address", address)
    os.environ["PROMO_DB"] = Store(str(tmp_path / "missing.duckdb")).name
    os.environ["PROMO_DEMO_MODE"] = "1"
    os.environ["PROMO_DEMO_PUBLIC"] = public
    at = new_app()
    at.secrets.update(ISOLATED_SECRETS)
    return at.run()


@pytest.mark.parametrize("address", [None, "0.0.0.0", "192.168.1.10"])
def test_demo_mode_on_every_interface_shows_only_the_refusal(served: None, tmp_path: Path,
                                                            capfd: pytest.CaptureFixture[str],
                                                            address: str | None) -> None:
    try:
        at = _demo_app(tmp_path, address)
    finally:
        os.environ.pop("PROMO_DEMO_PUBLIC", None)
    assert not at.exception
    assert [e.value for e in at.error] == [t("access.demo_public")]
    assert not at.sidebar.selectbox and not at.sidebar.button and not at.warning and not at.metric
    assert len(at.main.children) == 1 and not at.sidebar.text_input  # nothing but the refusal
    assert "demo mode is refused" in capfd.readouterr().err


def test_demo_mode_on_loopback_or_explicitly_public_serves(served: None, tmp_path: Path) -> None:
    try:
        for address, public in (("127.0.0.1", ""), ("0.0.0.0", "1")):
            at = _demo_app(tmp_path, address, public)
            assert not at.exception
            assert t("access.demo_public") not in [e.value for e in at.error], (address, public)
            assert "view_as_search" in [w.key for w in at.sidebar.text_input]  # demo mode's "view as" picker
    finally:
        os.environ.pop("PROMO_DEMO_PUBLIC", None)
