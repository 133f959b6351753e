-- Push delivery: a durable outbox of item events and one delivery row per (webhook subscriber, event).
-- Both are written by triggers inside the very transaction (SQLite) or batch (D1) that changes the item, so
-- no crash between the item write and the enqueue can lose an event. Nothing is written while no subscriber
-- has a webhook, and teasers ("Just Posted") are not pushed.

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  -- Stable across retries and restarts: receivers dedupe by it.
  event_id TEXT NOT NULL UNIQUE,
  item_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  -- item.created | item.updated | item.killed
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  -- An embargoed item is held until its embargo (ninjs `embargoed`).
  due_at INTEGER NOT NULL
);

CREATE INDEX outbox_at ON outbox (at);

CREATE TABLE webhook_deliveries (
  subscriber_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  -- When the event became deliverable (its embargo, if any): the retry window runs from here.
  enqueued_at INTEGER NOT NULL,
  -- The next attempt is not before this time (epoch ms).
  due_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  -- pending | delivered | failed (retried for 24 h) | skipped (not entitled, held back, or gone)
  state TEXT NOT NULL DEFAULT 'pending',
  last_status INTEGER,
  last_error TEXT,
  done_at INTEGER,
  PRIMARY KEY (subscriber_id, seq)
) WITHOUT ROWID;

CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (state, subscriber_id, due_at);
CREATE INDEX webhook_deliveries_story ON webhook_deliveries (subscriber_id, item_id, seq);

-- A subscriber may let its webhook reach a private address (a CMS on the newsroom's network), as a source can.
ALTER TABLE subscribers ADD COLUMN webhook_allow_private INTEGER NOT NULL DEFAULT 0;
-- Events given up after the retry window, per subscriber and day (push usage is counted under key id `webhook`).
ALTER TABLE subscriber_usage ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER items_outbox_insert AFTER INSERT ON items
WHEN NEW.partial = 0 AND EXISTS (SELECT 1 FROM subscribers WHERE webhook_url IS NOT NULL)
BEGIN
  INSERT INTO outbox (event_id, item_id, version, type, at, due_at)
  VALUES (
    'evt_' || lower(hex(randomblob(12))), NEW.id, NEW.version,
    CASE WHEN NEW.status = 'canceled' THEN 'item.killed' ELSE 'item.created' END,
    NEW.updated,
    max(NEW.updated, COALESCE(CAST(strftime('%s', json_extract(NEW.data, '$.embargoed')) AS INTEGER) * 1000, 0))
  );
END;

CREATE TRIGGER items_outbox_update AFTER UPDATE OF version ON items
WHEN NEW.version <> OLD.version AND NEW.partial = 0 AND EXISTS (SELECT 1 FROM subscribers WHERE webhook_url IS NOT NULL)
BEGIN
  INSERT INTO outbox (event_id, item_id, version, type, at, due_at)
  VALUES (
    'evt_' || lower(hex(randomblob(12))), NEW.id, NEW.version,
    CASE WHEN NEW.status = 'canceled' THEN 'item.killed' WHEN OLD.partial = 1 THEN 'item.created' ELSE 'item.updated' END,
    NEW.updated,
    max(NEW.updated, COALESCE(CAST(strftime('%s', json_extract(NEW.data, '$.embargoed')) AS INTEGER) * 1000, 0))
  );
END;

-- Every subscriber with a webhook gets the event, from the time it had one (suspended ones too: their rows
-- wait, and fail after the retry window).
CREATE TRIGGER outbox_fan_out AFTER INSERT ON outbox
BEGIN
  INSERT INTO webhook_deliveries (subscriber_id, seq, item_id, enqueued_at, due_at)
  SELECT s.id, NEW.seq, NEW.item_id, NEW.due_at, NEW.due_at FROM subscribers s WHERE s.webhook_url IS NOT NULL;
END;
