"""Environment variables, parsed once into one typed model. The CDK app sets exactly these names."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    stage: str = Field("local", alias="STAGE")
    interviews_table: str = Field(alias="TABLE_INTERVIEWS")
    candidates_table: str = Field(alias="TABLE_CANDIDATES")
    requests_table: str = Field(alias="TABLE_REQUESTS")
    approvals_table: str = Field(alias="TABLE_APPROVALS")
    audit_table: str = Field(alias="TABLE_AUDIT")
    slots_table: str = Field(alias="TABLE_SLOTS")
    links_table: str = Field(alias="TABLE_LINKS")
    idempotency_table: str = Field(alias="TABLE_IDEMPOTENCY")
    suppressions_table: str = Field(alias="TABLE_SUPPRESSIONS")
    waitlist_table: str = Field(alias="TABLE_WAITLIST")
    offers_table: str = Field(alias="TABLE_OFFERS")
    analytics_table: str = Field(alias="TABLE_ANALYTICS")
    calendars_table: str = Field(alias="TABLE_CALENDARS")
    # The routing policy's published versions. Unset (unit tests, the CLI): no published versions are read and the
    # policy comes from POLICY_FILE, the SSM parameter or the shipped file (functions/domain/policy_source.py).
    policies_table: str | None = Field(None, alias="TABLE_POLICIES")
    event_bus_name: str = Field(alias="EVENT_BUS_NAME")
    state_machine_arn: str = Field("", alias="STATE_MACHINE_ARN")
    # Locally the key comes straight from the environment; in the cloud from Secrets Manager by ARN.
    # The secret holds JSON {"current", "previous", "rotated_at"} (a bare string is a current key alone). Locally
    # the previous key and the rotation time come from LINK_SIGNING_PREVIOUS_KEY and LINK_SIGNING_ROTATED_AT.
    link_signing_key: SecretStr | None = Field(None, alias="LINK_SIGNING_KEY")
    link_signing_previous_key: SecretStr | None = Field(None, alias="LINK_SIGNING_PREVIOUS_KEY")
    link_signing_rotated_at: str | None = Field(None, alias="LINK_SIGNING_ROTATED_AT")  # ISO UTC
    link_signing_secret_arn: str | None = Field(None, alias="LINK_SIGNING_SECRET_ARN")
    # After a rotation, links signed with the previous key still open for this long (the candidate links' life).
    link_key_grace_seconds: int = Field(30 * 24 * 3600, alias="LINK_KEY_GRACE_SECONDS", ge=0)
    # How long a function keeps the keys it read before reading them again (a rotation reaches it within this).
    link_key_ttl_seconds: int = Field(300, alias="LINK_KEY_TTL_SECONDS", gt=0)
    public_base_url: str = Field(alias="PUBLIC_BASE_URL")
    mail_sender: str = Field("no-reply@interviews.example.com", alias="MAIL_SENDER")
    # ORGANIZER of the calendar invitations we send; unset: the interview's recruiter.
    calendar_organizer: str | None = Field(None, alias="CALENDAR_ORGANIZER")
    # Interviewers' connected calendars, JSON: {"<address>" or "@<domain>": {"url": ..., "secret_arn": ...}}
    # (functions/integration/calendar_connector.py); unset: interviewers are only e-mailed.
    calendar_connections: str | None = Field(None, alias="CALENDAR_CONNECTIONS")
    staff_locale: str = Field("en", alias="STAFF_LOCALE")  # approvers, interviewers and HR read this language
    hr_email: str = Field("hr@interviews.example.com", alias="HR_EMAIL")
    approval_sla_seconds: int = Field(24 * 3600, alias="APPROVAL_SLA_SECONDS", gt=0)
    candidate_link_ttl_seconds: int = Field(30 * 24 * 3600, alias="CANDIDATE_LINK_TTL_SECONDS", gt=0)
    report_bucket: str | None = Field(None, alias="REPORT_BUCKET")
    # The staff console's sign-in: Cognito managed login on the user pool domain, authorization code flow with PKCE
    # (locally the same endpoints under <base>/_local, local_runtime/staff_sign_in.py). STAFF_SIGN_IN_URL is the
    # authorize endpoint; the token, revoke and logout endpoints are the domain's (staff_token_url etc. below).
    staff_sign_in_url: str | None = Field(None, alias="STAFF_SIGN_IN_URL")
    staff_auth_domain_url: str | None = Field(None, alias="STAFF_AUTH_DOMAIN_URL")  # https://<prefix>.auth...
    staff_client_id: str | None = Field(None, alias="STAFF_CLIENT_ID")  # the staff app client (public: no secret)
    # The share of high-risk interviews that get no nudge (the randomized holdout that measures the nudge).
    nudge_holdout_share: float = Field(0.1, alias="NUDGE_HOLDOUT_SHARE", ge=0, le=1)
    # The nudge threshold is the lowest risk score at which at least this share of the flagged interviews did
    # not attend, on the latest held-out history (functions/analytics/risk_threshold.py).
    nudge_precision_target: float = Field(0.5, alias="NUDGE_PRECISION_TARGET", gt=0, le=1)
    # How many candidates in line a released slot is offered to at once (the first to claim it wins); when their
    # offers expire unclaimed, as many next candidates are offered it (functions/domain/waitlist.py).
    waitlist_offer_wave: int = Field(3, alias="WAITLIST_OFFER_WAVE", ge=1, le=100)
    report_benchmarks: str | None = Field(None, alias="REPORT_BENCHMARKS")  # YAML file; None: the packaged one
    # Days after a candidate's last interview ended until the nightly retention run erases their personal data
    # (functions/domain/privacy.py, docs/privacy.md); unset: kept until erased on request.
    retention_days: int | None = Field(None, alias="RETENTION_DAYS", gt=0, strict=False)

    @property
    def staff_auth(self) -> dict[str, str] | None:
        """What the console's script needs to sign in, refresh and sign out; None where sign-in is not set up."""
        if not (self.staff_sign_in_url and self.staff_auth_domain_url and self.staff_client_id):
            return None
        domain = self.staff_auth_domain_url.rstrip("/")
        return {"client_id": self.staff_client_id, "authorize": self.staff_sign_in_url,
                "token": f"{domain}/oauth2/token", "revoke": f"{domain}/oauth2/revoke", "logout": f"{domain}/logout"}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))

