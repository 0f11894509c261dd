"""Articles are Markdown (CommonMark with tables), turned into HTML and sanitised on every render.

Raw HTML in the source is not rendered (markdown-it's `html` option is off) and the output goes
through nh3 with a short list of tags, so an editor's mistake or a compromised account cannot put
a script, a style or a remote image on the help pages (the CSP would block them too).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    headings: tuple[Heading, ...]  # the `##` headings, for a table of contents
    text: str  # plain text, for search


@lru_cache(maxsize=512)
def render(source: str) -> Rendered:
    tokens = _parser.parse(source)
    headings: list[Heading] = []
    used: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            text = tokens[index + 1].content
            anchor = base = slugify(text)[:60] or "section"
            counter = 2
            while anchor in used:
                anchor, counter = f"{base}-{counter}", counter + 1
            used.add(anchor)
            token.attrSet("id", anchor)
            if token.tag == "h2":
                headings.append(Heading(level=2, text=text, anchor=anchor))
        elif token.type == "th_open":
            token.attrSet("scope", "col")
    raw = _parser.renderer.render(tokens, _parser.options, {})
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Rendered(html=mark_safe(clean), headings=tuple(headings), text=plain_text(clean))  # noqa: S308 - sanitised by nh3


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|th|td|pre|blockquote)>|<br\s*/?>", re.IGNORECASE)


def plain_text(markup: str) -> str:
    """The text of sanitised HTML, one line per block."""
    spaced = _BLOCK_END.sub(lambda match: match.group(0) + "\n", markup)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return re.sub(r"[ \t]*\n\s*", "\n", text).strip()
