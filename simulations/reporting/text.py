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


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n\t\v\f\u2028\u2029]+", " ", text)


# GitHub-flavoured Markdown turns bare addresses into links after escapes are resolved
# (http://..., www...., name@host); a word joiner (U+2060, invisible) breaks the pattern.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")


def plain_markdown(value: object, limit: int | None = 60) -> str:
    """``value`` (cut with ``clip`` unless ``limit`` is None) as Markdown that renders as the
    literal text on one line: Markdown characters backslash-escaped, line breaks as spaces,
    bare addresses kept from becoming links."""
    text = _one_line(str(value) if limit is None else clip(value, limit))
    text = _ACTIVE.sub(r"\\\1", _AUTOLINK.sub("\u2060", text))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def quoted(value: object, limit: int = 60) -> str:
    """A user's value inside a Markdown message, as inline code: nothing in it takes effect
    (no link, image, emphasis or shortcode), and its fence is longer than any run of
    backticks inside, so a backtick cannot close it."""
    text = _one_line(clip(value, limit))
    if not text:
        return "“”"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"
