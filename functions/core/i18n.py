"""Messages in the languages we support, and which of them a reader gets.

The catalogs are JSON files in locales/, one per language. Every key exists in every catalog (a test checks); a
missing one is a bug. A message with a count is an object keyed by CLDR plural category ("one", "other", ...):
Babel's plural rules for the language pick the form from the `count` value.

A reader's stored language tag may be one we lack ("fr-CA" from the ATS): it is kept as given and resolved here, on
every read, to the best language we have: the same language (any region or script), then the deployment's default.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Callable

from babel import Locale as BabelLocale

from functions.core.models import Locale

_LOCALES_DIR = Path(__file__).parent / "locales"

# What a reader gets when none of their languages is one we have.
DEFAULT_LOCALE = Locale.EN


@lru_cache(maxsize=None)
def catalog(locale: Locale) -> dict[str, str | dict[str, str]]:
    return json.loads((_LOCALES_DIR / f"{locale.value}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def babel_locale(locale: Locale) -> BabelLocale:
    """Babel's data for the language: plural rules, date and time formats."""
    return BabelLocale.parse(locale.value, sep="-")


# The page's language switcher offers these, each named in its own language.
NATIVE_NAMES = {Locale.EN: "English", Locale.ZH_CN: "简体中文", Locale.ZH_TW: "繁體中文",
                Locale.JA: "日本語", Locale.KO: "한국어", Locale.ES: "Español"}
LANGUAGES = tuple((locale.value, NATIVE_NAMES[locale]) for locale in Locale)

_TRADITIONAL_CHINESE_REGIONS = {"tw", "hk", "mo"}


def supported(tag: str | None) -> Locale | None:
    """The language we have that serves a reader of `tag` ("fr-CA" -> None, "es-MX" -> es, "zh-HK" -> zh-TW).

    Chinese goes by script: Traditional (zh-Hant, or Taiwan, Hong Kong, Macao without a script) -> zh-TW,
    otherwise Simplified (zh, zh-Hans, zh-SG, zh-CN) -> zh-CN."""
    subtags = (tag or "").strip().replace("_", "-").lower().split("-")
    language, rest = subtags[0], set(subtags[1:])
    if language == "zh":
        traditional = "hant" in rest or ("hans" not in rest and bool(_TRADITIONAL_CHINESE_REGIONS & rest))
        return Locale.ZH_TW if traditional else Locale.ZH_CN
    return next((locale for locale in Locale if locale.value == language), None)


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


def reader_locale(tag: str | None, default: str | None = None) -> Locale:
    """The language for a reader with a stored tag (a staff member's, from the ATS): theirs if we have it or its
    language, else the deployment's `default` tag's, else DEFAULT_LOCALE. No browser is asked: mails, calendars."""
    return supported(tag) or supported(default) or DEFAULT_LOCALE


def translator(locale: Locale) -> Callable[..., str]:
    messages = catalog(locale)

    plural_form = babel_locale(locale).plural_form

    def translate(key: str, **values) -> str:
        message = messages[key]
        if isinstance(message, dict):  # a message with a count: the form the language's plural rule picks
            message = message.get(plural_form(values["count"]), message["other"])
        return message.format(**values)

    return translate
