-- Publication status (a killed story leaves the feeds but stays in the store), teasers that a full story
-- may replace, a content fingerprint to recognise one wire story syndicated by two sites, and an index
-- for ingest-order listings.

ALTER TABLE items ADD COLUMN status TEXT NOT NULL DEFAULT 'usable';
ALTER TABLE items ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN fingerprint TEXT;

CREATE INDEX items_fingerprint ON items (fingerprint) WHERE fingerprint IS NOT NULL;
CREATE INDEX items_first_seen ON items (first_seen DESC, id DESC);

-- Links of the same story from other sources (a JSON array), kept apart from the content hash.
ALTER TABLE items ADD COLUMN alt_ids TEXT;
