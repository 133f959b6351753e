/**
 * The 27 payloads of the shared hostile corpus (`../shared/corpus/hostile/xss_payloads.json`) come out
 * harmless from the sanitizer and from every output format, whichever field of a story carries them.
 *
 * "Harmless" is decided by parsing, not by pattern: `test/support/html-safety.ts` reads each HTML slot of
 * each output with htmlparser2 and checks elements, attributes and URLs against an allowlist. The feed
 * documents themselves are read with a real XML parser (xmllint) for well-formedness and with htmlparser2's
 * XML mode to take out each slot.
 *
 * Slots are of two kinds, as each format's specification defines them:
 * - HTML: RSS `description` and `content:encoded`, Atom text constructs of `type="html"` (title, summary,
 *   content), JSON Feed `content_html`, ninjs texts whose contentType is HTML. These must pass the safety
 *   check.
 * - plain text: RSS `title`, `dc:creator`, `category`, `media:description type="plain"`, `media:credit`
 *   (the RSS Advisory Board: "titles should not contain HTML", readers show them literally); Atom
 *   `type="text"` constructs and person names; JSON Feed `title`, `summary` and author names (plaintext by
 *   the JSON Feed spec); ninjs `text/plain` values. A story whose headline *is* the text
 *   `<script>alert(1)</script>` keeps it there as text. What is checked is that no raw HTML of an
 *   HTML-typed field leaks into them: a text/html headline, summary or caption reaches a plain-text slot as
 *   its text only, so there it holds no markup the sanitizer removed.
 *
 * `data:` URLs are refused everywhere, images included (the sanitizer keeps http(s) images only).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument, DomUtils } from 'htmlparser2';
import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import type { NewsItem, NinjsText } from '../../src/model.ts';
import { renderNinjs } from '../../src/publish/ninjs.ts';
import { renderFeed, type FeedMeta } from '../../src/publish/render.ts';
import { sanitizeHtml } from '../../src/publish/sanitize.ts';
import { htmlToText } from '../../src/util/html-text.ts';
import { assertHtmlSafe, htmlSafetyProblems, parseElements } from '../support/html-safety.ts';
import { newsItem, text } from '../support/items.ts';

const PAYLOADS_PATH = fileURLToPath(new URL('../../../shared/corpus/hostile/xss_payloads.json', import.meta.url));

function loadPayloads(): string[] {
  if (!existsSync(PAYLOADS_PATH)) {
    throw new Error(`The XSS corpus is missing at ${PAYLOADS_PATH}: the tests read it from ../shared beside the repository.`);
  }
  return JSON.parse(readFileSync(PAYLOADS_PATH, 'utf8')) as string[];
}

const PAYLOADS = loadPayloads();
const CASES = PAYLOADS.map((payload, i) => [i, payload] as const);
const BASE = 'https://news.example.com/alberta/story.html';

const META: FeedMeta = {
  id: 'urn:wirefeed:feed:xss',
  title: 'XSS corpus',
  description: 'hostile payloads',
  siteUrl: 'https://news.example.com/',
  selfUrl: 'https://news.example.com/feeds/xss.rss',
  updated: new Date('2026-05-14T18:00:00Z'),
};

/** A story carrying `payload` in its body, summary, headline, byline and photo caption (and credit). */
function storyWith(payload: string, contentType: 'text/html' | 'text/plain', i: number): NewsItem {
  return newsItem(i, {
    uri: `urn:wirefeed:xss:${i}:${contentType === 'text/html' ? 'html' : 'plain'}`,
    version: '1',
    firstCreated: '2026-05-14T15:00:00Z',
    versionCreated: '2026-05-14T17:30:00Z',
    headlines: [text(payload, 'main', contentType)],
    descriptions: [text(payload, 'summary', contentType)],
    bodies: [text(payload, 'main', contentType)],
    by: payload,
    subjects: [{ name: payload }],
    renditions: [{ name: 'web', href: BASE, contentType: 'text/html' }],
    associations: [
      {
        name: 'featureimage',
        uri: `urn:wirefeed:xss:${i}:picture`,
        type: 'picture',
        headlines: [text(payload, 'main', contentType)],
        descriptions: [text(payload, 'caption', contentType)],
        by: payload,
        renditions: [{ name: 'original', href: 'https://img.example.com/photo.jpg', contentType: 'image/jpeg', width: 1200, height: 800 }],
      },
    ],
  });
}

