"""Echoing what a user typed or uploaded: cut to a readable length, and as plain text in Markdown.

A message may repeat a bad value so the person sees what was wrong, but a 50 MB link value
must not make a 50 MB line (``clip``), and a value echoed on a page or in a Markdown
download must not turn into a link, an image, a heading or a closed code span
(``plain_markdown``).
"""

from __future__ import annotations

import re

# Any ASCII punctuation may be backslash-escaped in CommonMark and then reads as itself.
# Escaped anywhere: what starts emphasis, code, links, images, HTML, tables, entities and
# Streamlit's own syntax (:material/icon:, :red[text], $math$). Escaped at the start of the
# text only: what would start a list, a quote or a heading underline there.
_ACTIVE = re.compile(r"([\\`*_{}\[\]()#!|<>~$:&])")
_LINE_START = re.compile(r"^(\s*|\s*\d+)((?<=\d)[.)]|(?<!\d)[-+=>])")


def clip(value: object, limit: int = 60) -> str:
    """``value`` as text, cut to ``limit`` characters with the full length said."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def plain_markdown(value: object, limit: int | None = 60) -> str:
    """``value`` (cut with ``clip`` unless ``limit`` is None) as Markdown that renders as the
    literal text on one line: punctuation backslash-escaped, line breaks as spaces."""
    text = str(value) if limit is None else clip(value, limit)
    text = re.sub(r"[\r\n\t\v\f\u2028\u2029]+", " ", text)
    text = _ACTIVE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def quoted(value: object, limit: int = 60) -> str:
    """A user's value inside a Markdown message: plain text between quotation marks."""
    return f"“{plain_markdown(value, limit)}”"
