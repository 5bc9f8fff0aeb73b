"""The nightly report reads in its reader's language: recommendations stored as a key and figures are worded from
the catalogs, with the figures in the language's notation; the report's labels too; a report stored before that
(recommendations with English `text`) still renders with what it has."""

from __future__ import annotations

import re
from html import unescape
from datetime import date

import pytest

from functions.analytics import benchmarks, recommendations, render, report
from functions.core.i18n import catalog
from functions.core.models import Locale
from functions.domain.measures import aggregates
from functions.domain.measures.aggregates import Dimensions, Totals
from functions.web import report_text
from tests.unit.test_i18n import english_sentences_in

DAY = date(2030, 1, 14)
EVERY_KEY = {"widen_slots", "clarify_jobs", "hot_hour", "hot_weekday", "hot_source", "hot_job", "faster_approvals",
             "retention", "satisfaction"}
# Words of the English recommendations and labels that no other language's report may show.
ENGLISH_WORDS = re.compile(r"\b(?:Widen|slots?|candidates?|cancelled|against|overall|benchmark|Approve|retention|"
                           r"rejected|ratings?|mean|Check|Offer|fewer|easier|median|percentile|hours?|"
                           r"Schedule conflict|Candidate|more|Mon|Wed)\b")


def _every_recommendation() -> dict:
    """A period whose figures trigger every recommendation: 40 quiet Monday-morning referral interviews, and 10
    Wednesday-evening agency ones of which 8 asked to cancel (half over the schedule, half over the job); a slow
    approval, a rejected request nobody kept, and a one-star rating."""
    quiet = Dimensions.of("Backend Engineer", "Engineering", "referral", "2030-01-14T02:00:00Z", "Asia/Shanghai")
    hot = Dimensions.of("Sales Lead", "Sales", "agency", "2030-01-16T10:00:00Z", "Asia/Shanghai")
    events = [aggregates.scheduled(quiet) for _ in range(40)] + [aggregates.scheduled(hot) for _ in range(10)]
    events += [aggregates.requested(hot, "candidate", reason, False)
               for reason in ("schedule_conflict", "job_mismatch") for _ in range(4)]
    events += [aggregates.decided("approved", "approver:rec-1", "2030-01-12T00:00:00Z", "2030-01-13T12:00:00Z",
                                  "2030-01-13T12:00:00Z"),
               aggregates.decided("rejected", "approver:rec-1", "2030-01-12T00:00:00Z", "2030-01-12T01:00:00Z",
                                  "2030-01-12T01:00:00Z"),
               aggregates.rated(1)]
    totals = Totals()
    for found in events:
        totals.add({i.metric: (i.n, i.total or 0.0) for i in aggregates.merged(DAY.isoformat(), found)})
    return report.build(DAY, DAY, totals, benchmarks.load())


