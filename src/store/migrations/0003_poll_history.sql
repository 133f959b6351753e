-- Poll history for the status page: one row per source and UTC hour, kept for 7 days (pruned by the store
-- in the same batch as each poll's save). Written beside the source's state, never by the items triggers, so
-- it does not move the data version that feed caches are keyed by.

CREATE TABLE poll_history (
  source_id TEXT NOT NULL,
  -- The start of the UTC hour, epoch ms.
  hour INTEGER NOT NULL,
  polls INTEGER NOT NULL DEFAULT 0,
  not_modified INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  -- Items first stored by these polls.
  new_items INTEGER NOT NULL DEFAULT 0,
  -- Polls whose duration is known, their total and longest duration (ms).
  timed_polls INTEGER NOT NULL DEFAULT 0,
  total_ms INTEGER NOT NULL DEFAULT 0,
  max_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (source_id, hour)
) WITHOUT ROWID;
