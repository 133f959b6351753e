-- The rights rules (`src/store/rights.ts`) read three things of an item's JSON on every listed row: its first
-- headline's start, `embargoed` and `expires`. Parsing the JSON per row per rule cost most of a listing's time
-- (several milliseconds for a hundred rows with full bodies); the write now keeps them in columns of their own.
-- No declared type: each keeps what json_extract gave (a string, a number or null), so the rules compare the same
-- values as before. The headline keeps its first 64 characters, upper-cased (every prefix rule is shorter).
ALTER TABLE items ADD COLUMN headline_start NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN embargoed;
ALTER TABLE items ADD COLUMN expires;

UPDATE items SET
  headline_start = substr(upper(COALESCE(json_extract(data, '$.headlines[0].value'), '')), 1, 64),
  embargoed = json_extract(data, '$.embargoed'),
  expires = json_extract(data, '$.expires');
