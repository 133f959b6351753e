import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/ingest/parse.ts';
import { repairMojibake } from '../../src/ingest/mojibake.ts';

/**
 * What a CMS makes of UTF-8 text when it reads the bytes as windows-1252 (as browsers and MySQL's "latin1" do:
 * the five bytes windows-1252 leaves undefined become the C1 controls of the same value) and writes UTF-8 again.
 */
const asCp1252 = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => (b >= 0x80 && b < 0xa0 && [0x81, 0x8d, 0x8f, 0x90, 0x9d].includes(b) ? String.fromCharCode(b) : iconv.decode(Buffer.of(b), 'windows-1252'))).join('');
const asLatin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

const CORRECT: Array<[string, string]> = [
  ['French', 'À Rueil, l’Élysée « réconcilie » le théâtre et l’été\u00a0!'],
  ['German', 'Größe, Kältewelle und Flüchtlinge: „Ohne uns fährt kein Fahrzeug“'],
  ['Spanish', '¿Qué pasa, señor? ¡El año de los niños!'],
  ['Portuguese', 'Não, o coração de São Paulo'],
  ['Chinese', '中文新闻：今日要闻，天气晴朗'],
  ['Japanese', 'ニュース速報：東京'],
  ['Russian', 'Новости дня: погода в Москве'],
  ['Czech', 'Martin Mikoláš, Karel Boublík, Pavel Šamonil'],
  ['a word-final accent before a quote', 'Cortés: “Pase lo que pase, la historia continuará”'],
  ['a multiplication sign before a no-break space', '30\u00a0m×\u00a030\u00a0m'],
  ['the same, alone', '3×\u00a05'],
  ['capitals before a no-break space', 'OLÉ\u00a0!'],
  ['ß before a closing quote', 'Fuß”'],
  ['ASCII', 'Plain headline, nothing to see'],
  ['mojibake quoted beside correct text', 'Écrire « Ã© » au lieu de « é »'],
  ['an emoji', 'Launch day 🚀 — ready'],
];

describe('repairMojibake: correct text is never changed', () => {
  it.each(CORRECT)('%s', (_label, text) => {
    expect(repairMojibake(text)).toBe(text);
  });
});

describe('repairMojibake: double-encoded UTF-8 is undone', () => {
  const texts = CORRECT.filter(([label]) => label !== 'mojibake quoted beside correct text');
  it.each(texts)('%s, read as windows-1252', (_label, text) => {
    if (text === asCp1252(text)) return expect(repairMojibake(text)).toBe(text); // ASCII: nothing to undo
    expect(repairMojibake(asCp1252(text))).toBe(text);
  });

  // Latin-1 readers keep 0x80–0x9F as C1 controls, which the repair reads back as bytes all the same.
  it.each(texts)('%s, read as Latin-1', (_label, text) => {
    expect(repairMojibake(asLatin1(text))).toBe(text);
  });

  it.each([
    ['Â«En Ã©crivant j’ai eu le sentimentÂ»', 'Â«En Ã©crivant j’ai eu le sentimentÂ»'], // a correct ’ beside: not one encoding, left alone
    ['feminicÃ\u00addio', 'feminicídio'],
    ['Marketing OnlineÂ\u00a0[Free Ebook]', 'Marketing Online\u00a0[Free Ebook]'],
    ['Trumpâ€™s plan', 'Trump’s plan'],
    ['Ã–konom', 'Ökonom'],
    ['TischfuÃŸball', 'Tischfußball'],
    ['Ã\u0081lvaro', 'Álvaro'],
  ])('%j → %j', (input, output) => {
    expect(repairMojibake(input)).toBe(output);
  });

  it('a text double-encoded twice is undone once per pass, never made worse', () => {
    const twice = asCp1252(asCp1252('café'));
    expect(repairMojibake(twice)).toBe(asCp1252('café'));
    expect(repairMojibake(repairMojibake(twice))).toBe('café');
  });
});

describe('parseFeed: a double-encoded field is repaired on its own', () => {
  const rss = (title: string, description: string, author = 'Jane'): string =>
    `<rss version="2.0"><channel><title>Feed</title><item><title>${title}</title>` +
    `<description>${description}</description><author>${author}</author></item></channel></rss>`;

  it.each([
    ['the title only', asCp1252('Kältewelle in Europa'), '<p>Größe stays</p>', 'Kältewelle in Europa', '<p>Größe stays</p>'],
    ['the description, markup and all', 'Correct café', `<![CDATA[${asCp1252('<p>Le <b>théâtre</b> à Paris</p>')}]]>`, 'Correct café', '<p>Le <b>théâtre</b> à Paris</p>'],
    ['neither, when one encoding does not explain the field', `${asCp1252('Größe')} und „Kälte“`, 'ok', `${asCp1252('Größe')} und „Kälte“`, 'ok'],
  ])('%s', async (_label, title, description, wantTitle, wantSummary) => {
    const feed = await parseFeed(rss(title, description));
    expect(feed.entries[0]).toMatchObject({ title: wantTitle, summary: wantSummary });
  });

  it('an author name and a category are fields too', async () => {
    const feed = await parseFeed(
      `<rss version="2.0"><channel><title>F</title><item><title>t</title><dc:creator>${asCp1252('Léa Müller')}</dc:creator>` +
        `<category>${asCp1252('Économie')}</category></item></channel></rss>`,
    );
    expect(feed.entries[0]).toMatchObject({ author: 'Léa Müller', categories: ['Économie'] });
  });

  it('JSON Feed strings are repaired the same way', async () => {
    const feed = await parseFeed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'F',
        items: [{ id: '1', title: asCp1252('Déjà vu – à Zürich'), content_text: 'Größe stays' }],
      }),
    );
    expect(feed.entries[0]).toMatchObject({ title: 'Déjà vu – à Zürich', content: 'Größe stays' });
  });
});