function xmllintProblems(xml: string): string | null {
  const r = spawnSync('xmllint', ['--noout', '--nonet', '-'], { input: xml, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error('xmllint is not installed: install the Debian package libxml2-utils');
  if (r.error) throw r.error;
  return r.status === 0 && r.stderr === '' ? null : r.stderr || `xmllint exited with ${r.status}`;
}

/**
 * A slot of an output: `html` is read as HTML; `text` is plain text made from a typed ninjs text (headline,
 * summary, caption); `string` is plain text made from a plain string of the story (byline, subject, credit).
 */
interface Slot {
  kind: 'html' | 'text' | 'string';
  where: string;
  value: string;
}

const tag = (el: Element): string => `<${el.name}${el.attribs.type ? ` type="${el.attribs.type}"` : ''}>`;

/** The slots of each item of an RSS or Atom document, by item index. */
function xmlSlots(xml: string, format: 'rss' | 'atom'): Slot[][] {
  const doc = parseDocument(xml, { xmlMode: true });
  const entries = DomUtils.getElementsByTagName(format === 'rss' ? 'item' : 'entry', doc);
  return entries.map((entry, n) => {
    const slots: Slot[] = [];
    const add = (kind: Slot['kind'], el: Element, value = DomUtils.textContent(el)): void => {
      slots.push({ kind, where: `${format} item ${n} ${tag(el)}`, value });
    };
    for (const el of DomUtils.getElementsByTagName(() => true, entry.children)) {
      if (format === 'rss') {
        if (el.name === 'description' || el.name === 'content:encoded') add('html', el);
        else if (el.name === 'title' || el.name === 'media:description') add('text', el);
        else if (['dc:creator', 'category', 'media:credit'].includes(el.name)) add('string', el);
      } else if (['title', 'summary', 'content'].includes(el.name)) {
        const type = el.attribs.type ?? 'text';
        if (type === 'html') add('html', el);
        else if (type === 'xhtml') add('html', el, DomUtils.getInnerHTML(el, { xmlMode: true }));
        else add('text', el);
      } else if (el.name === 'name') {
        add('string', el);
      }
      // Every attribute of the document is inert too: no handler, no script URL.
      for (const [attr, value] of Object.entries(el.attribs)) {
        expect(attr.toLowerCase().startsWith('on'), `${format} item ${n} ${tag(el)} ${attr}`).toBe(false);
        expect(/^\s*(?:javascript|vbscript|data):/i.test(value), `${format} item ${n} ${tag(el)} ${attr}="${value}"`).toBe(false);
      }
    }
    return slots;
  });
}

/** The slots of each item of a JSON Feed document. */
function jsonFeedSlots(json: string): Slot[][] {
  const doc = JSON.parse(json) as { items: Record<string, unknown>[] };
  return doc.items.map((item, n) => {
    const slots: Slot[] = [];
    const where = (key: string): string => `json item ${n} ${key}`;
    if (typeof item.content_html === 'string') slots.push({ kind: 'html', where: where('content_html'), value: item.content_html });
    for (const key of ['title', 'summary'] as const) {
      if (typeof item[key] === 'string') slots.push({ kind: 'text', where: where(key), value: item[key] });
    }
    for (const author of (item.authors ?? []) as { name?: string }[]) slots.push({ kind: 'string', where: where('authors[].name'), value: author.name ?? '' });
    for (const key of ['url', 'external_url', 'image', 'banner_image'] as const) {
      if (item[key] !== undefined) expect(item[key], where(key)).toMatch(/^https?:\/\//);
    }
    return slots;
  });
}

/** The slots of each item of a ninjs document: every text block, HTML or text by its declared contentType. */
function ninjsSlots(json: string): Slot[][] {
  const items = JSON.parse(json) as NewsItem[];
  return items.map((item, n) => {
    const slots: Slot[] = [];
    const add = (where: string, t: NinjsText): void => {
      slots.push({ kind: /html/i.test(t.contentType) ? 'html' : 'string', where: `ninjs item ${n} ${where} (${t.contentType})`, value: t.value });
    };
    for (const key of ['headlines', 'descriptions', 'bodies'] as const) item[key]?.forEach((t) => add(key, t));
    if (item.by !== undefined) slots.push({ kind: 'string', where: `ninjs item ${n} by`, value: item.by });
    for (const s of item.subjects ?? []) slots.push({ kind: 'string', where: `ninjs item ${n} subjects[].name`, value: s.name });
    for (const a of item.associations ?? []) {
      for (const key of ['headlines', 'descriptions'] as const) a[key]?.forEach((t) => add(`associations[].${key}`, t));
      if (a.by !== undefined) slots.push({ kind: 'string', where: `ninjs item ${n} associations[].by`, value: a.by });
    }
    return slots;
  });
}

// eslint-disable-next-line no-control-regex
const xmlSafe = (s: string): string => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe('the XSS corpus', () => {
  it('has the 27 payloads of the shared corpus', () => {
    expect(PAYLOADS).toHaveLength(27);
  });

  it.each(CASES)('the safety check itself flags raw payload #%i', (_i, payload) => {
    // Every payload is hostile as written (a comment, a target, a relative link without rel count too):
    // the check is not vacuous.
    expect(htmlSafetyProblems(payload)).not.toEqual([]);
  });
});

describe('sanitizeHtml on the XSS corpus', () => {
  it.each(CASES)('payload #%i comes out harmless, with and without a base URL, and stable', (_i, payload) => {
    for (const base of [BASE, undefined]) {
      const clean = sanitizeHtml(payload, base);
      assertHtmlSafe(clean, `sanitizeHtml(payload, ${base ?? 'no base'})`);
      // Sanitizing again changes nothing: what a parser reads back is what was checked.
      expect(sanitizeHtml(clean, base)).toBe(clean);
    }
  });

  it('keeps the harmless parts: text, emphasis, https links with rel, images', () => {
    const out = PAYLOADS.map((p) => sanitizeHtml(p, BASE));
    expect(out[0]).toBe('<p>ok</p>');
    expect(parseElements(out[7]!)).toEqual([{ name: 'a', attribs: { rel: 'noopener noreferrer', href: 'https://example.com/' } }]);
    expect(out[15]).toBe('<p>s</p>');
    expect(out[21]).toBe('<p>café &amp; <b>bold</b> <i>it</i>  </p>');
    expect(parseElements(out[22]!)).toEqual([{ name: 'img', attribs: { src: 'https://example.com/a.png' } }]);
    expect(parseElements(out[23]!)).toEqual([
      { name: 'a', attribs: { rel: 'noopener noreferrer', href: 'https://news.example.com/relative' } },
      { name: 'img', attribs: { src: 'https://cdn.example/x.png' } },
    ]);
    // The `<xmp>` payload survives as inert text.
    expect(parseElements(out[25]!)).toEqual([]);
    expect(htmlToText(out[25]!)).toBe('<img src=x onerror=alert(1)>');
  });

  it('drops the tracking pixel and the script-URL links but keeps their text', () => {
    expect(sanitizeHtml(PAYLOADS[2]!, BASE)).toBe('');
    for (const i of [3, 4, 5, 6]) {
      const [a, ...rest] = parseElements(sanitizeHtml(PAYLOADS[i]!, BASE));
      expect(rest).toEqual([]);
      expect(a).toEqual({ name: 'a', attribs: { rel: 'noopener noreferrer' } });
    }
  });

  it('keeps figure, figcaption and img, and drops a tracking pixel inside a figure', () => {
    const html =
      '<figure onclick="x()"><img src="https://img.example.com/a.jpg" alt="A" width="640" height="427" onerror="x()">' +
      '<img src="https://t.example.com/p.gif" width="1" height="1"><figcaption>Crowd <a href="javascript:x()">(AP)</a></figcaption></figure>';
    const clean = sanitizeHtml(html, BASE);
    assertHtmlSafe(clean, 'figure');
    expect(parseElements(clean)).toEqual([
      { name: 'figure', attribs: {} },
      { name: 'img', attribs: { src: 'https://img.example.com/a.jpg', alt: 'A', width: '640', height: '427' } },
      { name: 'figcaption', attribs: {} },
      { name: 'a', attribs: { rel: 'noopener noreferrer' } },
    ]);
  });
});

describe.each(['text/html', 'text/plain'] as const)('renderFeed and renderNinjs with the payloads as %s fields', (contentType) => {
  const items = PAYLOADS.map((p, i) => storyWith(p, contentType, i));
  const rendered = {
    rss: renderFeed(META, items, 'rss').body,
    atom: renderFeed(META, items, 'atom').body,
    json: renderFeed(META, items, 'json').body,
    ninjs: renderNinjs(items).body,
  };
  const FORMATS = ['rss', 'atom', 'json', 'ninjs'] as const;
  const slotsOf = (format: (typeof FORMATS)[number]): Slot[][] =>
    format === 'rss' || format === 'atom' ? xmlSlots(rendered[format], format) : format === 'json' ? jsonFeedSlots(rendered.json) : ninjsSlots(rendered.ninjs);

  it.each(['rss', 'atom'] as const)('the %s document is well-formed XML', (format) => {
    expect(xmllintProblems(rendered[format])).toBeNull();
  });

  it.each(['json', 'ninjs'] as const)('the %s document is JSON with one item per story', (format) => {
    const doc = JSON.parse(rendered[format]) as { items: unknown[] } | unknown[];
    expect(Array.isArray(doc) ? doc : doc.items).toHaveLength(PAYLOADS.length);
  });

  it.each(FORMATS)('every HTML slot of %s is harmless', (format) => {
    const perItem = slotsOf(format);
    expect(perItem).toHaveLength(PAYLOADS.length);
    perItem.forEach((slots, n) => {
      // The body is in an HTML slot unless there is nothing left of it (or ninjs keeps it as text).
      const bodyKept = contentType === 'text/html' ? sanitizeHtml(PAYLOADS[n]!, BASE).trim() !== '' : format !== 'ninjs';
      if (bodyKept) expect(slots.some((s) => s.kind === 'html' && s.value.trim() !== ''), `${format} item ${n} has an HTML slot`).toBe(true);
      for (const slot of slots) if (slot.kind === 'html') assertHtmlSafe(slot.value, slot.where);
    });
  });

  it.each(FORMATS)('the plain-text slots of %s hold text, never the markup of an HTML field', (format) => {
    const perItem = slotsOf(format);
    let checked = 0;
    perItem.forEach((slots, n) => {
      const payload = PAYLOADS[n]!;
      // What a typed field (headline, summary, caption) reads as: its text when it is HTML, itself when it is text.
      const asText = oneLine(xmlSafe(contentType === 'text/html' ? htmlToText(payload) : payload));
      for (const slot of slots) {
        if (slot.kind === 'text') expect(oneLine(slot.value), slot.where).toBe(asText);
        else if (slot.kind === 'string') expect(format === 'ninjs' ? slot.value : oneLine(slot.value), slot.where).toBe(format === 'ninjs' ? xmlSafe(payload) : oneLine(xmlSafe(payload)));
        else continue;
        checked++;
      }
      // An HTML title (Atom) reads as the same text.
      for (const slot of slots.filter((s) => s.kind === 'html' && s.where.includes('<title'))) {
        expect(oneLine(htmlToText(slot.value)), slot.where).toBe(asText);
      }
    });
    expect(checked).toBeGreaterThan(0);
  });
});

describe('what the renderers keep', () => {
  it('a figure with its image and caption, and a link with rel, reach every output; the tracking pixel does not', () => {
    const body =
      '<figure><img src="/img/fire.jpg" alt="Fire" width="640" height="427"><figcaption>Smoke rises (AP Photo/Jo Lee)</figcaption></figure>' +
      '<p>Crews <a href="/map.html" target="_blank">map</a>.<img src="https://t.example.com/p.gif" width="1" height="1"></p>';
    const item: NewsItem = { ...storyWith('x', 'text/plain', 0), bodies: [text(body, 'main', 'text/html')] };
    const expected = [
      { name: 'figure', attribs: {} },
      { name: 'img', attribs: { src: 'https://news.example.com/img/fire.jpg', alt: 'Fire', width: '640', height: '427' } },
      { name: 'figcaption', attribs: {} },
      { name: 'p', attribs: {} },
      { name: 'a', attribs: { rel: 'noopener noreferrer', href: 'https://news.example.com/map.html' } },
    ];
    const bodies = [
      ...xmlSlots(renderFeed(META, [item], 'rss').body, 'rss').flat().filter((s) => s.where.includes('content:encoded')),
      ...xmlSlots(renderFeed(META, [item], 'atom').body, 'atom').flat().filter((s) => s.where.includes('<content')),
      ...jsonFeedSlots(renderFeed(META, [item], 'json').body).flat().filter((s) => s.where.includes('content_html')),
      ...ninjsSlots(renderNinjs([item]).body).flat().filter((s) => s.where.includes('bodies')),
    ];
    expect(bodies).toHaveLength(4);
    for (const slot of bodies) {
      assertHtmlSafe(slot.value, slot.where);
      expect(parseElements(slot.value), slot.where).toEqual(expected);
    }
  });
});
