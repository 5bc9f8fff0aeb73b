"""Six languages carry the same messages, every key the code and templates use exists, counts take the language's
plural forms, times read in the reader's language, and a reader's language tag resolves to the closest we have."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel import Locale as BabelLocale

from functions.core.clock import local_text
from functions.core.errors import ConflictError, LinkInvalidError, PolicyViolationError
from functions.core.i18n import LANGUAGES, catalog, locale_of, translator
from functions.core.models import CandidateReason, CompanyReason, InterviewStatus, Locale, RequestStatus
from functions.web.rendering import render
from functions.web.responses import problem_text

ROOT = Path(__file__).resolve().parents[2] / "functions"
LOCALES_DIR = ROOT / "core" / "locales"
OTHERS = [locale for locale in Locale if locale is not Locale.EN]
# Catalogs added after the first two are kept sorted by key (merges of added keys stay one-line).
SORTED = [Locale.ZH_TW, Locale.JA, Locale.KO, Locale.ES]
# Messages that are the same in every language: nothing in them to translate.
SAME_EVERYWHERE = {
    "mail.retention.body",  # "{message}": the approver's own text
    "page.calendar_outlook",  # "Outlook.com": a product name
}


def _used_keys() -> set[str]:
    keys = set()
    for path in list(ROOT.rglob("*.py")) + list(ROOT.rglob("*.j2")):
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z_.]+)["']""", path.read_text(encoding="utf-8")))
        keys |= set(re.findall(r"""(?:subject_key|body_key)=["']([a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    return keys


def _forms(message: str | dict[str, str]) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_there_are_six_languages_each_with_a_catalog_file():
    # GIVEN the languages we support WHEN their catalog files are listed THEN there is one file per language, no more
    assert {locale.value for locale in Locale} == {"en", "zh-CN", "zh-TW", "ja", "ko", "es"}
    assert {p.stem for p in LOCALES_DIR.glob("*.json")} == {locale.value for locale in Locale}


@pytest.mark.parametrize("locale", OTHERS)
def test_every_catalog_has_exactly_the_keys_of_english(locale):
    # GIVEN the English catalog, the reference WHEN another language's keys are compared THEN none is missing or extra
    english, other = set(catalog(Locale.EN)), set(catalog(locale))
    assert (english - other, other - english) == (set(), set())


@pytest.mark.parametrize("locale", SORTED)
def test_the_added_catalogs_are_sorted_by_key(locale):
    keys = list(json.loads((LOCALES_DIR / f"{locale.value}.json").read_text(encoding="utf-8")))
    assert keys == sorted(keys)


@pytest.mark.parametrize("locale", list(Locale))
def test_every_key_used_in_code_and_templates_is_translated(locale):
    used = _used_keys()
    assert len(used) > 20  # the scan found the keys
    assert used - set(catalog(locale)) == set()


@pytest.mark.parametrize("locale", list(Locale))
def test_every_reason_and_status_has_a_label(locale):
    messages = catalog(locale)
    keys = {f"reason.{r.value}" for r in [*CandidateReason, *CompanyReason]}
    keys |= {f"status.{s.value}" for s in InterviewStatus} | {f"request.{s.value}" for s in RequestStatus}
    assert keys - set(messages) == set()


@pytest.mark.parametrize("locale", OTHERS)
def test_placeholders_are_the_same_as_in_english_in_every_form(locale):
    # GIVEN each English message and its translation WHEN their {placeholders} are compared, form by form
    # THEN they are identical: a lost or renamed placeholder would fail at send time or leak a raw "{name}"
    for key, english in catalog(Locale.EN).items():
        expected = set().union(*(_placeholders(form) for form in _forms(english)))
        for form in _forms(catalog(locale)[key]):
            assert _placeholders(form) == expected, (locale.value, key, form)


@pytest.mark.parametrize("locale", OTHERS)
def test_no_message_is_left_in_english(locale):
    # GIVEN a non-English catalog WHEN each message is compared with the English one
    english = catalog(Locale.EN)
    untranslated = [key for key, message in catalog(locale).items()
                    if key not in SAME_EVERYWHERE and set(_forms(message)) & set(_forms(english[key]))]
    # THEN none is the English text
    assert untranslated == []


@pytest.mark.parametrize("locale", list(Locale))
def test_each_message_with_a_count_has_exactly_the_plural_forms_of_its_language(locale):
    # GIVEN Babel's plural rule for the language (English: one/other; Spanish: one/many/other; CJK: other)
    categories = set(BabelLocale.parse(locale.value, sep="-").plural_form.tags) | {"other"}
    plural_keys = {key for key, message in catalog(Locale.EN).items() if isinstance(message, dict)}
    assert {"page.minutes", "page.policy", "report.days"} <= plural_keys
    # WHEN the catalog's count messages are read THEN they are the same keys, each with exactly those forms
    assert {key for key, message in catalog(locale).items() if isinstance(message, dict)} == plural_keys
    for key in plural_keys:
        assert set(catalog(locale)[key]) == categories, (locale.value, key)


@pytest.mark.parametrize("locale, count, expected", [
    (Locale.EN, 1, "1 minute"), (Locale.EN, 45, "45 minutes"), (Locale.EN, 0, "0 minutes"),
    (Locale.ES, 1, "1 minuto"), (Locale.ES, 30, "30 minutos"), (Locale.ES, 1000000, "1000000 de minutos"),
    (Locale.JA, 1, "1分"), (Locale.ZH_TW, 45, "45 分鐘"), (Locale.KO, 45, "45분"),
])
def test_a_count_picks_the_plural_form_of_the_readers_language(locale, count, expected):
    assert translator(locale)("page.minutes", count=count) == expected


def test_the_notice_policy_says_hour_or_hours_by_count():
    t = translator(Locale.EN)
    assert "at least 1 hour before" in t("page.policy", count=1)
    assert "at least 24 hours before" in t("page.policy", count=24)


@pytest.mark.parametrize("locale, expected", [
    (Locale.EN, "Saturday, November 28, 2026, 2:00\u202fPM (Asia/Shanghai)"),  # CLDR: a narrow no-break space
    (Locale.ZH_CN, "2026年11月28日星期六 14:00 (Asia/Shanghai)"),
    (Locale.ZH_TW, "2026年11月28日 星期六 下午2:00 (Asia/Shanghai)"),
    (Locale.JA, "2026年11月28日土曜日 14:00 (Asia/Shanghai)"),
    (Locale.KO, "2026년 11월 28일 토요일 오후 2:00 (Asia/Shanghai)"),
    (Locale.ES, "sábado, 28 de noviembre de 2026, 14:00 (Asia/Shanghai)"),
])
def test_a_stored_time_reads_in_the_readers_language_and_timezone(locale, expected):
    # GIVEN a stored UTC time WHEN it is written for a reader in Shanghai THEN it is their local time, their words
    assert local_text("2026-11-28T06:00:00.000Z", "Asia/Shanghai", locale) == expected


def test_an_unknown_timezone_reads_as_utc():
    written = local_text("2026-11-28T06:00:00.000Z", "Not/AZone", Locale.EN)
    assert written == "Saturday, November 28, 2026, 6:00\u202fAM (UTC)"


def test_the_language_switcher_offers_all_six_each_named_in_its_own_language():
    assert LANGUAGES == (("en", "English"), ("zh-CN", "简体中文"), ("zh-TW", "繁體中文"), ("ja", "日本語"),
                         ("ko", "한국어"), ("es", "Español"))


@pytest.mark.parametrize("stored, header, expected", [
    ("zh-CN", None, Locale.ZH_CN), (None, "zh-CN,zh;q=0.9,en;q=0.8", Locale.ZH_CN),
    (None, "en-GB,en;q=0.9", Locale.EN), (None, None, Locale.EN), ("en", "zh-CN", Locale.EN),
    # a stored language we lack is kept elsewhere but read as the next language we have, then the default
    ("fr-CA", None, Locale.EN), ("fr-CA", "fr-CA,fr;q=0.9,zh-CN;q=0.8", Locale.ZH_CN), ("de", "*", Locale.EN),
    # preference order follows q, not position; q=0 means "not this one"
    (None, "en;q=0.2,zh-CN;q=0.9", Locale.ZH_CN), (None, "zh-CN;q=0,en-US", Locale.EN),
    (None, "zh-CN;q=bogus", Locale.EN), ("", ",,;", Locale.EN),
    # the six, with regions and scripts: the same language wins
    ("ja-JP", None, Locale.JA), ("ko-KR", None, Locale.KO), ("es-MX", None, Locale.ES), ("es-419", None, Locale.ES),
    (None, "fr-FR,ja;q=0.8,en;q=0.5", Locale.JA), (None, "pt-BR,es;q=0.7", Locale.ES),
    # Chinese by script: Traditional for Taiwan, Hong Kong, Macao and zh-Hant; Simplified otherwise
    ("zh-TW", None, Locale.ZH_TW), ("zh-HK", None, Locale.ZH_TW), ("zh-MO", None, Locale.ZH_TW),
    ("zh-Hant", None, Locale.ZH_TW), ("zh-Hant-CN", None, Locale.ZH_TW), (None, "zh-hk", Locale.ZH_TW),
    ("zh", None, Locale.ZH_CN), ("zh-Hans", None, Locale.ZH_CN), ("zh-SG", None, Locale.ZH_CN),
    ("zh-Hans-HK", None, Locale.ZH_CN), ("zh_TW", None, Locale.ZH_TW),
])
def test_locale_choice(stored, header, expected):
    assert locale_of(stored, header) is expected


def test_the_language_picked_on_the_page_wins_over_stored_and_browser():
    assert locale_of("ja", "ko", chosen="es") is Locale.ES
    assert locale_of("ja", "ko", chosen="xx") is Locale.JA  # a pick we lack is ignored


@pytest.mark.parametrize("locale", OTHERS)
def test_a_message_page_in_another_language_shows_no_english(locale):
    # GIVEN the message page (errors, decisions) rendered in a non-English language with its own title and text
    t = translator(locale)
    html = render("pages/message.html.j2", locale, languages=LANGUAGES, title=t("page.error_title"),
                  message=t("page.already_decided"))
    # THEN it carries the language and none of the English catalog's sentences
    assert f'<html lang="{locale.value}">' in html
    assert english_sentences_in(html) == []
    # AND the same page in English is caught by the check (the check works)
    english = render("pages/message.html.j2", Locale.EN, languages=LANGUAGES, title="x",
                     message=translator(Locale.EN)("page.already_decided"))
    assert "page.already_decided: This request has already been decided" in english_sentences_in(english)


def english_sentences_in(html: str) -> list[str]:
    """English catalog messages of more than three words that appear verbatim in `html` (placeholders cut out).

    Names and ids never count: only our own catalog's texts are looked for."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&")
    found = []
    for key, message in catalog(Locale.EN).items():
        for form in _forms(message):
            for piece in re.split(r"{\w+}", form):
                piece = piece.strip(" .,:;()")
                if len(piece.split()) > 3 and piece in text:
                    found.append(f"{key}: {piece}")
    return found


# ---- API problems: a stable code, and the detail in the reader's language ----------------------------------------

def _problem_codes() -> set[str]:
    """Every code an error can carry: the classes' `code = "..."` and the raises' `code="..."`."""
    codes = set()
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"""\bcode\s*=\s*["']([a-z_]+)["']""", text))
    return codes


