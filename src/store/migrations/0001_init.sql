-- wirefeed schema: sources with their poll state, items (ninjs JSON plus the columns queries need),
-- a category index ordered by publication time, and a data version bumped by triggers on every change.

CREATE TABLE sources (
  id TEXT NOT NULL PRIMARY KEY,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  last_fetch_at INTEGER,
  next_fetch_at INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  last_error_kind TEXT,
  last_error_message TEXT,
  last_error_at INTEGER,
  last_success_at INTEGER
);

CREATE INDEX sources_due ON sources (next_fetch_at);

CREATE TABLE items (
  id TEXT NOT NULL PRIMARY KEY,
  source_id TEXT NOT NULL,
  link TEXT,
  published INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  content_hash TEXT NOT NULL,
  data TEXT NOT NULL
);

CREATE INDEX items_published ON items (published DESC, id DESC);
CREATE INDEX items_source_published ON items (source_id, published DESC, id DESC);

-- One row per (lowercased category, item), ordered so that "newest N in a category" is an index range scan.
CREATE TABLE item_categories (
  category TEXT NOT NULL,
  published INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  PRIMARY KEY (category, published, item_id)
) WITHOUT ROWID;

CREATE INDEX item_categories_item ON item_categories (item_id);

CREATE TABLE meta (
  key TEXT NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
);

INSERT INTO meta (key, value) VALUES ('data_version', 0);

CREATE TRIGGER items_after_insert AFTER INSERT ON items
BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;

CREATE TRIGGER items_after_update AFTER UPDATE ON items
BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;

CREATE TRIGGER items_after_delete AFTER DELETE ON items
BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
  DELETE FROM item_categories WHERE item_id = OLD.id;
END;
