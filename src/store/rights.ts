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

/** How many leading characters of the first headline the `headline_start` column keeps (every prefix is shorter). */
export const HEADLINE_START_LENGTH = 64;

/**
 * The values of the rights columns (`headline_start`, `embargoed`, `expires`, migration 0013) of an item whose
 * stored JSON is the SQL expression `data`, in that order, as SQL: a write stores them beside the JSON so that
 * the rules below never parse it.
 */
export function rightsColumnValues(data: string): string {
  return [
    `substr(upper(COALESCE(json_extract(${data}, '$.headlines[0].value'), '')), 1, ${HEADLINE_START_LENGTH})`,
    `json_extract(${data}, '$.embargoed')`,
    `json_extract(${data}, '$.expires')`,
  ].join(', ');
}

/** The SQL conditions (on items aliased `i`) of the rights rules at `now` (epoch ms; null: the time-free rules only). */
export function rightsConditions(now: number | null | undefined, bind: (value: string | number) => string): string[] {
  const where = [
    `NOT EXISTS (SELECT 1 FROM item_categories rc WHERE rc.item_id = i.id AND rc.category IN (SELECT value FROM json_each(${bind(JSON.stringify(NOT_FOR_PUBLICATION_CATEGORIES))})))`,
    `NOT EXISTS (SELECT 1 FROM json_each(${bind(JSON.stringify(NOT_FOR_PUBLICATION_PREFIXES))}) rp WHERE substr(i.headline_start, 1, length(rp.value)) = rp.value)`,
  ];
  if (now == null) return where;
  const iso = bind(new Date(now).toISOString());
  where.push(
    `(i.embargoed IS NULL OR i.embargoed <= ${iso})`,
    `(i.expires IS NULL OR i.expires > ${iso})`,
    `NOT EXISTS (SELECT 1 FROM sources ms WHERE ms.id = i.source_id AND ms.max_age_ms IS NOT NULL AND i.published < ${bind(now)} - ms.max_age_ms)`,
  );
  return where;
}
