import { describe, expect, it } from 'vitest';
import { checkDate, publishedDate } from '../../src/normalize/dates.ts';

const now = new Date('2021-04-11T12:00:00Z');

describe('checkDate', () => {
  it.each([
    ['2021-03-16T21:40:00Z', '2021-03-16T21:40:00.000Z', null],
    ['2021-03-16T21:40:00.250Z', '2021-03-16T21:40:00.250Z', null],
    [' 2021-03-16T21:40:00Z\n', '2021-03-16T21:40:00.000Z', null],
    // RawEntry dates are ISO-8601 UTC: anything else never came from the parser and is not re-read here.
    ['2021-03-16T15:40:00-06:00', null, 'invalid'],
    ['Tue, 16 Mar 2021 21:40:00 GMT', null, 'invalid'],
    ['2021-03-16 21:40:00Z', null, 'invalid'],
    ['2021-03-16', null, 'invalid'],
    ['2021-02-31T00:00:00Z', null, 'invalid'],
    ['2021-03-16T24:00:00Z', null, 'invalid'],
    ['2021-04-11T12:04:00Z', '2021-04-11T12:04:00.000Z', null],
    ['2021-04-11T12:06:00Z', null, 'future'],
    ['2031-01-01T00:00:00Z', null, 'future'],
    ['1989-12-31T23:59:59Z', null, 'too-old'],
    ['1970-01-01T00:00:00Z', null, 'too-old'],
    ['not a date', null, 'invalid'],
    ['', null, 'missing'],
    [null, null, 'missing'],
  ])('%j → %j (%j)', (value, iso, flag) => {
    const got = checkDate(value, now);
    expect(got.iso).toBe(iso);
    expect(got.flag).toBe(flag);
    expect(got.ms).toBe(iso ? Date.parse(iso) : null);
  });
});

describe('publishedDate', () => {
  it.each([
    [{ published: '2021-03-16T21:40:00Z', updated: '2021-03-17T00:00:00Z' }, '2021-03-16T21:40:00.000Z', null],
    [{ published: null, updated: '2021-03-17T00:00:00Z' }, '2021-03-17T00:00:00.000Z', null],
    [{ published: '2099-01-01T00:00:00Z', updated: '2021-03-17T00:00:00Z' }, '2021-03-17T00:00:00.000Z', null],
    [{ published: '2099-01-01T00:00:00Z', updated: null }, null, 'future'],
    [{ published: null, updated: '1900-01-01T00:00:00Z' }, null, 'too-old'],
    [{ published: null, updated: null }, null, 'missing'],
  ])('%j', (entry, iso, flag) => {
    expect(publishedDate(entry, now)).toMatchObject({ iso, flag });
  });

  it('never falls back to now', () => {
    const polls = [new Date('2021-04-11T12:00:00Z'), new Date('2021-04-11T12:30:00Z')].map((t) => publishedDate({ published: null, updated: null }, t));
    expect(polls.map((p) => p.ms)).toEqual([null, null]);
  });
});
