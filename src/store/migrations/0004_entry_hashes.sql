-- A hash of each upstream entry a source's last poll carried, with the uris of the items it gave and of
-- the teasers those replace: a poll
-- whose bytes changed but whose entries did not (a new lastBuildDate) normalizes and writes nothing.
-- No trigger: these rows are bookkeeping, not data, and never move the data version.

CREATE TABLE entry_hashes (
  source_id TEXT NOT NULL,
  hash TEXT NOT NULL,
  uris TEXT NOT NULL,
  supersedes TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (source_id, hash)
) WITHOUT ROWID;
