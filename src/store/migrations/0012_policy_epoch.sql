-- The data version's high part (its multiples of 2^32) is a policy epoch: it moves when what a feed may show is
-- taken back — a source's licence changes, or an item is killed or withdrawn — and the representation cache then
-- never serves a representation of an older epoch while it renders the new one (stale-while-revalidate serves
-- the previous bytes only within one epoch). Every other change still adds one.
DROP TRIGGER sources_license_after_update;

CREATE TRIGGER sources_license_after_update AFTER UPDATE OF license, license_override ON sources
WHEN COALESCE(NEW.license_override, NEW.license) IS NOT COALESCE(OLD.license_override, OLD.license)
BEGIN
  UPDATE meta SET value = (value / 4294967296 + 1) * 4294967296 WHERE key = 'data_version';
END;

CREATE TRIGGER items_withdrawn_after_update AFTER UPDATE OF status ON items
WHEN NEW.status IS NOT OLD.status AND NEW.status <> 'usable'
BEGIN
  UPDATE meta SET value = (value / 4294967296 + 1) * 4294967296 WHERE key = 'data_version';
END;
