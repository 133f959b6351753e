-- Full text: the article page of each entry version of a `fullText` source, fetched once per version (the
-- entry hash of entry_hashes). A row is queued with the poll that first carries the version, and holds what
-- the page step needs to normalize the entry with its page (`job`: the raw entry and the feed's head), the
-- fetch's validators and the page as extracted (a 304 on a later version reuses it), and the outcome: the last
-- failure's reason, the attempts, and when to try again. Rows of entry versions a poll no longer carries go.
-- No trigger: bookkeeping, not data; the items a page gives are written to `items` as any poll's are.

CREATE TABLE page_fetches (
  source_id TEXT NOT NULL,
  hash TEXT NOT NULL,
  url TEXT NOT NULL,
  uri TEXT NOT NULL,
  job TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  etag TEXT,
  last_modified TEXT,
  page TEXT,
  updated_at INTEGER NOT NULL,
  -- The entry's place in its poll's feed: pages due at once are fetched in feed order.
  seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (source_id, hash)
) WITHOUT ROWID;

CREATE INDEX page_fetches_due ON page_fetches (status, next_attempt_at);
CREATE INDEX page_fetches_url ON page_fetches (source_id, url);
