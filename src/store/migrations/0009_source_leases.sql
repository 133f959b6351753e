-- Leases on sources, so that no source is polled twice at once: a claim sets `claimed_until` (epoch ms; 0 is
-- free) and bumps `claim_seq`, the claim's token (a queue message carries it; a stale or duplicate message no
-- longer matches). `claim_attempt` is the delivery attempt that took a queued claim (a redelivery after a
-- consumer crash has a higher attempt; a duplicate delivery of the same attempt does not). Saving a poll frees
-- the lease; a lease whose holder died expires, and the source is claimed again.

ALTER TABLE sources ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN claim_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN claim_attempt INTEGER NOT NULL DEFAULT 0;

-- The due walk reads the index alone, in claim order (most overdue, then id), skipping leased sources
-- without a row lookup: a claim costs what it returns, not the number of sources.
DROP INDEX sources_due;
CREATE INDEX sources_due ON sources (next_fetch_at, id, claimed_until);