def _text(html: str) -> str:
    return re.sub(r"[ \t\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_recommendation_is_stored_as_its_key_and_figures_not_as_a_sentence():
    # GIVEN a period whose figures trigger every recommendation WHEN the report is built
    built = _every_recommendation()
    # THEN each recommendation is there once per group, as a key with numbers and names, without words
    assert {r["key"] for r in built["recommendations"]} == EVERY_KEY
    assert all(set(r) == {"key", "params"} for r in built["recommendations"])
    widen = next(r for r in built["recommendations"] if r["key"] == "widen_slots")
    assert widen["params"] == {"share": 0.5, "requests": 4}
    hot_weekday = next(r for r in built["recommendations"] if r["key"] == "hot_weekday")
    assert hot_weekday["params"] == {"dimension": "weekday", "value": "Wed", "rate": 0.8, "overall": 0.16,
                                     "requested": 8, "scheduled": 10}


@pytest.mark.parametrize("locale", [Locale.ZH_CN, Locale.JA, Locale.ZH_TW, Locale.KO, Locale.ES])
def test_every_recommendation_reads_in_the_readers_language_without_english(locale):
    # GIVEN a report with every recommendation WHEN it is rendered for a reader of another language
    built = _every_recommendation()
    html = render.to_html(built, locale)
    text = _text(html)
    # THEN each recommendation and its evidence are the catalog's, with the figures in the language's notation
    for item in built["recommendations"]:
        worded = report_text.recommendation(item, locale)
        assert worded["text"] and worded["text"] in text and worded["evidence"] in text, item["key"]
    assert report_text.percent(0.8, locale, 0) in text
    # AND no English sentence of ours, nor an English word of the recommendations and labels, is left
    # (names aside: the job and source names are the company's own)
    names_cut = text.replace("Sales Lead", "").replace("Backend Engineer", "").replace("Engineering", "")
    assert english_sentences_in(html) == []
    assert ENGLISH_WORDS.findall(names_cut.replace("Sales", "")) == []


def test_the_chinese_and_japanese_reports_say_what_to_change_in_their_words():
    built = _every_recommendation()
    zh = _text(render.to_html(built, Locale.ZH_CN))
    ja = _text(render.to_html(built, Locale.JA))
    assert "放宽可选时段，并允许候选人改期而不是取消面试" in zh and "时间冲突占候选人申请的 50%（4 个）" in zh
    assert "减少周三的面试时段" in zh and "星期 周三：取消率 80%，整体为 16%" in zh
    assert "日程の都合が候補者の申請の 50%（4 件）を占めています" in ja and "水曜日の枠を減らす" in ja
    assert "平均評価 1（5 点満点）" in ja
    assert "审批用时第 90 百分位（小时）" in zh  # the benchmark's name, not its id


def test_the_english_report_says_what_it_said_before():
    text = _text(render.to_html(_every_recommendation(), Locale.EN))
    assert "Widen the slot hours and let candidates move their interview instead of cancelling it" in text
    assert "schedule conflicts are 50% of the candidates' requests (4)" in text
    assert "Offer fewer slots at 18:00 or make them easier to move" in text
    assert "slot hour 18:00: 80% cancelled against 16% overall (8 of 10)" in text
    assert "Check what candidates from 'agency' are told before they book" in text
    assert "only 0% of rejected requests ended with the candidate attending" in text
    assert "mean rating 1 of 5" in text


def test_the_spanish_report_writes_figures_the_spanish_way():
    text = _text(render.to_html(_every_recommendation(), Locale.ES))
    assert "los conflictos de horario son el 50\u00a0% de las solicitudes de los candidatos (4)" in text


def test_a_report_stored_before_recommendations_had_figures_renders_what_it_has():
    # GIVEN a stored report whose recommendations carry English sentences (and one with params it cannot use)
    built = _every_recommendation()
    built["recommendations"] = [
        {"key": "widen_slots", "text": "Widen the slot hours", "evidence": "schedule conflicts are 50%"},
        {"key": "hot_hour", "params": {"unexpected": 1}, "text": "Old hot hour text", "evidence": "old evidence"},
        {"key": "some_future_key", "params": {"x": 1}}]
    # WHEN it is rendered for a Chinese reader
    text = _text(render.to_html(built, Locale.ZH_CN))
    # THEN it does not fail: what the stored items say is shown as it was stored
    assert "Widen the slot hours — schedule conflicts are 50%" in text
    assert "Old hot hour text — old evidence" in text and "some_future_key" in text


def test_every_recommendation_key_has_its_text_and_evidence_in_every_language():
    keys = {f"report.rec.{k}" for k in EVERY_KEY} | {f"report.rec.{k}.evidence" for k in EVERY_KEY
                                                   if not k.startswith("hot_")} | {"report.rec.hot_spot.evidence"}
    assert set(recommendations.HOT_SPOT_DIMENSIONS) == {k.removeprefix("hot_") for k in EVERY_KEY
                                                         if k.startswith("hot_")}
    for locale in Locale:
        assert keys - set(catalog(locale)) == set(), locale
        assert {f"report.metric.{m}" for m in benchmarks.Metric.__args__} - set(catalog(locale)) == set()