@pytest.mark.parametrize("locale", list(Locale))
def test_every_problem_code_has_a_text_in_every_language(locale):
    codes = _problem_codes()
    assert {"too_late_to_cancel", "link_invalid", "already_decided", "invalid_request"} <= codes  # the scan works
    assert {c for c in codes if f"problem.{c}" not in catalog(locale)} == set()


def test_a_problem_reads_in_the_readers_language_with_its_values_and_keeps_its_code():
    # GIVEN the too-late refusal as the domain raises it
    exc = PolicyViolationError("Cancellations less than 24 hours before ...", code="too_late_to_cancel", hours="24",
                               contact="chen.jing@company.example.com")
    # WHEN it is written for readers of Chinese, Japanese and English
    texts = {locale: problem_text(exc, locale) for locale in (Locale.ZH_CN, Locale.JA, Locale.EN)}
    # THEN each reads it in their language, with the hours and the recruiter's address filled in
    assert texts[Locale.ZH_CN] == "面试开始前不足 24 小时，无法在线取消；请联系您的招聘专员：chen.jing@company.example.com。"
    assert "24時間" in texts[Locale.JA] and "chen.jing@company.example.com" in texts[Locale.JA]
    assert texts[Locale.EN].startswith("Cancellations less than 24 hours before the interview cannot be made online")
    assert exc.code == "too_late_to_cancel" and exc.detail.startswith("Cancellations less than 24 hours")


def test_a_problem_without_its_values_falls_back_to_its_class_text_and_an_unknown_code_to_english():
    assert problem_text(PolicyViolationError("x", code="too_late_to_cancel"), Locale.KO) == \
        catalog(Locale.KO)["problem.policy_violation"]
    assert problem_text(ConflictError("Some new English text.", code="not_in_any_catalog"), Locale.JA) == \
        catalog(Locale.JA)["problem.conflict"]
    assert ConflictError("x").code == "conflict" and LinkInvalidError("x").code == "link_invalid"
