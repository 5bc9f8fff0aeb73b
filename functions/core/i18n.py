"""Messages in zh-CN and en. Every key must exist in every locale (a test checks); a missing one is a bug."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Callable

from functions.core.models import Locale

_LOCALES_DIR = Path(__file__).parent / "locales"


@lru_cache(maxsize=None)
def catalog(locale: Locale) -> dict[str, str]:
    return json.loads((_LOCALES_DIR / f"{locale.value}.json").read_text(encoding="utf-8"))


# The page's language switcher offers these, each named in its own language.
LANGUAGES = (("en", "English"), ("zh-CN", "简体中文"))


def locale_of(value: str | None, accept_language: str | None = None, chosen: str | None = None) -> Locale:
    """The language picked on the page (?lang=) wins; then the stored locale; then Accept-Language; then English."""
    header = [part.split(";")[0].strip() for part in (accept_language or "").split(",")]
    for candidate in [chosen or "", value or "", *header]:
        if candidate.lower().startswith("zh"):
            return Locale.ZH_CN
        if candidate.lower().startswith("en"):
            return Locale.EN
    return Locale.EN


def translator(locale: Locale) -> Callable[..., str]:
    messages = catalog(locale)

    def translate(key: str, **values) -> str:
        return messages[key].format(**values)

    return translate
