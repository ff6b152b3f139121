"""Tables of a project file (SQLAlchemy Core).

The migrations in ``storage/migrations`` create these tables; this module describes them for
queries. A change here always comes with a new migration, so older project files still open.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("category", Text),
    Column("name", Text),
    Column("price", Float),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("sha256", Text, nullable=False, index=True),
    Column("format", Text),
    Column("encoding", Text),
    Column("mapping", Text),  # JSON: field -> column, event mapping, options
    Column("pseudonymized", Integer, nullable=False, default=0),
    Column("lines_read", BigInteger, nullable=False, default=0),
    Column("imported", BigInteger, nullable=False, default=0),
    Column("rejected", BigInteger, nullable=False, default=0),
    Column("status", Text, nullable=False),  # running, done
    Column("started_at", Text, nullable=False),  # ISO 8601 UTC
    Column("finished_at", Text),
    Column("seconds", Float),
    Column("warnings", Text),  # JSON list of {code, message, column, rows} (migration 0002)
)

#: Ids of the tables that grow with the lines imported: BIGINT on a server, INTEGER (the
#: 64-bit row id) in an SQLite file.
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("id", BIG_ID, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("time_ms", BigInteger, nullable=False),  # UTC epoch milliseconds
    Column("event", Text, nullable=False),  # canonical event type
    Column("raw_event", Text),
    Column("item_id", Integer, ForeignKey("items.id")),
    Column("category", Text),
    Column("price", Float),
    Column("quantity", Float),
    Column("amount", Float),  # revenue of the row; refunds negative
    Column("session", Text),
    Column("query", Text),
    Column("batch_id", Integer, ForeignKey("import_batches.id"), nullable=False),
)
Index("ix_events_customer_time", events.c.customer_id, events.c.time_ms)

rejected_rows = Table(
    "rejected_rows",
    metadata,
    Column("id", BIG_ID, primary_key=True),
    Column("batch_id", Integer, ForeignKey("import_batches.id"), nullable=False, index=True),
    Column("line_no", BigInteger, nullable=False),
    Column("raw", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

#: Trained models and their runs (purchase intent, profiles): settings, curves, metrics, weights.
model_runs = Table(
    "model_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("task", Text, nullable=False),  # a key of engine.tasks.TASKS
    Column("created_at", Text, nullable=False),
    Column("status", Text, nullable=False),  # done, stopped
    Column("active", Integer, nullable=False, default=0),
    Column("settings", Text, nullable=False),  # JSON
    Column("history", Text, nullable=False),  # JSON curves
    Column("metrics", Text, nullable=False),  # JSON
    Column("summary", Text),  # plain-language verdict
    Column("seconds", Float),
    Column("warm_started", Integer, nullable=False, default=0),
    Column("weights", LargeBinary),  # torch.save(state_dict); loaded with weights_only=True
    # 1 when a customer it was trained on has been forgotten since (migration 0003).
    Column("stale", Integer, nullable=False, default=0, server_default="0"),
)

#: What a run delivers, in the long form its task declares (migration 0004): one row per
#: (run, customer, optional item, optional period, name) with a number. Intent writes ``score``
#: and ``rank`` per customer; profiles ``segment``, ``x`` and ``y``; a new task its own names.
run_outputs = Table(
    "run_outputs",
    metadata,
    Column("run_id", Integer, ForeignKey("model_runs.id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.id")),
    Column("item_id", Integer, ForeignKey("items.id")),
    Column("period", Text),
    Column("name", Text, nullable=False),
    Column("value", Float),
)
Index("ix_run_outputs_run_customer", run_outputs.c.run_id, run_outputs.c.customer_id,
      run_outputs.c.name)
Index("ix_run_outputs_customer", run_outputs.c.customer_id)

# Running totals of the events for the Data page and the Customers page (migrations 0005 and
# 0006), kept up to date in the same
# transaction as the events they count: by an import (``storage.summary.ChunkTotals``) and by
# forgetting a customer. ``storage.summary.rebuild`` computes them afresh from the events.

#: Events per UTC day (``time_ms / 86,400,000``, truncated as SQLite divides) and event type;
#: ``unpriced`` counts those with neither an amount nor a price.
summary_days = Table(
    "summary_days",
    metadata,
    Column("day", BigInteger, primary_key=True),
    Column("event", Text, primary_key=True),
    Column("events", BigInteger, nullable=False),
    Column("unpriced", BigInteger, nullable=False),
)

#: Per customer with events: count, first and last event time, revenue, and exact duplicates
#: (events with an earlier event of the same customer, time, event, item and quantity).
summary_customers = Table(
    "summary_customers",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("events", BigInteger, nullable=False),
    Column("first_ms", BigInteger, nullable=False),
    Column("last_ms", BigInteger, nullable=False),
    Column("revenue", Float, nullable=False),
    Column("duplicates", BigInteger, nullable=False),
)

#: Views, clicks and searches per customer and UTC day (the data-health bot check).
summary_browse = Table(
    "summary_browse",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("day", BigInteger, primary_key=True),
    Column("events", BigInteger, nullable=False),
)

#: Events, purchases and revenue per event category (events without one are left out).
summary_categories = Table(
    "summary_categories",
    metadata,
    Column("category", Text, primary_key=True),
    Column("events", BigInteger, nullable=False),
    Column("purchases", BigInteger, nullable=False),
    Column("revenue", Float, nullable=False),
)

#: Events, purchases and revenue per item (events without one are left out).
summary_items = Table(
    "summary_items",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id"), primary_key=True),
    Column("events", BigInteger, nullable=False),
    Column("purchases", BigInteger, nullable=False),
    Column("revenue", Float, nullable=False),
)

#: Each customer's orders (migration 0006): the distinct order keys of their purchases, the
#: order id (``session``) or, without one, the purchase time in ms as text, as
#: ``storage.runs.customer_summary`` counts orders.
summary_orders = Table(
    "summary_orders",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("order_key", Text, primary_key=True),
)

SUMMARY_TABLES = (summary_days, summary_customers, summary_browse, summary_categories,
                  summary_items, summary_orders)
