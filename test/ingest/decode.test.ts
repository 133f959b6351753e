import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeFeedBytes } from '../../src/ingest/decode.ts';

const HOSTILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hostile');
const hostile = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(HOSTILE, name)));

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...utf8(p)] : p)));
const rss = (title: string, decl = ''): string =>
  `${decl}<rss version="2.0"><channel><title>${title}</title></channel></rss>`;

describe('decodeFeedBytes', () => {
  describe('byte-order marks come first', () => {
    it('UTF-8 BOM, stripped, even against a contrary declaration', () => {
      const out = decodeFeedBytes(bytes([0xef, 0xbb, 0xbf], rss('café', '<?xml version="1.0" encoding="ISO-8859-1"?>')));
      expect(out.encoding).toBe('utf-8');
      expect(out.text.startsWith('<?xml')).toBe(true);
      expect(out.text).toContain('café');
    });

    it('UTF-16 LE and BE', () => {
      const text = rss('UTF16 café', '<?xml version="1.0" encoding="UTF-16"?>');
      const le = decodeFeedBytes(new Uint8Array(iconv.encode(text, 'utf-16le', { addBOM: true })));
      const be = decodeFeedBytes(new Uint8Array(iconv.encode(text, 'utf-16be', { addBOM: true })));
      expect(le).toEqual({ text, encoding: 'utf-16le' });
      expect(be).toEqual({ text, encoding: 'utf-16be' });
    });

    it('UTF-16 without a BOM is recognised by its "<" and NUL bytes', () => {
      const text = rss('sans BOM');
      expect(decodeFeedBytes(new Uint8Array(iconv.encode(text, 'utf-16le')))).toEqual({ text, encoding: 'utf-16le' });
      expect(decodeFeedBytes(new Uint8Array(iconv.encode(text, 'utf-16be')))).toEqual({ text, encoding: 'utf-16be' });
    });

    it('the hostile-corpus BOM files', () => {
      expect(decodeFeedBytes(hostile('g1_bom_utf8.xml')).text).toContain('BOM café');
      expect(decodeFeedBytes(hostile('g2_bom_utf16le.xml'))).toMatchObject({ encoding: 'utf-16le' });
      expect(decodeFeedBytes(hostile('g2_bom_utf16le.xml')).text).toContain('UTF16 café');
      expect(decodeFeedBytes(hostile('g3_bom_then_whitespace.xml')).text.startsWith('\n  <?xml')).toBe(true);
      expect(decodeFeedBytes(hostile('g4_leading_whitespace_before_decl.xml')).encoding).toBe('utf-8');
    });
  });

  describe('then the XML declaration, then the HTTP charset, then UTF-8', () => {
    const cp1252Title = [0x93, 0x53, 0x6d, 0x61, 0x72, 0x74, 0x94, 0x20, 0x80, 0x35]; // “Smart” €5

    it('the declaration beats the HTTP charset', () => {
      const doc = bytes('<?xml version="1.0" encoding="windows-1252"?><rss><channel><title>', cp1252Title, '</title></channel></rss>');
      const out = decodeFeedBytes(doc, 'application/rss+xml; charset=utf-8');
      expect(out.encoding).toBe('windows-1252');
      expect(out.text).toContain('“Smart” €5');
    });

    it('the HTTP charset is used when there is no declaration', () => {
      const doc = bytes('<rss><channel><title>', [0xe9, 0x74, 0xe9], '</title></channel></rss>');
      const out = decodeFeedBytes(doc, 'text/xml; charset="ISO-8859-1"');
      expect(out).toMatchObject({ encoding: 'windows-1252' });
      expect(out.text).toContain('été');
    });

    it('UTF-8 by default', () => {
      expect(decodeFeedBytes(utf8(rss('naïve — ok')))).toEqual({ text: rss('naïve — ok'), encoding: 'utf-8' });
    });

    it.each([
      ['iso-8859-1', 'windows-1252'],
      ['ISO8859-1', 'windows-1252'],
      ['latin1', 'windows-1252'],
      ['US-ASCII', 'windows-1252'],
      ['cp1252', 'windows-1252'],
      ['utf8', 'utf-8'],
      ['gb2312', 'gbk'],
      ['ks_c_5601-1987', 'euc-kr'],
    ])('label %s means %s (WHATWG)', (label, encoding) => {
      expect(decodeFeedBytes(utf8(rss('x', `<?xml version="1.0" encoding="${label}"?>`))).encoding).toBe(encoding);
    });

    it('Latin-1 labels decode 0x80–0x9F as windows-1252 (curly quotes, not C1 controls)', () => {
      const doc = bytes('<?xml version="1.0" encoding="iso-8859-1"?><t>', [0x92, 0x96], '</t>');
      expect(decodeFeedBytes(doc).text).toContain('’–');
    });

    it('legacy multi-byte charsets go through iconv-lite', () => {
      const doc = bytes('<?xml version="1.0" encoding="euc-kr"?><t>', [0xb3, 0xe2], '</t>');
      expect(decodeFeedBytes(doc)).toMatchObject({ encoding: 'euc-kr' });
      expect(decodeFeedBytes(doc).text).toContain('년');
    });

    it('an unknown label is skipped in favour of the next source', () => {
      const doc = bytes('<?xml version="1.0" encoding="x-no-such-charset"?><t>', [0xe9], '</t>');
      expect(decodeFeedBytes(doc, 'text/xml; charset=iso-8859-1')).toMatchObject({ encoding: 'windows-1252' });
    });

    it.each(['constructor', 'toString', 'hasOwnProperty'])('a label named after an Object.prototype member (%s) is just unknown', (label) => {
      expect(decodeFeedBytes(utf8(rss('café', `<?xml version="1.0" encoding="${label}"?>`)))).toMatchObject({ encoding: 'utf-8' });
    });

    it('a UTF-16 declaration on single-byte text is ignored (the document was transcoded)', () => {
      const out = decodeFeedBytes(utf8(rss('café', '<?xml version="1.0" encoding="UTF-16"?>')));
      expect(out).toMatchObject({ encoding: 'utf-8' });
      expect(out.text).toContain('café');
    });

    it('the hostile-corpus declared charsets', () => {
      expect(decodeFeedBytes(hostile('f1_iso8859_1.xml')).text).toContain('Café naïve über ©');
      expect(decodeFeedBytes(hostile('f2_windows1252.xml')).text).toContain('“Smart quotes” — €5 café');
    });
  });

  describe('invalid UTF-8', () => {
    it('without a single valid multi-byte sequence: it is Latin-1 really, decoded as windows-1252', () => {
      for (const file of ['f3_mislabelled_latin1_as_utf8.xml', 'f4_latin1_no_decl.xml']) {
        const out = decodeFeedBytes(hostile(file));
        expect(out.encoding).toBe('windows-1252');
        expect(out.text).toContain('Café naïve über ©');
      }
    });

    // Undeclared Latin-1 pasted into a UTF-8 document: the valid sequences stay UTF-8, the stray bytes are windows-1252.
    it.each([
      ['a Latin-1 letter beside UTF-8 ones', bytes('<t>café tr', [0xe8], 's</t>'), '<t>café très</t>'],
      ['a lone high byte and a lead byte before ASCII', bytes('<t>café ', [0xff], ' naïve ', [0xc3, 0x28], '</t>'), '<t>café ÿ naïve Ã(</t>'],
      ['windows-1252 quotes beside a UTF-8 dash', bytes('<t>', [0x93], 'quoted', [0x94], ' — ok</t>'), '<t>“quoted” — ok</t>'],
      ['a byte windows-1252 leaves undefined is dropped', bytes('<t>naïve ', [0x81], 'x</t>'), '<t>naïve x</t>'],
      ['a truncated sequence, byte by byte', bytes('<t>€ ', [0xe2, 0x82], '</t>'), '<t>€ â‚</t>'],
    ])('with valid multi-byte sequences (%s): UTF-8, each stray byte read as windows-1252', (_label, doc, text) => {
      const out = decodeFeedBytes(doc);
      expect(out.encoding).toBe('utf-8');
      expect(out.text).toBe(text);
    });

    it('the hostile invalid-UTF-8 file decodes predictably, without throwing', () => {
      const out = decodeFeedBytes(hostile('e1_invalid_utf8.xml'));
      expect(out.encoding).toBe('windows-1252');
      expect(out.text).toContain('<title>Tÿþ bad Ã( overlong');
    });
  });

  describe('double-encoded UTF-8 (UTF-8 read as Latin-1 or windows-1252 and encoded again)', () => {
    const doubled = (s: string): Uint8Array => utf8(iconv.decode(Buffer.from(utf8(s)), 'windows-1252'));

    it.each([
      ['French', 'Le film réconcilie avec l’Éducation « nationale »'],
      ['German', 'Kältewelle: Flüchtlinge und Obdachlose erfrieren – „Größe“'],
      ['Spanish', '¿Qué pasa? Los niños y el año'],
      ['Portuguese', 'Marcha protesta contra feminicídio em São Paulo'],
      ['signs', 'Costs £30 million · 20 °C · © 2017'],
    ])('a whole %s document is repaired', (_label, title) => {
      const out = decodeFeedBytes(doubled(rss(title, '<?xml version="1.0" encoding="utf-8"?>')));
      expect(out).toEqual({ text: rss(title, '<?xml version="1.0" encoding="utf-8"?>'), encoding: 'utf-8' });
    });

    it.each([
      ['French', 'Le film réconcilie avec l’Éducation « nationale »'],
      ['German', 'Größe, Kältewelle, Flüchtlinge „zitiert“'],
      ['Spanish', '¿Qué pasa? Los niños y el año'],
      ['Chinese', '中文新闻：今日要闻'],
      ['Czech', 'Mikoláš, Boublík, Šamonil'],
      ['a multiplication', 'A plot of 30 m×\u00a030 m'],
      ['capitals before a no-break space', 'OLÉ\u00a0!'],
      ['mojibake discussed in correct text', 'Écrire « Ã© » au lieu de « é » est une erreur'],
    ])('correct %s text stays as it is', (_label, title) => {
      const doc = rss(title, '<?xml version="1.0" encoding="utf-8"?>');
      expect(decodeFeedBytes(utf8(doc))).toEqual({ text: doc, encoding: 'utf-8' });
    });

    it.each([
      ['iso-8859-1', 'Probe veröffentlicht: Sänger lässt den Teufel raus'],
      ['windows-1252', 'Björn Kleinhenz: Album für „krankes“ Kaninchen'],
    ])('UTF-8 labelled %s is read as UTF-8 (its windows-1252 reading is mojibake)', (label, title) => {
      const doc = rss(title, `<?xml version="1.0" encoding="${label}"?>`);
      expect(decodeFeedBytes(utf8(doc))).toEqual({ text: doc, encoding: 'utf-8' });
    });

    it('real Latin-1 labelled Latin-1 is left alone', () => {
      const doc = bytes('<?xml version="1.0" encoding="iso-8859-1"?><t>', [0xc3, 0xa9, 0x74, 0xe9], '</t>');
      expect(decodeFeedBytes(doc)).toEqual({ text: '<?xml version="1.0" encoding="iso-8859-1"?><t>Ã©té</t>', encoding: 'windows-1252' });
    });
  });

  describe('JSON', () => {
    it('is UTF-8 whatever the HTTP charset says', () => {
      const doc = utf8('{"version":"https://jsonfeed.org/version/1.1","title":"café","items":[]}');
      expect(decodeFeedBytes(doc, 'application/feed+json; charset=iso-8859-1')).toMatchObject({ encoding: 'utf-8' });
      expect(decodeFeedBytes(doc, 'application/feed+json; charset=iso-8859-1').text).toContain('café');
    });
  });

  it('decodes an empty body to an empty string', () => {
    expect(decodeFeedBytes(new Uint8Array())).toEqual({ text: '', encoding: 'utf-8' });
  });
});
