/**
 * The normalization rules as DATA: which lines are site furniture, how a site marks its list of sibling
 * stories, which agencies and outlets exist, and which keywords and places give which subjects. An operator
 * adds a new site's furniture in the config (the `normalize` key) without touching code.
 *
 * Patterns are strings: a plain phrase (compared case-insensitively, typographic quotes and dashes folded,
 * trailing `.`/`:`/`!` ignored) or a regular expression written `/source/flags`.
 */
import { z } from 'zod';
import { CREDITED_OUTLETS, WIRE_AGENCIES } from './vocabulary/agencies.ts';
import { COPYRIGHT_LINES, FACT_BOX_HEADINGS, FURNITURE_LINES, READ_MORE, SIBLING_HEADINGS, TRACKING_IMAGES } from './vocabulary/furniture.ts';

/** A canonical organisation name and the spellings that mean it (`AP`, `Associated Press`, …). */
export interface OrganisationRule {
  name: string;
  aliases: string[];
}

/** Words or place names (`match`, case-insensitive) that give an item these subjects. */
export interface SubjectRule {
  match: string[];
  subjects: string[];
}

/** Every rule normalization applies; `DEFAULT_RULES` is a complete example. */
export interface NormalizeRules {
  /** Lines removed wherever they stand: social follow lines, newsletter promos, separators. Whole-line match. */
  dropLines: string[];
  /** A line that opens the site's list of sibling stories ("Just Posted"). Whole-line match. */
  teaserSectionStart: string[];
  /**
   * Headings of a list of links to other stories ("More from …:", "Related stories", "Trending"): when
   * linked lines follow, the heading and the list leave the body and each linked line is a teaser.
   * Whole-line match.
   */
  siblingHeadings: string[];
  /** Copyright boilerplate lines ("© 2026 Example Media. All rights reserved."): they become the item's `copyrightNotice`. Whole-line match. */
  copyrightLines: string[];
  /** Image addresses that are tracking pixels or ad servers, never pictures. Phrases match anywhere in the URL. */
  trackingImages: string[];
  /** A line from which nothing belongs to the story or its siblings any more ("Most Read"). Whole-line match. */
  cutAt: string[];
  /**
   * The heading of a fact box the site appends (a company profile): it and what follows, up to a `cutAt` line,
   * leave the story for a second body with the role `factbox`. Whole-line match.
   */
  factBoxes: string[];
  /** The marker ending a cut-off teaser lede ("… Continue reading"); a phrase matches at the end of a line. */
  readMore: string[];
  /** Site names the site appends to titles ("… | Red Deer Advocate"); removed with the separator before them. */
  headlineSuffixes: string[];
  /** Labels a site puts before titles ("Updated: …"); removed with the colon after them. */
  headlinePrefixes: string[];
  /** Short lines (at most `maxWords` words, no sentence punctuation) closing a story are the site's tags. */
  trailingTags: { enabled: boolean; maxWords: number };
  /** Wire agencies: bylines, datelines and photo credits name them by any alias. */
  agencies: OrganisationRule[];
  /** Local outlets and other photo sources ("Advocate Staff" → "Red Deer Advocate"). */
  outlets: OrganisationRule[];
  /** Keyword → subjects, matched as whole words in the headline and text. */
  keywords: SubjectRule[];
  /** Dateline place → region subjects, matched on the place, its city or its region part. */
  places: SubjectRule[];
  /**
   * Check dateline places against the built-in gazetteer (GeoNames cities of 15,000+ people, capitals,
   * regions, countries) and give them its region and country subjects. Off: any place-shaped word is taken.
   */
  gazetteer: boolean;
  /** A title or first line starting with one of these marks a killed or withdrawn story. */
  killMarkers: string[];
  /** Upstream categories that mark a killed or withdrawn story (compared case-insensitively). */
  killCategories: string[];
}

