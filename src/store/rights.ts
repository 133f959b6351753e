/**
 * The rights rules of the wire, applied to every listing in SQL (so no page, filter or format can miss
 * them). Upstream conventions recognised as "never publish":
 * - a category (any case) `advisory`, `not for publication`, `not for online use`, `nfp`;
 * - a headline starting (any case) `ADVISORY`, `NOT FOR PUBLICATION`, `NOT FOR ONLINE USE`,
 *   `EDITORS: NOT FOR PUBLICATION`, `EDITORS: ADVISORY`;
 * and, with the listing's time: an item whose ninjs `embargoed` time has not come yet is held; an item
 * whose ninjs `expires` time has passed, or older than its source's maximum age (`sources.max_age_ms`;
 * restricted sources: 30 days unless configured), has left.
 */

/** Categories (lower case) that mark an item as not for publication. */
export const NOT_FOR_PUBLICATION_CATEGORIES = ['advisory', 'not for publication', 'not for online use', 'nfp'];
/** Headline prefixes (upper case) that mark an item as not for publication. */
export const NOT_FOR_PUBLICATION_PREFIXES = ['ADVISORY', 'NOT FOR PUBLICATION', 'NOT FOR ONLINE USE', 'EDITORS: NOT FOR PUBLICATION', 'EDITORS: ADVISORY'];
/** The maximum age of a restricted source's items when its config names none (the AP's 30 days). */
export const RESTRICTED_MAX_AGE_DAYS = 30;

/** The SQL conditions (on items aliased `i`) of the rights rules at `now` (epoch ms; null: the time-free rules only). */
export function rightsConditions(now: number | null | undefined, bind: (value: string | number) => string): string[] {
  const headline = `upper(COALESCE(json_extract(i.data, '$.headlines[0].value'), ''))`;
  const where = [
    `NOT EXISTS (SELECT 1 FROM item_categories rc WHERE rc.item_id = i.id AND rc.category IN (SELECT value FROM json_each(${bind(JSON.stringify(NOT_FOR_PUBLICATION_CATEGORIES))})))`,
    `NOT EXISTS (SELECT 1 FROM json_each(${bind(JSON.stringify(NOT_FOR_PUBLICATION_PREFIXES))}) rp WHERE substr(${headline}, 1, length(rp.value)) = rp.value)`,
  ];
  if (now == null) return where;
  const iso = bind(new Date(now).toISOString());
  where.push(
    `(json_extract(i.data, '$.embargoed') IS NULL OR json_extract(i.data, '$.embargoed') <= ${iso})`,
    `(json_extract(i.data, '$.expires') IS NULL OR json_extract(i.data, '$.expires') > ${iso})`,
    `NOT EXISTS (SELECT 1 FROM sources ms WHERE ms.id = i.source_id AND ms.max_age_ms IS NOT NULL AND i.published < ${bind(now)} - ms.max_age_ms)`,
  );
  return where;
}
