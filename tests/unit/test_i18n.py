"""zh-CN and en carry the same messages, and every key the code and templates use exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from functions.core.models import CandidateReason, CompanyReason, InterviewStatus, Locale, RequestStatus
from functions.core.i18n import catalog, locale_of

ROOT = Path(__file__).resolve().parents[2] / "functions"


def _used_keys() -> set[str]:
    keys = set()
    for path in list(ROOT.rglob("*.py")) + list(ROOT.rglob("*.j2")):
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z_.]+)["']""", path.read_text(encoding="utf-8")))
        keys |= set(re.findall(r"""(?:subject_key|body_key)=["']([a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    return keys


def test_both_locales_have_exactly_the_same_keys():
    assert set(catalog(Locale.EN)) == set(catalog(Locale.ZH_CN))


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


def test_placeholders_match_between_locales():
    for key, english in catalog(Locale.EN).items():
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", catalog(Locale.ZH_CN)[key])), key


@pytest.mark.parametrize("stored, header, expected", [
    ("zh-CN", None, Locale.ZH_CN), (None, "zh-CN,zh;q=0.9,en;q=0.8", Locale.ZH_CN),
    (None, "en-GB,en;q=0.9", Locale.EN), (None, None, Locale.EN), ("en", "zh-CN", Locale.EN),
    # a stored language we lack is kept elsewhere but read as the next language we have, then the default
    ("fr-CA", None, Locale.EN), ("fr-CA", "fr-CA,fr;q=0.9,zh-CN;q=0.8", Locale.ZH_CN), ("de", "*", Locale.EN),
    # preference order follows q, not position; q=0 means "not this one"
    (None, "en;q=0.2,zh-CN;q=0.9", Locale.ZH_CN), (None, "zh-CN;q=0,en-US", Locale.EN),
    (None, "zh-CN;q=bogus", Locale.EN), ("", ",,;", Locale.EN),
])
def test_locale_choice(stored, header, expected):
    assert locale_of(stored, header) is expected
