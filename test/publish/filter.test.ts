import { describe, expect, it } from 'vitest';
import type { FeedSpec, NewsItem } from '../../src/model.ts';
import { FilterError, MAX_LIMIT, encodeCursor, parseDuration, parseFeedRequest } from '../../src/publish/filter.ts';
import { newsItem, text } from '../support/items.ts';

const now = Date.UTC(2026, 10, 25, 12);
const all: FeedSpec = { name: 'all', title: 'All', filter: {} };
const alberta: FeedSpec = { name: 'alberta', title: 'Alberta', filter: { categories: ['Alberta'], excludeCategories: ['Sports'] } };

function item(over: Partial<NewsItem> & { headline: string; body?: string }): NewsItem {
  const { headline, body, ...rest } = over;
  return newsItem(headline, {
    headlines: [text(headline)],
    ...(body ? { bodies: [text(body, 'main', 'text/html')] } : {}),
    ...rest,
  });
}

const items = [
  item({ headline: 'Flood waters rise in Calgary', body: '<p>The Bow River crested overnight.</p>', by: 'Jane Doe', located: 'CALGARY', subjects: [{ name: 'Alberta' }, { name: 'Weather' }], infoSources: [{ name: 'The Canadian Press', role: 'originfeed' }] }),
  item({ headline: 'Senate passes budget', body: '<p>Lawmakers voted late on Tuesday.</p>', by: 'Eric Tucker', located: 'WASHINGTON', subjects: [{ name: 'Politics' }], copyrightHolder: 'The Associated Press' }),
  item({ headline: 'Oilers win in overtime', body: '<p>A late goal sealed it.</p>', by: 'Sam Stone', located: 'EDMONTON, Alta.', subjects: [{ name: 'Sports' }, { name: 'Alberta' }] }),
];

const pick = (query: string, spec: FeedSpec = all): string[] => {
  const { predicate } = parseFeedRequest(spec, new URLSearchParams(query), now);
  return items.filter((i) => (predicate ? predicate(i) : true)).map((i) => i.headlines[0]!.value);
};

describe('parseFeedRequest: store query', () => {
  it('applies a named feed filter and narrows it with ?category=', () => {
    const { query } = parseFeedRequest(alberta, new URLSearchParams('category=Weather,Politics&category=News&exclude_category=Crime'), now);
    expect(query.categoryGroups).toEqual([['Alberta'], ['Weather', 'Politics', 'News']]);
    expect(query.excludeCategories).toEqual(['Sports', 'Crime']);
    expect(query.status).toEqual(['usable']);
    expect(query.order).toBe('published');
    expect(query.limit).toBe(50);
  });

  it.each([
    ['since=P2D', 'since', now - 2 * 86_400_000],
    ['since=PT6H30M', 'since', now - 6.5 * 3_600_000],
    ['since=2026-11-01T00:00:00Z', 'since', Date.UTC(2026, 10, 1)],
    ['since=2026-11-01', 'since', Date.UTC(2026, 10, 1)],
    ['until=2026-11-20T10:00:00+02:00', 'until', Date.UTC(2026, 10, 20, 8)],
    ['filter_time=3600', 'since', now - 3_600_000],
    ['since=P7D&filter_time=60', 'since', now - 60_000],
  ])('%s → %s', (q, field, expected) => {
    const { query } = parseFeedRequest(all, new URLSearchParams(q), now);
    expect(query[field as 'since' | 'until']).toBe(expected);
  });

  it('status, limit, sorted and a cursor', () => {
    const cursor = encodeCursor(12345, 'urn:x:é');
    const { query } = parseFeedRequest(all, new URLSearchParams(`status=canceled,usable&limit=${MAX_LIMIT}&sorted=false&before=${cursor}`), now);
    expect(query).toMatchObject({ status: ['canceled', 'usable'], limit: MAX_LIMIT, order: 'ingested', before: { key: 12345, id: 'urn:x:é' } });
    expect(parseFeedRequest(all, new URLSearchParams('status=any'), now).query.status).toBeNull();
  });

  it.each([
    ['limit=0', /limit must be from 1 to 500/],
    ['limit=ten', /limit must be a whole number/],
    ['since=yesterday', /since must be an ISO-8601 time/],
    ['until=2026-13-45', /until must be an ISO-8601 time/],
    ['status=draft', /status must be one of usable, withheld, canceled, any/],
    ['before=not-ours!', /before: not a cursor/],
    ['filter_time=soon', /filter_time must be a number of seconds/],
    ['filter=(unclosed', /filter: invalid or unsupported regular expression/],
    ['filter_title=(a)\\1', /filter_title: invalid or unsupported regular expression/],
    ['filterout=(?=look)', /filterout: invalid or unsupported regular expression/],
    [`filter=${'a'.repeat(501)}`, /longer than 500/],
  ])('%s is a clear error', (q, message) => {
    expect(() => parseFeedRequest(all, new URLSearchParams(q), now)).toThrow(FilterError);
    expect(() => parseFeedRequest(all, new URLSearchParams(q), now)).toThrow(message);
  });
});

