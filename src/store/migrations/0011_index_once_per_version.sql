-- The search index re-reads an item only when the text it indexes changed: an update of `data` that leaves the
-- headline, the main body and the summaries as they were (a kill's pubStatus, a changed link or category, a new
-- version of the same text) keeps the row's trigrams. Tokenizing is most of the cost of a changed poll's write.
DROP TRIGGER items_search_update;

CREATE TRIGGER items_search_update AFTER UPDATE OF data ON items
WHEN json_extract(OLD.data, '$.headlines[0].value') IS NOT json_extract(NEW.data, '$.headlines[0].value')
  OR json_extract(OLD.data, '$.bodies[0].value') IS NOT json_extract(NEW.data, '$.bodies[0].value')
  OR json_extract(OLD.data, '$.descriptions') IS NOT json_extract(NEW.data, '$.descriptions')
BEGIN
  INSERT INTO items_search (items_search, rowid, headline, body, summary) VALUES (
    'delete', OLD.rowid, json_extract(OLD.data, '$.headlines[0].value'), json_extract(OLD.data, '$.bodies[0].value'), json_extract(OLD.data, '$.descriptions'));
  INSERT INTO items_search (rowid, headline, body, summary) VALUES (
    NEW.rowid, json_extract(NEW.data, '$.headlines[0].value'), json_extract(NEW.data, '$.bodies[0].value'), json_extract(NEW.data, '$.descriptions'));
END;

-- A source's posting history (`recentArrivals`, read on every poll): newest full items first, from the index alone.
CREATE INDEX items_source_arrivals ON items (source_id, partial, first_seen DESC);
