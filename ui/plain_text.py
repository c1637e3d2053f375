"""User data as plain text: the one place that escapes data values for the markup they are shown in.

Streamlit renders Markdown in alerts, captions and metric values, and Plotly reads a few HTML tags (``<b>``,
``<br>``, ``<a href>``) and entities in trace names and labels. A title, a tier name or a country code from the data
must show as the characters it holds, never as an image, a link or bold text. Tables (``st.dataframe``) show text
as text already and need nothing.
"""

from __future__ import annotations

import html
import re

# CommonMark lets every ASCII punctuation character be escaped with a backslash, which makes it literal
_MARKDOWN_SPECIAL = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# GitHub's autolinks (a bare ``http://``/``https://`` URL, ``www.``, an e-mail address) are found in the text *after*
# escapes are resolved, so escaping does not stop them: a WORD JOINER (U+2060, invisible, no width) is put where the
# autolink patterns need two characters side by side (``https:`` and ``//``, ``www`` and ``.``, before ``@``)
WORD_JOINER = "\u2060"
_AUTOLINK_JOINTS = re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?=@)")


def markdown_text(value: object) -> str:
    """A data value to put into Markdown (st.warning/info/error/caption/markdown/toast text, st.metric values,
    widget labels and help): every punctuation character escaped, line breaks as spaces, and autolinks broken by
    an invisible word joiner, so it renders as exactly its own characters and never as a link, image or format."""
    text = "" if value is None else str(value)
    text = _AUTOLINK_JOINTS.sub(WORD_JOINER, " ".join(text.splitlines()))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def chart_text(value: object) -> str:
    """A data value to use as a Plotly trace name, axis category or label: HTML-escaped (Plotly shows entities as
    the characters they stand for and reads no tag in them)."""
    return html.escape("" if value is None else str(value), quote=False)