/** Defaults for wire stories as a Canadian Black Press site (the Red Deer Advocate) shows them. Frozen. */
export const DEFAULT_RULES: NormalizeRules = deepFreeze({
  dropLines: [
    ...FURNITURE_LINES,
    '/^Follow\\s+.{1,80}?\\s+on\\s+(?:Twitter|X|Facebook|Instagram|Threads|Bluesky|Mastodon|TikTok)\\b/i',
    "Get local stories you won't find anywhere else right to your inbox.",
    'Sign up here',
    '/^Like us on Facebook\\b.{0,80}$/i',
    '/^Have a (?:story|news) tip\\?/i',
    // Separators between the story and the page's furniture (`_____`, `***`, `-30-`).
    '/^(?:[-_=*~#•·]\\s*){3,}$/',
    '-30-',
    // AFP closes its copy with desk initials ("jm/lb", "burs-pfm/jj").
    '/^[a-z]{2,6}(?:-[a-z]{2,6})?(?:\\/[a-z]{2,6})+$/',
  ],
  teaserSectionStart: ['Just Posted'],
  siblingHeadings: [...SIBLING_HEADINGS],
  trackingImages: [...TRACKING_IMAGES],
  copyrightLines: [...COPYRIGHT_LINES],
  cutAt: ['Most Read', 'Trending Now'],
  factBoxes: [...FACT_BOX_HEADINGS],
  readMore: [...READ_MORE],
  headlineSuffixes: ['Red Deer Advocate', 'reddeeradvocate.com'],
  headlinePrefixes: ['Updated', 'Update', 'Breaking'],
  trailingTags: { enabled: true, maxWords: 4 },
  agencies: WIRE_AGENCIES.map((a) => ({ name: a.name, aliases: [...a.aliases] })),
  outlets: [
    { name: 'Red Deer Advocate', aliases: ['Advocate', 'Red Deer Advocate', 'Advocate staff'] },
    ...CREDITED_OUTLETS.map((o) => ({ name: o.name, aliases: [...o.aliases] })),
  ],
  keywords: [
    { match: ['COVID-19', 'coronavirus'], subjects: ['COVID-19'] },
    { match: ['Alberta', 'Albertans', 'Red Deer'], subjects: ['Alberta'] },
  ],
  places: [
    {
      match: ['Calgary', 'Edmonton', 'Red Deer', 'Lethbridge', 'Medicine Hat', 'Grande Prairie', 'Airdrie', 'Lacombe', 'Sylvan Lake', 'Alta.', 'Alberta'],
      subjects: ['Alberta', 'Canada'],
    },
    { match: ['Ottawa', 'Toronto', 'Ont.', 'Ontario'], subjects: ['Ontario', 'Canada'] },
    { match: ['Quebec', 'Quebec City', 'Montreal', 'Que.'], subjects: ['Quebec', 'Canada'] },
    { match: ['Vancouver', 'B.C.', 'British Columbia'], subjects: ['British Columbia', 'Canada'] },
  ],
  gazetteer: true,
  killMarkers: [
    '/^(?:MANDATORY\\s+)?(?:KILL|KILLED|WITHDRAWN|WITHDRAWAL|ELIMINATION)(?=\\s*(?:$|[:\\-–—]))/',
    '/^Editors?\\s*:\\s*(?:please\\s+)?(?:kill|withdraw|eliminate)\\b/i',
  ],
  killCategories: ['kill', 'killed', 'withdrawn', 'withdrawal'],
});

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;

/** True when a rule string is a phrase, or a `/regex/flags` that compiles. */
export function isValidPattern(value: string): boolean {
  const m = REGEX_LITERAL.exec(value);
  if (!m) return value.trim().length > 0;
  try {
    new RegExp(m[1]!, m[2]!.replace(/[gy]/g, ''));
    return true;
  } catch {
    return false;
  }
}

const pattern = z
  .string({ error: 'must be a string' })
  .refine(isValidPattern, { error: 'must be a non-empty phrase or a /regular expression/ that compiles' });
const patterns = z.array(pattern);
const names = z.array(z.string().trim().min(1, { error: 'must not be empty' }));
const organisation = z.object({ name: z.string().trim().min(1), aliases: names }).strict();
const subjectRule = z.object({ match: names.min(1), subjects: names.min(1) }).strict();

const rulesInputSchema = z
  .object({
    defaults: z.enum(['extend', 'replace']).default('extend'),
    dropLines: patterns.optional(),
    teaserSectionStart: patterns.optional(),
    siblingHeadings: patterns.optional(),
    trackingImages: patterns.optional(),
    copyrightLines: patterns.optional(),
    cutAt: patterns.optional(),
    factBoxes: patterns.optional(),
    readMore: patterns.optional(),
    headlineSuffixes: patterns.optional(),
    headlinePrefixes: patterns.optional(),
    trailingTags: z
      .object({ enabled: z.boolean().optional(), maxWords: z.number().int().min(1).max(12).optional() })
      .strict()
      .optional(),
    agencies: z.array(organisation).optional(),
    outlets: z.array(organisation).optional(),
    keywords: z.array(subjectRule).optional(),
    places: z.array(subjectRule).optional(),
    gazetteer: z.boolean().optional(),
    killMarkers: patterns.optional(),
    killCategories: names.optional(),
  })
  .strict();

