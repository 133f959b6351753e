import { describe, expect, it } from 'vitest';
import { bodyHtml } from '../../src/normalize/news-item.ts';
import { escapeHtml } from '../../src/util/html-text.ts';

describe('bodyHtml', () => {
  it('is one <p> per paragraph, each escaped as escapeHtml does', () => {
    const paragraphs = ['Fish & "chips" <3 > 2', 'plain text', '&amp; stays text: &lt;', '""<<>>&&'];
    expect(bodyHtml(paragraphs)).toBe(paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n'));
    expect(bodyHtml(['a < b'])).toBe('<p>a &lt; b</p>');
  });

  it('is empty for no paragraphs', () => {
    expect(bodyHtml([])).toBe('');
  });
});
