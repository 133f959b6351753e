import { describe, expect, it } from 'vitest';
import { readTree } from '../../src/ingest/xml/reader.ts';
import { NO_ATTRS, ownAttrs } from '../../src/ingest/xml/tree.ts';

describe('elements without attributes', () => {
  it('share one map that refuses changes, and get their own before one', () => {
    const root = readTree('<rss><channel a="1"><title>T</title></channel></rss>')!;
    const channel = root.children[0] as typeof root;
    const title = channel.children[0] as typeof root;
    expect(root.attrs).toBe(NO_ATTRS);
    expect(title.attrs).toBe(NO_ATTRS);
    expect(channel.attrs).not.toBe(NO_ATTRS);
    expect(() => title.attrs.set('type', 'html')).toThrow(/shared/);
    ownAttrs(title).set('type', 'html');
    expect(title.attrs.get('type')).toBe('html');
    expect(root.attrs.size).toBe(0);
    expect(NO_ATTRS.size).toBe(0);
  });
});
