/**
 * Deterministic, realistic-looking wire stories for the benchmarks: headlines, a summary, bodies with a
 * few paragraphs of HTML, a byline, a dateline, subjects, a provider, a web rendition and (on some) a
 * picture. The same seed always gives the same stories, so runs are comparable.
 */
import type { NewsItem, NinjsAssociation } from '../src/model.ts';
import type { ItemWrite } from '../src/store/store.ts';

/** A small, fast, seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

const PLACES = [
  ['CALGARY', 'Alta.'], ['EDMONTON', 'Alta.'], ['RED DEER', 'Alta.'], ['LETHBRIDGE', 'Alta.'], ['OTTAWA', 'Ont.'],
  ['TORONTO', 'Ont.'], ['VANCOUVER', 'B.C.'], ['REGINA', 'Sask.'], ['WINNIPEG', 'Man.'], ['HALIFAX', 'N.S.'],
] as const;
const REPORTERS = ['Jane Okafor', 'Luc Tremblay', 'Priya Raman', 'Tom McAllister', 'Ana Sousa', 'Kevin Whitecalf', 'Mei Chen'];
const PROVIDERS = ['The Canadian Press', 'Wire Service Example', 'Prairie News Agency'];
const SUBJECTS_OF = ['council', 'province', 'minister', 'union', 'hospital', 'school board', 'court', 'utility', 'team', 'airport'];
const ACTIONS = ['approves', 'rejects', 'delays', 'reviews', 'unveils', 'defends', 'expands', 'cuts'];
const OBJECTS = ['budget', 'transit plan', 'housing strategy', 'water rates', 'wildfire response', 'contract', 'funding deal', 'bylaw'];
const CLOSERS = ['after long debate', 'amid protests', 'ahead of vote', 'despite objections', 'as costs climb', 'in close decision'];
const SENTENCES = [
  'Officials said the decision followed months of consultation with residents and business groups.',
  'Critics argued the proposal would leave smaller communities without the services they rely on.',
  'The estimated cost has risen by nearly a third since the plan was first presented last spring.',
  'A spokesperson for the minister declined to comment on the timeline, citing ongoing negotiations.',
  'Several councillors asked staff to return with a detailed report before the end of the year.',
  'Union representatives said members would meet next week to decide on their next steps.',
  'The province said the money would be delivered in three instalments over the coming fiscal years.',
  'Residents who spoke at the public hearing were divided, with some calling the changes overdue.',
  'Analysts noted that similar measures in other provinces had produced mixed results.',
  'The opposition called for an independent review, saying the public deserved a full accounting.',
  'Emergency crews were on scene for several hours, and no injuries were reported.',
  'Court documents filed on Tuesday show the dispute dates back to a contract signed in 2019.',
] as const;

/** Category names for the HTTP bench (real newsroom-like subjects). */
export const HTTP_CATEGORIES = ['Politics', 'Alberta', 'Business', 'Sports', 'Health', 'Environment', 'Courts', 'Technology'] as const;

export interface StoryOptions {
  /** The source id the uri is scoped to. */
  source: string;
  /** Publication time, epoch ms. */
  published: number;
  categories: string[];
  /** Number of body paragraphs (each 2–3 sentences). */
  paragraphs: number;
  /** Whether the story carries a picture association. */
  picture: boolean;
}

/** One story, as normalization would produce it. */
export function makeStory(r: () => number, n: number, o: StoryOptions): NewsItem {
  const [city, region] = pick(r, PLACES);
  const place = city.charAt(0) + city.slice(1).toLowerCase().replace(/ (\w)/g, (_m, c: string) => ` ${c.toUpperCase()}`);
  const headline = `${place} ${pick(r, SUBJECTS_OF)} ${pick(r, ACTIONS)} ${pick(r, OBJECTS)} ${pick(r, CLOSERS)}`;
  const summary = `${pick(r, SENTENCES)} ${pick(r, SENTENCES)}`;
  const paras: string[] = [];
  for (let p = 0; p < o.paragraphs; p++) {
    const count = 2 + Math.floor(r() * 2);
    let text = '';
    for (let s = 0; s < count; s++) text += (s ? ' ' : '') + pick(r, SENTENCES);
    if (p === 1) text += ` <em>Read the <a href="https://news.example/${o.source}/docs/${n}.pdf">full report</a>.</em>`;
    paras.push(`<p>${text}</p>`);
  }
  const reporter = pick(r, REPORTERS);
  const provider = pick(r, PROVIDERS);
  const href = `https://news.example/${o.source}/${new Date(o.published).toISOString().slice(0, 10)}/story-${n}`;
  const associations: NinjsAssociation[] | undefined = o.picture
    ? [
        {
          name: 'picture1',
          uri: `urn:wirefeed:${o.source}:${n}:picture1`,
          type: 'picture',
          headlines: [{ role: 'main', contentType: 'text/plain', value: `A scene in ${place}` }],
          descriptions: [{ role: 'caption', contentType: 'text/plain', value: `People gather outside city hall in ${place} on Tuesday.` }],
          by: `${provider} photo`,
          renditions: [{ name: 'original', href: `https://img.news.example/${o.source}/${n}.jpg`, contentType: 'image/jpeg', width: 1600, height: 1067 }],
        },
      ]
    : undefined;
  return {
    uri: `urn:wirefeed:${o.source}:${n.toString(36).padStart(7, '0')}`,
    type: 'text',
    representationType: 'full',
    version: '1',
    firstCreated: '',
    versionCreated: '',
    contentCreated: new Date(o.published).toISOString(),
    pubStatus: 'usable',
    language: 'en',
    headlines: [{ role: 'main', contentType: 'text/plain', value: headline }],
    descriptions: [{ role: 'summary', contentType: 'text/plain', value: summary }],
    bodies: [{ role: 'main', contentType: 'text/html', value: paras.join('\n') }],
    by: `By ${reporter}`,
    located: `${city}, ${region}`,
    subjects: o.categories.map((name) => ({ name })),
    infoSources: [{ name: provider, role: 'originator' }],
    copyrightHolder: provider,
    renditions: [{ name: 'web', href, contentType: 'text/html' }],
    ...(associations ? { associations } : {}),
  };
}

/** An item ready for `store.savePoll`. */
export function storyWrite(item: NewsItem, published: number): ItemWrite {
  return {
    item,
    published,
    link: item.renditions?.[0]?.href ?? null,
    categories: (item.subjects ?? []).map((s) => s.name),
    fingerprint: null,
  };
}

/**
 * Picks 1–3 distinct categories from `names`, weighted Zipf-like (weight 1/(rank+1)) so some categories
 * are common and some rare, as in a real newsroom.
 */
export function zipfCategories(r: () => number, names: readonly string[]): string[] {
  const weights = names.map((_n, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const count = 1 + Math.floor(r() * 3);
  const chosen = new Set<string>();
  for (let guard = 0; chosen.size < count && guard < 20; guard++) {
    let x = r() * total;
    let i = 0;
    while (i < weights.length - 1 && x >= weights[i]!) x -= weights[i++]!;
    chosen.add(names[i]!);
  }
  return [...chosen];
}