/**
 * The zod schema of the config's `normalize` key. Every field is optional; by default (`defaults: "extend"`)
 * what the operator writes is added to `DEFAULT_RULES` (lists are appended, an organisation with a known
 * name gets the new aliases); with `defaults: "replace"` the defaults are ignored and unset fields are empty.
 * Parsing yields a complete `NormalizeRules`.
 */
export const normalizeRulesSchema = rulesInputSchema.transform((input): NormalizeRules => mergeRules(input));

/** What an operator writes under `normalize` (every field optional). */
export type NormalizeRulesInput = z.input<typeof normalizeRulesSchema>;

/** Validates operator rules and completes them from `DEFAULT_RULES`; throws a ZodError when invalid. */
export function resolveRules(input: unknown = {}): NormalizeRules {
  return normalizeRulesSchema.parse(input);
}

function mergeRules(input: z.output<typeof rulesInputSchema>): NormalizeRules {
  const base: NormalizeRules =
    input.defaults === 'replace'
      ? {
          dropLines: [], teaserSectionStart: [], siblingHeadings: [], trackingImages: [], copyrightLines: [], cutAt: [], factBoxes: [], readMore: [], headlineSuffixes: [], headlinePrefixes: [],
          trailingTags: { enabled: false, maxWords: 4 }, agencies: [], outlets: [], keywords: [], places: [],
          gazetteer: false, killMarkers: [], killCategories: [],
        }
      : DEFAULT_RULES;
  const list = (a: string[], b: string[] | undefined): string[] => [...new Set([...a, ...(b ?? [])])];
  return {
    dropLines: list(base.dropLines, input.dropLines),
    teaserSectionStart: list(base.teaserSectionStart, input.teaserSectionStart),
    siblingHeadings: list(base.siblingHeadings, input.siblingHeadings),
    trackingImages: list(base.trackingImages, input.trackingImages),
    copyrightLines: list(base.copyrightLines, input.copyrightLines),
    cutAt: list(base.cutAt, input.cutAt),
    factBoxes: list(base.factBoxes, input.factBoxes),
    readMore: list(base.readMore, input.readMore),
    headlineSuffixes: list(base.headlineSuffixes, input.headlineSuffixes),
    headlinePrefixes: list(base.headlinePrefixes, input.headlinePrefixes),
    trailingTags: {
      enabled: input.trailingTags?.enabled ?? (input.trailingTags ? true : base.trailingTags.enabled),
      maxWords: input.trailingTags?.maxWords ?? base.trailingTags.maxWords,
    },
    agencies: mergeOrganisations(base.agencies, input.agencies),
    outlets: mergeOrganisations(base.outlets, input.outlets),
    keywords: [...base.keywords, ...(input.keywords ?? [])],
    places: [...base.places, ...(input.places ?? [])],
    gazetteer: input.gazetteer ?? base.gazetteer,
    killMarkers: list(base.killMarkers, input.killMarkers),
    killCategories: list(base.killCategories, input.killCategories),
  };
}

function mergeOrganisations(base: OrganisationRule[], extra: OrganisationRule[] | undefined): OrganisationRule[] {
  // An alias the operator gives an organisation of their own is theirs: the defaults let go of it.
  const claimed = new Map<string, string>();
  for (const o of extra ?? []) for (const a of o.aliases) claimed.set(a.trim().toLowerCase(), o.name.toLowerCase());
  const ours = (o: OrganisationRule, alias: string): boolean => (claimed.get(alias.trim().toLowerCase()) ?? o.name.toLowerCase()) === o.name.toLowerCase();
  const out = base
    .filter((o) => ours(o, o.name))
    .map((o) => ({ name: o.name, aliases: o.aliases.filter((a) => ours(o, a)) }));
  for (const o of extra ?? []) {
    const known = out.find((b) => b.name.toLowerCase() === o.name.toLowerCase());
    if (known) known.aliases = [...new Set([...known.aliases, ...o.aliases])];
    else out.push({ name: o.name, aliases: [...o.aliases] });
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
