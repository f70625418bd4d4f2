"""Minimal re-implementation of Telegram's text formatting rules for the fake Bot API.

Telegram strips the markup from ``text``/``caption`` and returns the plain text plus
``entities``; malformed markup is rejected with ``400 Bad Request: can't parse entities``.
The checks here are deliberately close to Telegram's for the mistakes bots make in practice
(unescaped ``<``/``&`` in HTML, unescaped ``.``/``!``/``-`` in MarkdownV2, unbalanced tags).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

__all__ = ["ParseError", "detect_entities", "render", "utf16_len"]


class ParseError(ValueError):
    """Raised for markup Telegram would reject; ``str(exc)`` is the API description suffix."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of Telegram entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_BAD_LT = re.compile(r"<(?![a-zA-Z/!])")
_BAD_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class _HtmlToEntities(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.plain: list[str] = []
        self.u16_pos = 0
        self.stack: list[tuple[str, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def _pos(self) -> str:
        line, col = self.getpos()
        return f"{col}" if line == 1 else f"{line}:{col}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = _HTML_TAGS.get(tag)
        attr = dict(attrs)
        if kind is None or (tag == "span" and attr.get("class") != "tg-spoiler"):
            raise ParseError(f'Unsupported start tag "{tag}" at byte offset {self._pos()}')
        entity: dict[str, Any] = {"type": kind, "offset": self.u16_pos}
        if tag == "a":
            href = attr.get("href") or ""
            match = re.match(r"tg://user\?id=(\d+)$", href)
            if match:
                entity = {
                    "type": "text_mention",
                    "offset": self.u16_pos,
                    "user": {"id": int(match[1]), "is_bot": False, "first_name": ""},
                }
            else:
                entity["url"] = href
        elif tag == "blockquote" and "expandable" in attr:
            entity["type"] = "expandable_blockquote"
        elif tag == "code" and self.stack and self.stack[-1][0] == "pre":
            lang = (attr.get("class") or "").removeprefix("language-")
            if lang:
                self.stack[-1][1]["language"] = lang
            entity["_nested_code"] = True
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attr.get("emoji-id") or ""
        self.stack.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise ParseError(f'Unexpected end tag "{tag}" at byte offset {self._pos()}')
        _, entity = self.stack.pop()
        entity["length"] = self.u16_pos - entity["offset"]
        if entity.pop("_nested_code", False) or entity["length"] == 0:
            return
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.plain.append(data)
        self.u16_pos += utf16_len(data)

    def close(self) -> None:
        super().close()
        if self.stack:
            raise ParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )


def _render_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    bad = _BAD_LT.search(text)
    if bad:
        raise ParseError(f'Unsupported start tag "" at byte offset {bad.start()}')
    bad = _BAD_AMP.search(text)
    if bad and re.match(r"&[a-zA-Z]+;", text[bad.start() :]):
        raise ParseError(f"Unsupported HTML entity at byte offset {bad.start()}")
    parser = _HtmlToEntities()
    parser.feed(text)
    parser.close()
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.plain), entities


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_FORMAT = set("_*~|[]()`>")


def _render_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Strip MarkdownV2 markup; raise like Telegram on unescaped reserved characters."""
    out: list[str] = []
    i = 0
    in_code = False
    in_link_url = False
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = text.startswith("```", i)
            if fence:
                i += 3
                if not in_code:  # skip an optional language on the opening fence
                    end = text.find("\n", i)
                    if end != -1 and re.fullmatch(r"[\w+-]*", text[i:end]):
                        i = end + 1
                in_code = not in_code
            else:
                in_code = not in_code
                i += 1
            continue
        if in_code:
            out.append(ch)
            i += 1
            continue
        if in_link_url:
            if ch == ")":
                in_link_url = False
            i += 1
            continue
        if ch == "]" and text.startswith("](", i):
            in_link_url = True
            i += 2
            continue
        if ch in _MDV2_FORMAT:
            if ch == ">" and i > 0 and text[i - 1] != "\n":
                raise ParseError(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
            i += 1
            continue
        if ch in _MDV2_RESERVED:
            raise ParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        i += 1
    if in_code:
        raise ParseError("Can't find end of Pre entity at byte offset 0")
    return "".join(out), []


def _render_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    plain = re.sub(r"(?<!\\)[*_`]", "", plain).replace("\\", "")
    return plain, []


def render(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return ``(plain_text, entities)`` for ``text`` formatted with ``parse_mode``."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text)
    if mode == "markdown":
        return _render_markdown(text)
    return text, []


_AUTO_ENTITY = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{4,32})"
    r"|(?P<url>https?://[^\s]+)"
    r"|(?P<hashtag>(?<![\w#])#\w+)"
    r"|(?P<email>[\w.+-]+@[\w-]+\.[\w.-]+)"
)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients/servers add automatically to a user's plain text."""
    entities = []
    for match in _AUTO_ENTITY.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities
