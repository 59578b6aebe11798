"""SQLAlchemy models for the CRM schema (../shared/spec/database-schema.md).

Notes on where we depart from the spec, and why:
- The spec assumes users, influencers, campaigns and user_influencers exist; we create them.
- `updated_at` is kept current by a database trigger (see the initial migration), so bulk SQL keeps
  it right too, not only the ORM.
- `interactions.user_id` / `influencer_id` are NOT NULL: an interaction without either has no owner.
- `interactions.idempotency_key` (ours) makes a resubmitted Slack modal record one interaction.
- The spec's `admin_analytics` plain view joins relationships × campaigns × interactions per user
  before aggregating (quadratic fan-out); ours is a materialized view with one aggregate per measure.
- `user_influencers.status_changed_at` (ours, kept by a trigger) dates the last status change.
- "Partial indexes for recent interactions" cannot be written literally: a partial-index predicate
  may not call now(). A (user_id, influencer_id, interaction_date DESC) index serves "recent
  interactions" for any window instead.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crm.short_codes import new_code

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PLATFORMS = ("instagram", "tiktok", "youtube", "x", "twitch", "linkedin", "blog", "other")
RELATIONSHIP_STATUSES = ("saved", "contacted", "warm", "cold", "partnered")
INTERACTION_TYPES = ("email", "call", "meeting", "note", "file_upload")
CONTACT_TYPES = ("email", "call", "meeting")  # interactions that count as contacting the influencer
ASSIGNMENT_STATUSES = ("planned", "active", "completed", "cancelled")
CAMPAIGN_STATUSES = ("draft", "active", "paused", "completed", "archived")
DELIVERY_KINDS = ("follow_up_reminder", "weekly_summary", "personal_digest")
DELIVERY_STATUSES = ("pending", "sent", "cancelled", "failed")
CLIENT_CLASSES = ("mobile", "desktop", "other")  # what a short-link click came from (crm.clicks)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()"))


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


def _updated_at() -> Mapped[datetime]:
    return mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A Slack user in a workspace (team)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    team_id: Mapped[str] = mapped_column(String(32), nullable=False)
    slack_user_id: Mapped[str] = mapped_column(String(32), nullable=False)
    email: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, server_default="UTC")
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    # When the user opted in to the personal weekly digest from App Home (0011); NULL: off.
    weekly_digest_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()


class Influencer(Base):
    """A creator in the workspace-wide directory, known by its profiles (InfluencerProfile).

    `platform`, `handle` and `profile_url` are the creator's primary profile, kept in step with the
    profile row marked `is_primary` (crm.influencers); uniqueness lives in the profiles (0007).
    """

    __tablename__ = "influencers"
    __table_args__ = (
        CheckConstraint(_in("platform", PLATFORMS), name="platform"),
        CheckConstraint("follower_count IS NULL OR follower_count >= 0", name="follower_count"),
        CheckConstraint("handle <> ''", name="handle_not_empty"),
        Index("ix_influencers_team_name", "team_id", text("lower(name)")),
        Index("ix_influencers_team_folded_name", "team_id", "name_folded"),
        # crm.duplicates: names spelt alike but for dots, dashes, underscores and spaces (0013).
        Index("ix_influencers_team_squashed_name", "team_id", text("translate(name_folded, '._- ', '')")),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    team_id: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    # The name lower-cased without its accents, kept by PostgreSQL (crm_fold, migration 0012): what
    # names are matched on, so that "zoe muller" finds "Zoë Müller" (crm.text.fold folds the query).
    name_folded: Mapped[str] = mapped_column(Text, Computed("crm_fold(name)", persisted=True), nullable=False)
    handle: Mapped[str] = mapped_column(String(100), nullable=False)
    platform: Mapped[str] = mapped_column(String(20), nullable=False)
    profile_url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(255))
    follower_count: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    # Primary first, then in the order they were linked. Loaded only when read (the card).
    profiles: Mapped[list[InfluencerProfile]] = relationship(
        back_populates="influencer",
        order_by="(InfluencerProfile.is_primary.desc(), InfluencerProfile.created_at, InfluencerProfile.id)",
        passive_deletes=True,
    )


class InfluencerProfile(Base):
    """One profile of a creator (platform, handle, link), unique per team by `identity_key`.

    The identity key is crm.profiles' normalized form ("instagram:maya", "url:medium.com/@anna"), so
    a profile written differently is still found, and two different profiles never share a row.
    """

    __tablename__ = "influencer_profiles"
    __table_args__ = (
        UniqueConstraint("team_id", "identity_key"),
        CheckConstraint(_in("platform", PLATFORMS), name="platform"),
        CheckConstraint("handle <> ''", name="handle_not_empty"),
        Index("ix_influencer_profiles_team_handle", "team_id", text("lower(handle)")),
        Index(
            "ix_influencer_profiles_team_squashed_handle",
            "team_id",
            text("translate(crm_fold(handle), '._- ', '')"),
        ),
        Index(
            "uq_influencer_profiles_primary",
            "influencer_id",
            unique=True,
            postgresql_where=text("is_primary"),
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    influencer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("influencers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    team_id: Mapped[str] = mapped_column(String(32), nullable=False)
    platform: Mapped[str] = mapped_column(String(20), nullable=False)
    handle: Mapped[str] = mapped_column(String(100), nullable=False)
    url: Mapped[str | None] = mapped_column(Text)
    identity_key: Mapped[str] = mapped_column(String(1000), nullable=False)
    is_primary: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    created_at: Mapped[datetime] = _created_at()

    influencer: Mapped[Influencer] = relationship(back_populates="profiles")


class Campaign(Base):
    """A marketing campaign with a landing page and default UTM values."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(_in("status", CAMPAIGN_STATUSES), name="status"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"),
        Index("uq_campaigns_team_name", "team_id", text("lower(name)"), unique=True),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    team_id: Mapped[str] = mapped_column(String(32), nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    landing_url: Mapped[str] = mapped_column(Text, nullable=False)
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="active")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    owner: Mapped[User | None] = relationship()


