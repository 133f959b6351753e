/**
 * Bytes → text for upstream documents. Pure: no I/O, no `node:` imports (runs on Workers too).
 *
 * The encoding is chosen in this order:
 * 1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE), or UTF-16 recognisable without one (`<\0?\0`);
 * 2. JSON (first non-blank byte `{` or `[`, or a JSON content type) is always UTF-8 (RFC 8259);
 * 3. the XML declaration's `encoding=`;
 * 4. the HTTP `Content-Type` `charset=`;
 * 5. UTF-8.
 * A label nobody can decode (unknown to iconv-lite) is skipped in favour of the next source.
 *
 * Labels follow the WHATWG Encoding Standard where it matters: `iso-8859-1`, `latin1` and `us-ascii`
 * mean windows-1252 (feeds that say Latin-1 write curly quotes in 0x80–0x9F), `gb2312` means GBK,
 * `euc-kr` means windows-949, and so on. Legacy charsets are decoded with iconv-lite, because Node 20's
 * `TextDecoder('windows-1252')` maps 0x80–0x9F to C1 controls.
 *
 * Invalid UTF-8 (declared or defaulted), decided once for the whole document:
 * - if the bytes contain no valid multi-byte UTF-8 sequence at all, the text is really a single-byte
 *   legacy encoding (Latin-1 mislabelled or unlabelled, common in the wild): it is decoded as windows-1252
 *   and `encoding` says so;
 * - otherwise it is UTF-8 with undeclared Latin-1 pasted in ("tr\xE8s" beside "caf\xC3\xA9"): the valid
 *   sequences are read as UTF-8 and every byte outside them as windows-1252 (the five bytes windows-1252
 *   leaves undefined are dropped).
 *
 * Double-encoded UTF-8 (UTF-8 read as Latin-1 and encoded again: "Ã©" for "é"), in a document decoded as
 * UTF-8 or windows-1252, is undone here when the whole document round-trips (`mojibake.ts`); `encoding`
 * is then `utf-8`. Documents where only some fields are double-encoded are repaired field by field later
 * (`xml/canonicalize.ts`, `map/json-feed.ts`).
 * The returned text never starts with a BOM.
 */
import iconv from 'iconv-lite';
import { charForCodePoint } from '../util/html-entities.ts';
import { table } from '../util/lookup-table.ts';
import { repairMojibake, undoesMojibake } from './mojibake.ts';

/** WHATWG label → the encoding we decode with (and report). Labels not listed go to iconv-lite as written. */
const LABELS = table<string>({});
function label(target: string, names: string): void {
  for (const name of names.split(' ')) LABELS[name] = target;
}
label('utf-8', 'utf-8 utf8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8');
label(
  'windows-1252',
  'windows-1252 cp1252 x-cp1252 iso-8859-1 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 iso-ir-100 ' +
    'latin1 l1 csisolatin1 cp819 ibm819 us-ascii ascii ansi_x3.4-1968 iso646-us',
);
label('utf-16le', 'utf-16 utf-16le utf16 unicode ucs-2 csunicode iso-10646-ucs-2 unicodefeff');
label('utf-16be', 'utf-16be unicodefffe');
label('windows-1254', 'iso-8859-9 iso8859-9 iso88599 latin5 l5 iso-ir-148 windows-1254 cp1254 x-cp1254');
label('windows-874', 'iso-8859-11 iso8859-11 iso885911 tis-620 dos-874 windows-874');
label('euc-kr', 'euc-kr cseuckr csksc56011987 iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949 cp949');
label('gbk', 'gbk gb2312 chinese csgb2312 csiso58gb231280 gb_2312 gb_2312-80 iso-ir-58 x-gbk cp936 windows-936');
label('big5', 'big5 big5-hkscs cn-big5 csbig5 x-x-big5');
label('shift_jis', 'shift_jis shift-jis sjis csshiftjis ms932 ms_kanji windows-31j x-sjis cp932');

/** iconv-lite's name for the encodings we report under their WHATWG name. */
const ICONV_NAME = table<string>({
  'euc-kr': 'cp949',
  big5: 'big5hkscs',
  shift_jis: 'cp932',
});

/** Resolves a declared label to the encoding we will use, or `null` when it cannot be decoded. */
function resolveLabel(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const name = raw.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (name === '') return null;
  const mapped = LABELS[name] ?? name;
  if (mapped === 'utf-8' || mapped === 'utf-16le' || mapped === 'utf-16be') return mapped;
  return iconv.encodingExists(ICONV_NAME[mapped] ?? mapped) ? mapped : null;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** Encoding given by a byte-order mark or by the unmistakable `<?` of UTF-16/32, with the BOM length. */
function sniffBom(bytes: Uint8Array): { encoding: string; skip: number } | null {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', skip: 3 };
  if (startsWith(bytes, [0xff, 0xfe, 0x00, 0x00])) return { encoding: 'utf-32le', skip: 4 };
  if (startsWith(bytes, [0x00, 0x00, 0xfe, 0xff])) return { encoding: 'utf-32be', skip: 4 };
  if (startsWith(bytes, [0xff, 0xfe])) return { encoding: 'utf-16le', skip: 2 };
  if (startsWith(bytes, [0xfe, 0xff])) return { encoding: 'utf-16be', skip: 2 };
  // UTF-16 without a BOM still shows itself in its first characters ("<?" or "<r").
  if (bytes.length >= 4 && bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] !== 0x00 && bytes[3] === 0x00) {
    return { encoding: 'utf-16le', skip: 0 };
  }
  if (bytes.length >= 4 && bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] !== 0x00) {
    return { encoding: 'utf-16be', skip: 0 };
  }
  return null;
}

