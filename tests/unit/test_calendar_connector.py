"""Which calendar an interviewer is connected to: an entry for their address wins over one for their domain, the
address fills in a domain entry's URL, an unconnected interviewer has none, and bad configuration says what is
wrong; CalDAV entry names are the UID when it is a plain name."""

import pytest

from functions.integration.caldav_calendar import resource_name
from functions.integration.calendar_connector import CalendarConfigError, Connection, connection_for

CONNECTIONS = {
    "@company.example.com": {"url": "https://dav.company.example.com/{user}/interviews/", "secret_arn": "arn:domain"},
    "Jun.Park@company.example.com": {"url": "https://caldav.icloud.example/p1/calendars/work/",
                                     "secret_arn": "arn:jun"},
}


def test_an_address_entry_wins_over_the_domain_entry_whatever_the_case():
    assert connection_for("jun.park@COMPANY.example.com", CONNECTIONS) == Connection(
        url="https://caldav.icloud.example/p1/calendars/work/", secret_arn="arn:jun")


def test_a_domain_entry_gets_the_interviewers_name_in_its_url():
    assert connection_for("mia.chen@company.example.com", CONNECTIONS) == Connection(
        url="https://dav.company.example.com/mia.chen/interviews/", secret_arn="arn:domain")


def test_an_interviewer_of_another_domain_is_not_connected():
    assert connection_for("someone@elsewhere.example", CONNECTIONS) is None


@pytest.mark.parametrize("entry, problem", [
    ({"url": "https://dav.example/{user}/"}, "malformed"),
    ({"url": "https://dav.example/{unknown}/", "secret_arn": "arn:x"}, "malformed"),
    ({"url": "ftp://dav.example/", "secret_arn": "arn:x"}, "no http"),
])
def test_bad_configuration_is_refused_with_what_is_wrong(entry, problem):
    with pytest.raises(CalendarConfigError, match=problem):
        connection_for("a@bad.example", {"@bad.example": entry})


def test_plain_uids_name_their_entry_and_others_get_a_stable_digest():
    assert resource_name("int-1@interviews.cancellations") == "int-1@interviews.cancellations"
    odd = resource_name("0400/ats id@ats.example.com")
    assert odd.startswith("uid-") and "/" not in odd and odd == resource_name("0400/ats id@ats.example.com")
