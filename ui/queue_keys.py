"""The moderation queue's keys that Streamlit's own button shortcuts cannot give.

J, K, A, U and X are ``st.button(shortcut=…)`` on the queue page (Streamlit ignores them while a text field has the
focus, and reads the physical key, so they work on a Russian keyboard layout too). Streamlit reserves R (rerun) and
C, and takes no punctuation, so one small ``st.components.v2`` component listens for the rest, on the page itself
(no iframe), before Streamlit does:

- **R** (with the focus anywhere but a text field): the focus goes to the reason field; Streamlit's own "rerun" on R
  is stopped.
- In the **empty** reason field, **1–9** reject the open item with that canned reason; **Enter** in a reason field
  with text rejects with it; **Esc** leaves the field. (Digits in a field with text are typed as usual.)
- **?** opens the keys' help popover.

What Python gets is a trigger value ``{"act": "reason", "n": 3}`` or ``{"act": "reject_text", "text": "…"}``,
handled by ``dashboard.moderation.queue_session.on_key``. Keys are read by ``event.code`` (the physical key).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

REASON_FIELD = "mod_reason_text"  # the free-text reason widget's key (Streamlit gives it the class st-key-<key>)
HELP_POPOVER = "mod_keys_help"  # the help popover's key

_JS = """
export default function (component) {
  const { setTriggerValue, data } = component;
  const reasonSelector = ".st-key-" + data.reason + " input";
  const helpSelector = ".st-key-" + data.help + " button";
  const own = { send: (value) => setTriggerValue("key", value), reasonSelector, helpSelector };
  window.__promoQueueKeys = own;
  if (!window.__promoQueueKeysBound) {
    window.__promoQueueKeysBound = true;
    const isTextField = (el) => {
      if (!el || !el.tagName) return false;
      if (el.isContentEditable) return true;
      if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
      return el.tagName === "INPUT" &&
        !["checkbox", "radio", "range", "button", "file", "reset", "submit", "color"].includes(el.type);
    };
    window.addEventListener("keydown", (event) => {
      const keys = window.__promoQueueKeys;
      if (!keys || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      const path = event.composedPath ? event.composedPath() : [event.target];
      const target = path[0] || event.target;
      const stop = () => { event.preventDefault(); event.stopImmediatePropagation(); };
      const reasonField = document.querySelector(keys.reasonSelector);
      if (target && target === reasonField) {
        const digit = /^(Digit|Numpad)([1-9])$/.exec(event.code || "");
        if (digit && target.value === "") {
          stop();
          target.blur();  // the keys work again right after the decision
          keys.send({ act: "reason", n: Number(digit[2]), at: Date.now() });
        } else if (event.key === "Enter" && target.value.trim() !== "") {
          stop();
          const text = target.value;
          target.blur();
          keys.send({ act: "reject_text", text, at: Date.now() });
        } else if (event.key === "Escape") {
          target.blur();
        }
        return;
      }
      if (isTextField(target)) return;
      if (event.code === "KeyR" && !event.shiftKey) {
        stop();
        if (reasonField) reasonField.focus();
      } else if (event.key === "?" || (event.code === "Slash" && event.shiftKey)) {
        stop();
        const help = document.querySelector(keys.helpSelector);
        if (help) help.click();
      }
    }, true);
  }
  return () => { if (window.__promoQueueKeys === own) window.__promoQueueKeys = null; };
}
"""

_component = st.components.v2.component("promo_queue_keys", js=_JS, isolate_styles=False)


def key_listener(on_key: Callable[[Any], None]) -> None:
    """Mount the listener; ``on_key(value)`` gets each trigger value (in a callback, before the page's run)."""

    def forward() -> None:
        value = st.session_state.get("mod_keys")
        event = value.get("key") if isinstance(value, dict) else getattr(value, "key", None)
        on_key(event)

    _component(key="mod_keys", data={"reason": REASON_FIELD, "help": HELP_POPOVER}, on_key_change=forward,
               height=0)
