-- Full-text search for `q=`: the headline, the main body and the summaries of every item, in an FTS5 index
-- of trigrams (substring matching, case-folded, accents kept: what the feed filter's word test does), so a
-- search looks up its words instead of decoding rows. Contentless (the text is not stored twice): each row is
-- keyed by the item's rowid and its text is read from the item's JSON by the triggers below, which keep the
-- index in step with every insert, change of `data` and delete (retention, superseded teasers, kills).
-- detail=none keeps it compact: a word is looked up as all of its trigrams, and the filter's own word test
-- still runs on what the index returns.

CREATE VIRTUAL TABLE items_search USING fts5(headline, body, summary, content='', detail='none', tokenize='trigram');

CREATE TRIGGER items_search_insert AFTER INSERT ON items
BEGIN
  INSERT INTO items_search (rowid, headline, body, summary) VALUES (
    NEW.rowid, json_extract(NEW.data, '$.headlines[0].value'), json_extract(NEW.data, '$.bodies[0].value'), json_extract(NEW.data, '$.descriptions'));
END;

-- A contentless index forgets a row when given the text it was indexed with: the old row's, read the same way.
CREATE TRIGGER items_search_update AFTER UPDATE OF data ON items
BEGIN
  INSERT INTO items_search (items_search, rowid, headline, body, summary) VALUES (
    'delete', OLD.rowid, json_extract(OLD.data, '$.headlines[0].value'), json_extract(OLD.data, '$.bodies[0].value'), json_extract(OLD.data, '$.descriptions'));
  INSERT INTO items_search (rowid, headline, body, summary) VALUES (
    NEW.rowid, json_extract(NEW.data, '$.headlines[0].value'), json_extract(NEW.data, '$.bodies[0].value'), json_extract(NEW.data, '$.descriptions'));
END;

CREATE TRIGGER items_search_delete AFTER DELETE ON items
BEGIN
  INSERT INTO items_search (items_search, rowid, headline, body, summary) VALUES (
    'delete', OLD.rowid, json_extract(OLD.data, '$.headlines[0].value'), json_extract(OLD.data, '$.bodies[0].value'), json_extract(OLD.data, '$.descriptions'));
END;

-- Existing items: indexed once, here.
INSERT INTO items_search (rowid, headline, body, summary)
  SELECT rowid, json_extract(data, '$.headlines[0].value'), json_extract(data, '$.bodies[0].value'), json_extract(data, '$.descriptions') FROM items;
