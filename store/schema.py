"""Tables: the one description of the database, shared by the store and Alembic."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# --- catalogue: units, indicators, targets, assignments (synced from catalogues/<province>/)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(80), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    # kind: province | phuong | xa | dac_khu (commune level) | agency | office
    Column("kind", String(20), nullable=False),
    Column("parent_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("aliases", JSON, nullable=False, default=list),
    Column("retired", Boolean, nullable=False, default=False),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("short", String(120), nullable=False),
    Column("kind", String(10), nullable=False),  # ratio | count | yesno
    Column("numerator_label", String(300), nullable=False, default=""),
    Column("denominator_label", String(300), nullable=False, default=""),
    Column("aliases", JSON, nullable=False, default=list),
    Column("owner_unit_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("spec", JSON, nullable=False, default=dict),  # the rest of the catalogue entry
    Column("retired", Boolean, nullable=False, default=False),
)

targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("indicator_id", Integer, ForeignKey("indicators.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # target | milestone
    Column("rate", Float, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("text", Text, nullable=False, default=""),
    Index("ix_targets_indicator", "indicator_id", "due_date"),
)

assignments = Table(
    "assignments",
    metadata,
    Column("indicator_id", Integer, ForeignKey("indicators.id"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), primary_key=True),
)

# --- figures: append-only; a correction or undo supersedes, it never overwrites values

figures = Table(
    "figures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("indicator_id", Integer, ForeignKey("indicators.id"), nullable=False),
    Column("numerator", BigInteger, nullable=True),
    Column("denominator", BigInteger, nullable=True),
    Column("done", Boolean, nullable=True),  # yes/no indicators
    Column("as_of", Date, nullable=False),
    Column("derived", Boolean, nullable=False, default=False),  # numerator computed from a rate
    Column("source", String(12), nullable=False),  # message | edit | import | demo | seed | admin
    Column("actor_user_id", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("chat_id", BigInteger, nullable=True),
    Column("message_id", BigInteger, nullable=True),
    Column("update_id", BigInteger, nullable=True),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=True),
    Column("supersedes_id", Integer, ForeignKey("figures.id"), nullable=True),
    Column("superseded_by", Integer, ForeignKey("figures.id"), nullable=True),
    Column("superseded_at", DateTime(timezone=True), nullable=True),
    Column("voided", Boolean, nullable=False, default=False),  # an undo: hides what it supersedes
    Column("note", Text, nullable=True),
    Index("ix_figures_current", "indicator_id", "unit_id", "as_of", "superseded_by"),
    # live rows only, in as-of order: the seek for a past date and current_figures' refresh
    Index(
        "ix_figures_live",
        "indicator_id",
        "unit_id",
        "as_of",
        "id",
        sqlite_where=text("superseded_by IS NULL AND voided IS 0"),
        postgresql_where=text("superseded_by IS NULL AND voided IS false"),
    ),
    Index("ix_figures_message", "chat_id", "message_id"),
    Index("ix_figures_actor", "actor_user_id", "created_at"),
)

# One row per (indicator, unit): its live figure with the latest as_of (then the highest id).
# Kept in step with `figures` inside every write transaction (store.figures.refresh_current);
# as-of reads take today's answer from here and go back to `figures` only for older dates.
current_figures = Table(
    "current_figures",
    metadata,
    Column("indicator_id", Integer, ForeignKey("indicators.id"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), primary_key=True),
    Column("figure_id", Integer, ForeignKey("figures.id"), nullable=False),
    Column("numerator", BigInteger, nullable=True),
    Column("denominator", BigInteger, nullable=True),
    Column("done", Boolean, nullable=True),
    Column("as_of", Date, nullable=False),
    Column("derived", Boolean, nullable=False, default=False),
    Index("ix_current_figures_unit", "unit_id", "indicator_id"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("filename", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("actor_user_id", BigInteger, nullable=True),
    Column("chat_id", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(12), nullable=False),  # preview | imported | cancelled
    Column("rows_total", Integer, nullable=False, default=0),
    Column("rows_imported", Integer, nullable=False, default=0),
    Column("detail", JSON, nullable=False, default=dict),
)

# --- people, chats, onboarding

users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # Telegram user id
    Column("full_name", String(200), nullable=False, default=""),
    Column("username", String(64), nullable=True),
    Column("lang", String(5), nullable=False, default="vi"),
    Column("role", String(10), nullable=False, default="none"),  # admin | leader | officer | none
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

user_units = Table(
    "user_units",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", BigInteger, nullable=True),
)

chats = Table(
    "chats",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # Telegram chat id
    Column("type", String(12), nullable=False),
    Column("title", String(255), nullable=False, default=""),
    Column("scope_unit_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("status", String(10), nullable=False, default="member"),  # member|left|kicked|blocked
    Column("alerts_enabled", Boolean, nullable=False, default=True),
    Column("alert_time", String(5), nullable=True),  # HH:MM, overrides ALERT_TIME
    Column("all_clear", Boolean, nullable=False, default=False),
    Column("migrated_to", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

invites = Table(
    "invites",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("role", String(10), nullable=False, default="officer"),
    Column("created_by", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_by", BigInteger, nullable=True),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

join_requests = Table(
    "join_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("status", String(10), nullable=False, default="pending"),  # pending|approved|rejected
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", BigInteger, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)

# --- plan tasks

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(80), nullable=False, unique=True),  # plan:section.number
    Column("plan_unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("plan_title", Text, nullable=False, default=""),
    Column("section", String(10), nullable=False, default=""),
    Column("section_title", Text, nullable=False, default=""),
    Column("number", Integer, nullable=False, default=0),
    Column("title", Text, nullable=False),
    Column("directive", Text, nullable=False, default=""),
    Column("lead_unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("coordinating", Text, nullable=False, default=""),
    Column("due_text", Text, nullable=False, default=""),
    Column("due_kind", String(10), nullable=False),  # date | recurring | unknown
    Column("due_date", Date, nullable=True),
    Column("product", Text, nullable=False, default=""),
    Column("status", String(8), nullable=False, default="open"),  # open | done
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_by", BigInteger, nullable=True),
    Column("result", Text, nullable=True),
    Column("reminders_base", Integer, nullable=False, default=0),  # reminders sent before the bot
    Column("source", String(12), nullable=False, default="catalogue"),
    Column("retired", Boolean, nullable=False, default=False),
    Index("ix_tasks_due", "status", "due_date"),
)

task_events = Table(
    "task_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("task_id", Integer, ForeignKey("tasks.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_user_id", BigInteger, nullable=True),
    Column("kind", String(12), nullable=False),  # created | closed | reopened | changed
    Column("detail", JSON, nullable=False, default=dict),
)

# --- alerts, delivery, idempotency, pending confirmations, audit

alerts_sent = Table(
    "alerts_sent",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),  # morning | reminder | ...
    Column("day", Date, nullable=False),
    Column("key", String(80), nullable=False, default="-"),
    Column("status", String(8), nullable=False),  # pending | sent | failed | skipped
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("detail", JSON, nullable=False, default=dict),
    UniqueConstraint("chat_id", "kind", "day", "key", name="uq_alerts_sent_once"),
)

processed_updates = Table(
    "processed_updates",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

pending_actions = Table(
    "pending_actions",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("payload", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("status", String(10), nullable=False, default="open"),  # open | done | cancelled
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_user_id", BigInteger, nullable=True),
    Column("action", String(40), nullable=False),
    Column("detail", JSON, nullable=False, default=dict),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False, server_default=text("''")),
)

# --- several instances: who does the once-only work (issue 12)

leases = Table(
    "leases",
    metadata,
    Column("name", String(40), primary_key=True),  # e.g. "alerts"
    Column("holder", String(120), nullable=False),  # host:pid:random of the instance
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),  # renewed while alive
)