/** The `encoding=` of an XML declaration at the start of an ASCII-compatible document. */
function xmlDeclaredEncoding(bytes: Uint8Array): string | null {
  const head = latin1(bytes.subarray(0, 512));
  const m = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']?\s*([A-Za-z0-9._:()+-]+)/.exec(head);
  return m?.[1] ?? null;
}

/** The `charset=` parameter of a Content-Type header. */
function httpCharset(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return m?.[1] ?? null;
}

/** The bytes as Latin-1 characters, one per byte (never lossy), a few KiB at a time (each chunk goes as arguments). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let at = start; at < end; at += LATIN1_CHUNK) s += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + LATIN1_CHUNK)) as unknown as number[]);
  return s;
}

const LATIN1_CHUNK = 8192;

/** The length of the well-formed multi-byte UTF-8 sequence at `i`, 0 when there is none. */
function utf8SequenceAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  if (b < 0xc2 || b > 0xf4) return 0;
  const need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
  if (i + need >= bytes.length) return 0;
  for (let k = 1; k <= need; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0;
  const b1 = bytes[i + 1]!;
  // Overlong, surrogate and out-of-range forms are not "valid".
  if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 > 0x9f) || (b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 > 0x8f)) {
    return 0;
  }
  return need + 1;
}

/** True when the bytes hold at least one well-formed multi-byte UTF-8 sequence. */
function hasUtf8Sequence(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80 && utf8SequenceAt(bytes, i) > 0) return true;
  return false;
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
/** Strict UTF-8 (throws on invalid input); without `stream`, each `decode` starts afresh, so one serves every call. */
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 with stray bytes: the well-formed sequences as UTF-8, every other byte as windows-1252. */
function decodeUtf8WithLatin1(bytes: Uint8Array): string {
  let out = '';
  let run = 0;
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i]! < 0x80) {
      i++;
      continue;
    }
    const n = utf8SequenceAt(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    const b = bytes[i]!;
    out += UTF8.decode(bytes.subarray(run, i)) + (b < 0xa0 ? charForCodePoint(b) : String.fromCharCode(b));
    run = ++i;
  }
  return out + UTF8.decode(bytes.subarray(run));
}

function decodeUtf8(bytes: Uint8Array): { text: string; encoding: string } {
  try {
    return { text: UTF8_STRICT.decode(bytes), encoding: 'utf-8' };
  } catch {
    // Invalid UTF-8: a document without a single valid multi-byte sequence is a mislabelled legacy one.
    if (!hasUtf8Sequence(bytes)) return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252' };
    // Undeclared Latin-1 inside UTF-8 (a CMS pasting legacy text into a UTF-8 page): each stray byte as windows-1252.
    return { text: decodeUtf8WithLatin1(bytes), encoding: 'utf-8' };
  }
}

function decodeWith(bytes: Uint8Array, encoding: string): { text: string; encoding: string } {
  if (encoding === 'utf-8') return decodeUtf8(bytes);
  return { text: iconv.decode(bytes, ICONV_NAME[encoding] ?? encoding, { stripBOM: false }), encoding };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Decodes an upstream body. `contentType` is the HTTP `Content-Type` header, when there was one.
 * Returns the text (without BOM) and the encoding actually used (lower-case WHATWG name, e.g. `utf-8`,
 * `windows-1252`, `utf-16le`).
 */
export function decodeFeedBytes(bytes: Uint8Array, contentType?: string | null): { text: string; encoding: string } {
  const bom = sniffBom(bytes);
  if (bom) {
    const { text, encoding } = decodeWith(bytes.subarray(bom.skip), bom.encoding);
    return undoDoubleEncoding(stripBom(text), encoding);
  }
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  const isJson = bytes[i] === 0x7b || bytes[i] === 0x5b || /[/+]json\s*(;|$)/i.test(contentType ?? '');
  if (isJson) {
    const { text, encoding } = decodeUtf8(bytes);
    return undoDoubleEncoding(text, encoding);
  }

  let declared = resolveLabel(xmlDeclaredEncoding(bytes));
  // A document that says UTF-16 but has neither BOM nor NUL bytes was transcoded without fixing the label.
  if (declared === 'utf-16le' || declared === 'utf-16be') declared = null;
  const encoding = declared ?? resolveLabel(httpCharset(contentType)) ?? 'utf-8';
  const { text, encoding: used } = decodeWith(bytes, encoding === 'utf-16le' || encoding === 'utf-16be' ? 'utf-8' : encoding);
  return undoDoubleEncoding(stripBom(text), used, bytes);
}

/**
 * A whole document of double-encoded UTF-8 is UTF-8 again; so is UTF-8 labelled Latin-1, whose
 * windows-1252 reading is the same mojibake (`bytes`: what was decoded, to read it again as UTF-8).
 */
function undoDoubleEncoding(text: string, encoding: string, bytes?: Uint8Array): { text: string; encoding: string } {
  if (encoding === 'windows-1252' && bytes !== undefined) {
    let utf8: string | null = null;
    try {
      utf8 = UTF8_STRICT.decode(bytes);
    } catch {
      // Not UTF-8: it is the windows-1252 it says it is.
    }
    return utf8 !== null && undoesMojibake(text, utf8) ? { text: utf8, encoding: 'utf-8' } : { text, encoding };
  }
  if (encoding !== 'utf-8') return { text, encoding };
  const repaired = repairMojibake(text);
  return repaired === text ? { text, encoding } : { text: repaired, encoding: 'utf-8' };
}