describe('parseFeedRequest: item tests', () => {
  it.each([
    ['', ['Flood waters rise in Calgary', 'Senate passes budget', 'Oilers win in overtime']],
    ['provider=the canadian press', ['Flood waters rise in Calgary']],
    ['provider=The Associated Press', ['Senate passes budget']],
    ['located=edmonton', ['Oilers win in overtime']],
    ['located=Calgary,Washington', ['Flood waters rise in Calgary', 'Senate passes budget']],
    ['by=tucker', ['Senate passes budget']],
    ['q=bow crested', ['Flood waters rise in Calgary']],
    ['q=budget tuesday', ['Senate passes budget']],
    ['q=budget flood', []],
    // RSSHub: `filter` looks at title, description, author and categories; case-sensitive by default.
    ['filter=Bow|Oilers', ['Flood waters rise in Calgary', 'Oilers win in overtime']],
    ['filter=bow|oilers', []],
    ['filter=bow|oilers&filter_case_sensitive=false', ['Flood waters rise in Calgary', 'Oilers win in overtime']],
    ['filter=Politics', ['Senate passes budget']],
    ['filter=Stone', ['Oilers win in overtime']],
    // Per-field filters all have to match, and are ignored when `filter` is given.
    ['filter_title=in&filter_category=Alberta', ['Flood waters rise in Calgary', 'Oilers win in overtime']],
    ['filter_title=in&filter_author=Doe', ['Flood waters rise in Calgary']],
    ['filter_description=late', ['Senate passes budget', 'Oilers win in overtime']],
    ['filter=Senate&filter_title=Oilers', ['Senate passes budget']],
    // filterout: title and description by `filterout` unless the specific one is given.
    ['filterout=Senate|goal', ['Flood waters rise in Calgary']],
    ['filterout_title=Senate', ['Flood waters rise in Calgary', 'Oilers win in overtime']],
    ['filterout_category=Sports|Politics', ['Flood waters rise in Calgary']],
    ['filterout_author=Doe', ['Senate passes budget', 'Oilers win in overtime']],
    ['filter=Alberta&filterout=Oilers', ['Flood waters rise in Calgary']],
  ])('?%s', (q, expected) => {
    expect(pick(q)).toEqual(expected);
  });

  it('runs patterns in linear time: a catastrophic pattern is just a pattern', () => {
    const evil = item({ headline: `${'a'.repeat(5000)}!` });
    const { predicate } = parseFeedRequest(all, new URLSearchParams({ filter: '(a+)+$' }), now);
    expect(predicate!(evil)).toBe(false);
  });
});

describe('parseDuration', () => {
  it.each([
    ['P1W', 7 * 86_400_000],
    ['P2D', 2 * 86_400_000],
    ['PT90S', 90_000],
    ['PT1.5S', 1500],
    ['P1DT1H', 25 * 3_600_000],
    ['P1Y', null],
    ['P', null],
    ['PT', null],
    ['2D', null],
  ])('%s → %s', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });
});
