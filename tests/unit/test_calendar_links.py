"""Google Calendar and Outlook.com "add to calendar" links: the new-event form filled in with the title and the
interview's start and end in UTC, whatever offset the time was stored with."""

from urllib.parse import parse_qs, urlsplit

from functions.web import calendar_links


def _query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_the_google_link_fills_in_title_and_utc_start_and_end():
    # WHEN the link is made for a 45-minute interview at 14:00 in Shanghai
    url = calendar_links.google("Backend Engineer & Co", "2030-01-15T14:00:00+08:00", 45)
    # THEN it opens Google's template form with the title (escaped) and 06:00-06:45 UTC
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert _query(url) == {"action": ["TEMPLATE"], "text": ["Backend Engineer & Co"],
                           "dates": ["20300115T060000Z/20300115T064500Z"]}


def test_the_outlook_link_fills_in_title_and_utc_start_and_end():
    url = calendar_links.outlook("Backend Engineer", "2030-01-15T06:00:00.000Z", 60)
    assert url.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    query = _query(url)
    assert query["subject"] == ["Backend Engineer"] and query["rru"] == ["addevent"]
    assert (query["startdt"], query["enddt"]) == (["2030-01-15T06:00:00Z"], ["2030-01-15T07:00:00Z"])