class Relationship(Base):
    """One user's CRM record of one influencer (the spec's `user_influencers`)."""

    __tablename__ = "user_influencers"
    __table_args__ = (
        UniqueConstraint("user_id", "influencer_id"),
        CheckConstraint(_in("status", RELATIONSHIP_STATUSES), name="status"),
        CheckConstraint("priority BETWEEN 0 AND 5", name="priority"),
        CheckConstraint("relationship_strength BETWEEN 0 AND 100", name="relationship_strength"),
        CheckConstraint("cadence_days IS NULL OR cadence_days BETWEEN 1 AND 365", name="cadence_days"),
        Index("idx_user_influencers_follow_up", "follow_up_date"),
        Index("idx_user_influencers_relationship_strength", "relationship_strength"),
        Index("ix_user_influencers_user_id_status", "user_id", "status"),
        Index(
            "ix_user_influencers_follow_up_set",
            "user_id",
            "follow_up_date",
            postgresql_where=text("follow_up_date IS NOT NULL"),
        ),
        Index("ix_user_influencers_tags", "tags", postgresql_using="gin"),
        # A user's strongest relationships (App Home, list by strength); the spec's single-column
        # strength index would walk every user's rows.
        Index("ix_user_influencers_user_strength", "user_id", text("relationship_strength DESC")),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    influencer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("influencers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="saved")
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), nullable=False, server_default=text("'{}'::varchar[]")
    )
    priority: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    last_contacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The instant the follow-up is due. A follow-up given as a bare date is stored as 09:00 on that
    # date in the user's timezone (the reminder time), so one column serves queries and reminders.
    follow_up_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    relationship_strength: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    # When `status` last changed: set by a BEFORE UPDATE trigger only when the status really changes
    # (migration 0003), so the admin summary can count relationships partnered in a period exactly.
    # FetchedValue: after an UPDATE the ORM rereads it instead of trusting its own copy.
    status_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), server_onupdate=FetchedValue()
    )
    # When the user took it off their list (`/crm remove`, ours, 0008); NULL while it is on it. An
    # archived relationship keeps every field and its history, so restoring it is exact.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # How often the user means to contact this creator (crm.cadence, 0010); NULL: the status default.
    cadence_days: Mapped[int | None] = mapped_column(SmallInteger)
    # The current follow-up was scheduled by the cadence, not set by hand (a later hand-set one wins).
    follow_up_from_cadence: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=text("false")
    )
    # "Snooze a week" on a going-cold reminder (crm.going_cold): not going cold before this instant.
    cold_snoozed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    user: Mapped[User] = relationship()
    influencer: Mapped[Influencer] = relationship()


