"""Telling an English message from a Vietnamese one, so each gets an answer in its language."""

from __future__ import annotations

import re

from domain.text import fold, strip_diacritics

_EN_WORDS = frozenset(
    "which what who how many much show the of on in below above average communes commune "
    "units unit top lowest highest rank ranking status overdue tasks task due chart trend "
    "province report not meeting target reached yet is are with as this last week month year "
    "social accounts pensions health book e-id level help please compared since start".split()
)
_VI_WORDS = frozenset(
    "xa nao duoi tren trung binh bao nhieu cua tinh hinh thap nhat cao nhiem vu qua han "
    "chua dat chi tieu thang nay truoc tuan phuong ai so voi dau nam the thu may ve co "
    "da bieu do ve xu huong tong hop hom qua nay tai khoan suc khoe".split()
)


def detect_lang(text: str) -> str:
    """'vi' or 'en'. Diacritics settle it; otherwise count telltale words of each language."""
    if strip_diacritics(text) != text:
        return "vi"
    words = re.findall(r"[a-z\-]+", fold(text))
    en = sum(w in _EN_WORDS for w in words)
    vi = sum(w in _VI_WORDS for w in words)
    return "en" if en > vi else "vi"
