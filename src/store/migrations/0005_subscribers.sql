-- Licensed distribution: subscribers with their entitlements, their keys (stored only as SHA-256 hashes),
-- per-day usage by key id, and a licence on each source (restricted items reach only entitled keys).

CREATE TABLE subscribers (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  contact TEXT,
  entitlements TEXT NOT NULL DEFAULT '{}',
  webhook_url TEXT,
  webhook_secret TEXT,
  suspended INTEGER NOT NULL DEFAULT 0,
  from_config INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE subscriber_keys (
  id TEXT NOT NULL PRIMARY KEY,
  subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER
);

CREATE INDEX subscriber_keys_subscriber ON subscriber_keys (subscriber_id);

CREATE TABLE subscriber_usage (
  subscriber_id TEXT NOT NULL,
  day TEXT NOT NULL,
  key_id TEXT NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  ok INTEGER NOT NULL DEFAULT 0,
  not_modified INTEGER NOT NULL DEFAULT 0,
  items INTEGER NOT NULL DEFAULT 0,
  last_pull INTEGER,
  PRIMARY KEY (subscriber_id, day, key_id)
) WITHOUT ROWID;

-- The licence the config gives a source, and the one the admin API set (which wins).
ALTER TABLE sources ADD COLUMN license TEXT NOT NULL DEFAULT 'public';
ALTER TABLE sources ADD COLUMN license_override TEXT;
-- How long a source's items stay in the feeds after publication (null: until retention removes them).
ALTER TABLE sources ADD COLUMN max_age_ms INTEGER;

-- What a feed may show changes with a licence: the cached representations must go.
CREATE TRIGGER sources_license_after_update AFTER UPDATE OF license, license_override ON sources
WHEN COALESCE(NEW.license_override, NEW.license) IS NOT COALESCE(OLD.license_override, OLD.license)
BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'data_version';
END;