class CadenceDefault(Base):
    """An admin's default contact cadence for relationships in one status, per workspace (0010)."""

    __tablename__ = "cadence_defaults"
    __table_args__ = (
        CheckConstraint(_in("status", RELATIONSHIP_STATUSES), name="status"),
        CheckConstraint("cadence_days BETWEEN 1 AND 365", name="cadence_days"),
    )

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    cadence_days: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    created_at: Mapped[datetime] = _created_at()


class GoingColdNag(Base):
    """The user's local date a relationship was last listed as going cold in a DM (0010): never twice
    a day. A table of its own, so the daily write neither bumps `updated_at` nor locks the row."""

    __tablename__ = "going_cold_nags"

    relationship_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("user_influencers.id", ondelete="CASCADE"), primary_key=True
    )
    nagged_on: Mapped[date] = mapped_column(Date, nullable=False)


class RelationshipStatusChange(Base):
    """A status a relationship took, and when (0011): the weekly chart's pipeline as of past weeks.

    Written only by triggers on user_influencers (migration 0011), seeded with each relationship's
    status at its status_changed_at; the last row always agrees with status and status_changed_at.
    """

    __tablename__ = "relationship_status_changes"
    __table_args__ = (
        CheckConstraint(_in("status", RELATIONSHIP_STATUSES), name="status"),
        Index("ix_relationship_status_changes_relationship_id_changed_at", "relationship_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("user_influencers.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Interaction(Base):
    """An email, call, meeting, note or file logged by a user about an influencer."""

    __tablename__ = "interactions"
    __table_args__ = (
        CheckConstraint(_in("type", INTERACTION_TYPES), name="type"),
        Index("idx_interactions_user_id", "user_id"),
        Index("idx_interactions_influencer_id", "influencer_id"),
        Index("idx_interactions_campaign_id", "campaign_id"),
        Index("idx_interactions_type", "type"),
        Index("idx_interactions_date", "interaction_date"),
        Index("ix_interactions_influencer_id_type", "influencer_id", "type"),
        Index(
            "ix_interactions_user_influencer_recent",
            "user_id",
            "influencer_id",
            text("interaction_date DESC"),
            # With the type, a relationship's strength is read from the index alone (0010): the
            # going-cold radar computes it for thousands of relationships at once.
            postgresql_include=["type"],
        ),
        # A user's latest interactions across all influencers (App Home): without it PostgreSQL walks
        # idx_interactions_date backwards, filtering out every other user's rows (90 ms at 2 M rows).
        Index("ix_interactions_user_recent", "user_id", text("interaction_date DESC")),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    influencer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("influencers.id", ondelete="CASCADE"), nullable=False
    )
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    subject: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[str | None] = mapped_column(Text)
    file_url: Mapped[str | None] = mapped_column(Text)
    interaction_date: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = _created_at()

    campaign: Mapped[Campaign | None] = relationship()
    influencer: Mapped[Influencer] = relationship()


class Assignment(Base):
    """An influencer assigned to a campaign, with its UTM tracking link (`campaign_influencers`)."""

    __tablename__ = "campaign_influencers"
    __table_args__ = (
        UniqueConstraint("campaign_id", "influencer_id"),
        CheckConstraint(_in("status", ASSIGNMENT_STATUSES), name="status"),
        Index("idx_campaign_influencers_campaign_id", "campaign_id"),
        Index("idx_campaign_influencers_influencer_id", "influencer_id"),
        Index("idx_campaign_influencers_user_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    influencer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("influencers.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    utm_content: Mapped[str | None] = mapped_column(String(100))
    utm_term: Mapped[str | None] = mapped_column(String(100))
    utm_url: Mapped[str | None] = mapped_column(Text)
    # The code of its short link CRM_PUBLIC_URL/l/<code> (crm.short_codes, crm.links; 0009): given
    # on insert, never changed, so a printed QR code keeps working when the landing page changes.
    short_code: Mapped[str] = mapped_column(String(16), nullable=False, unique=True, default=new_code)
    status: Mapped[str] = mapped_column(String(50), nullable=False, server_default="planned")
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    campaign: Mapped[Campaign] = relationship()
    influencer: Mapped[Influencer] = relationship()


class Delivery(Base):
    """A message the scheduler must post exactly once, keyed by (kind, dedupe_key).

    Follow-up reminders use key "<relationship id>@<due instant>", and a user's morning going-cold
    section (no relationship_id, crm.reminders.going_cold) "cold:<user id>@<local date>"; weekly summaries
    "<team id>@<ISO week>"; personal weekly digests "<user id>@<ISO week>"
    (crm.reminders.personal_digests). Replicas claim pending rows with FOR UPDATE SKIP LOCKED and a
    lease (claimed_by, claimed_until); a row is marked sent only after Slack accepted the post.
    Before posting, `attempted_at` and `message_key` are committed: the post's outcome is unknown
    until it is recorded, and the message carries `message_key` in its Slack metadata, so a retry
    first looks for that message in `slack_channel`'s history instead of posting it again.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "dedupe_key"),
        CheckConstraint(_in("kind", DELIVERY_KINDS), name="kind"),
        CheckConstraint(_in("status", DELIVERY_STATUSES), name="status"),
        Index(
            "ix_deliveries_pending",
            "kind",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_deliveries_user_id", "user_id"),
        Index("ix_deliveries_relationship_id", "relationship_id"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False)
    team_id: Mapped[str] = mapped_column(String(32), nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    relationship_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("user_influencers.id", ondelete="CASCADE")
    )
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="pending")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    # Set before a post, cleared once its outcome is known: when the post of unknown outcome began.
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The delivery id the last post's message carries in its metadata (shared by one DM's rows).
    message_key: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = _created_at()


class AppliedRequest(Base):
    """A Slack request whose change was committed, so a replay or double submit is applied once.

    The key names the request, not its content: "view:<view id>:<view hash>" for a modal submission,
    "trigger:<trigger id>" for a slash command or a click (Slack issues a new trigger id for each
    real invocation; a replayed or retried delivery repeats it). The row is inserted in the same
    transaction as the change, so it exists exactly when the change does. Rows older than a day are
    pruned by the scheduler (replays are refused after five minutes by the signature check anyway).
    """

    __tablename__ = "applied_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), nullable=False)
    applied_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), index=True
    )


class LinkClick(Base):
    """One counted visit of an assignment's short link (0009): when, from what kind of client, and
    the host of the referring page. No IP address or full user agent is stored.

    Raw clicks older than CRM_CLICK_RETENTION_DAYS are rolled up into LinkClickDay by a scheduled job
    (crm.clicks.roll_up).
    """

    __tablename__ = "link_clicks"
    __table_args__ = (
        CheckConstraint(_in("client_class", CLIENT_CLASSES), name="client_class"),
        Index("ix_link_clicks_assignment_clicked", "assignment_id", "clicked_at"),
        Index("ix_link_clicks_clicked_at", "clicked_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("campaign_influencers.id", ondelete="CASCADE"), nullable=False
    )
    clicked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    client_class: Mapped[str] = mapped_column(String(16), nullable=False)
    referrer_host: Mapped[str | None] = mapped_column(String(255))


class LinkClickDay(Base):
    """Clicks of one assignment's short link on one UTC day, rolled up from LinkClick (0009)."""

    __tablename__ = "link_click_days"
    __table_args__ = (
        CheckConstraint("clicks >= 0", name="clicks"),
        Index("ix_link_click_days_day", "day"),
    )

    assignment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("campaign_influencers.id", ondelete="CASCADE"),
        primary_key=True,
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    clicks: Mapped[int] = mapped_column(Integer, nullable=False)
