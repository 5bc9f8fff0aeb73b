"""Messages in the languages we support, and which of them a reader gets.

Every key exists in every catalog (a test checks); a missing one is a bug. A reader's stored language tag may be
one we lack ("fr-CA" from the ATS): it is kept as given and resolved here, on every read, to the best language we
have: the same language (any region or script), then the deployment's default.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Callable

from functions.core.models import Locale

_LOCALES_DIR = Path(__file__).parent / "locales"

# What a reader gets when none of their languages is one we have.
DEFAULT_LOCALE = Locale.EN


@lru_cache(maxsize=None)
def catalog(locale: Locale) -> dict[str, str]:
    return json.loads((_LOCALES_DIR / f"{locale.value}.json").read_text(encoding="utf-8"))


# The page's language switcher offers these, each named in its own language.
LANGUAGES = (("en", "English"), ("zh-CN", "简体中文"))

def supported(tag: str | None) -> Locale | None:
    """The language we have that serves a reader of `tag` ("fr-CA" -> None, "zh-HK" -> zh-CN, "en-GB" -> en)."""
    language = (tag or "").strip().replace("_", "-").lower().split("-")[0]
    return next((locale for locale in Locale if locale.value.lower().split("-")[0] == language), None)


def accepted_languages(header: str | None) -> list[str]:
    """An Accept-Language header's tags, most preferred first (q=0 and '*' left out)."""
    weighted = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, parameters = part.partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and tag.strip() != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def locale_of(value: str | None, accept_language: str | None = None, chosen: str | None = None) -> Locale:
    """The language picked on the page (?lang=) wins; then the stored tag; then Accept-Language; then the default.

    Each is taken only if we have its language: a stored "fr-CA" gives way to the browser's next choice."""
    for tag in [chosen, value, *accepted_languages(accept_language)]:
        if tag and (found := supported(tag)):
            return found
    return DEFAULT_LOCALE


def translator(locale: Locale) -> Callable[..., str]:
    messages = catalog(locale)

    def translate(key: str, **values) -> str:
        return messages[key].format(**values)

    return translate
