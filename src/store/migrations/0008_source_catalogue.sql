-- Sources managed at run time: each row keeps the source's whole configuration (the JSON the config or
-- the admin API wrote, validated), where it came from (`config`: seeded from the configuration file;
-- `api`: added through the admin API or the CLI), the hash of the config file's version it was last seeded
-- from (a config source edited through the API keeps the edit until the file changes that source), and a
-- paused flag. A row without `config` (a source that left the configuration) is listed but not polled.

ALTER TABLE sources ADD COLUMN origin TEXT NOT NULL DEFAULT 'config';
ALTER TABLE sources ADD COLUMN config TEXT;
ALTER TABLE sources ADD COLUMN seed_hash TEXT;
ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;

-- /status lists failing sources first, then by id: one index walk per page.
CREATE INDEX sources_status_order ON sources ((CASE WHEN last_fetch_at IS NOT NULL AND error_count > 0 THEN 0 ELSE 1 END), id);

-- Bumped whenever the set of sources or a source's configuration changes: a tick re-reads the sources only then.
INSERT INTO meta (key, value) VALUES ('sources_version', 0);

CREATE TRIGGER sources_after_insert AFTER INSERT ON sources
BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'sources_version';
END;

CREATE TRIGGER sources_after_delete AFTER DELETE ON sources
BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'sources_version';
END;

CREATE TRIGGER sources_config_after_update AFTER UPDATE OF config, paused ON sources
WHEN NEW.config IS NOT OLD.config OR NEW.paused IS NOT OLD.paused
BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'sources_version';
END;
