"""A session forgets the metadata of widgets it no longer shows (``ui.widget_metadata``): Streamlit 1.67 keeps one
entry (with the callback's arguments, and through them the run's namespace) per widget identity for the session's
lifetime, so a page whose widget keys follow the data (undo buttons keyed by log entry) grew a replica's memory
with every decision."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]

SCRIPT = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from ui.widget_metadata import forget_stale_widget_metadata

forgotten = forget_stale_widget_metadata() if st.session_state.get("forget", True) else 0
n = st.session_state.get("n", 0)
st.session_state["n"] = n + 1


def undo(entry):
    st.session_state["undone"] = entry


st.button("Отменить", key=f"undo_{{n}}", on_click=undo, args=(n,))  # a key that changes on every run
st.button("Оставить", key="stay", on_click=undo, args=("stay",))
st.text_input("Имя", key="name")
kept = len(get_script_run_ctx().session_state._state._new_widget_state.widget_metadata)
st.text(f"metadata={{kept}} undone={{st.session_state.get('undone')}} name={{st.session_state.get('name')}}")
"""


def app(tmp_path: Path, forget: bool = True) -> AppTest:
    script = tmp_path / "app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    at = AppTest.from_file(str(script))
    at.session_state["forget"] = forget
    return at.run()


def shown(at: AppTest) -> str:
    return str(at.text[0].value)


def test_streamlit_keeps_gone_widgets_metadata_without_the_workaround(tmp_path: Path) -> None:
    """The leak itself: if a Streamlit release fixes it, this test says so and the workaround can go."""
    at = app(tmp_path, forget=False)
    for _ in range(20):
        at.run()
    assert shown(at).startswith("metadata=23 ")  # 21 undo buttons, "stay" and the text input


def test_metadata_stays_bounded_across_runs(tmp_path: Path) -> None:
    at = app(tmp_path)
    for _ in range(20):
        at.run()
    assert shown(at).startswith("metadata=4 ")  # this run's three widgets and the last run's undo button


def test_widgets_still_work_after_their_neighbours_metadata_is_forgotten(tmp_path: Path) -> None:
    at = app(tmp_path)
    for _ in range(5):
        at.run()
    at.text_input(key="name").input("Вася 🎵").run()
    at.button(key="stay").click().run()
    assert shown(at).endswith("undone=stay name=Вася 🎵")
    undo = next(b for b in at.button if b.key.startswith("undo_"))
    undo.click().run()
    assert shown(at).endswith(f"undone={undo.key.removeprefix('undo_')} name=Вася 🎵")
    at.run()
    assert "name=Вася 🎵" in shown(at)


def test_outside_a_script_run_nothing_happens() -> None:
    from ui.widget_metadata import forget_stale_widget_metadata

    assert forget_stale_widget_metadata() == 0
