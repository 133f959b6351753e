import { describe, expect, it } from 'vitest';
import { lookupPlaces, placeKey, resolvePlace } from '../../src/normalize/vocabulary/gazetteer.ts';
import { PLACE_ALIASES } from '../../src/normalize/vocabulary/place-aliases.ts';

describe('placeKey', () => {
  it.each([
    ['ST. JOHN’S', 'st johns'],
    ['Saint John', 'st john'],
    ['MONTRÉAL', 'montreal'],
    ['Winston-Salem', 'winston salem'],
    ['  NEW   YORK ', 'new york'],
  ])('%j → %j', (name, key) => {
    expect(placeKey(name)).toBe(key);
  });
});

describe('resolvePlace: a dateline city to its region and country', () => {
  it.each([
    ['CALGARY', '', 'Alberta', 'Canada'],
    ['Lethbridge', '', 'Alberta', 'Canada'],
    ['HALIFAX', 'N.S.', 'Nova Scotia', 'Canada'],
    ['LONDON', 'Ont.', 'Ontario', 'Canada'],
    ['LONDON', '', 'England', 'United Kingdom'],
    ['YAKIMA', 'Wash.', 'Washington', 'United States'],
    ['PALM BEACH', 'Fla.', 'Florida', 'United States'],
    ['CAPE CANAVERAL', 'FL', 'Florida', 'United States'],
    ['NAIROBI', '', 'Nairobi County', 'Kenya'],
    ['MADRID', '', 'Madrid', 'Spain'],
    ['ST. JOHN’S', 'N.L.', 'Newfoundland and Labrador', 'Canada'],
    ['MONTRÉAL', '', 'Quebec', 'Canada'],
    ['KINGSTOWN', 'St. Vincent', 'Saint George Parish', 'Saint Vincent and the Grenadines'],
  ])('%s, %s → %s, %s', (city, region, expectedRegion, country) => {
    expect(resolvePlace(city, region)).toMatchObject({ region: expectedRegion, country });
  });

  it.each([['BREAKING'], ['INTERVIEW'], ['AP'], ['EXCLUSIF'], ['Fla.']])('%s is no city', (word) => {
    expect(resolvePlace(word)).toBeNull();
  });

  it('knows every capital, however small', () => {
    expect(lookupPlaces('Kingstown').some((p) => p.country === 'Saint Vincent and the Grenadines')).toBe(true);
    expect(lookupPlaces('Vaduz').some((p) => p.country === 'Liechtenstein')).toBe(true);
  });

  it('takes the most populous city of a name when nothing says which', () => {
    expect(resolvePlace('PARIS')).toMatchObject({ country: 'France' });
    expect(resolvePlace('PARIS', 'Texas')).toMatchObject({ region: 'Texas', country: 'United States' });
  });

  it('knows countries and regions by name', () => {
    expect(lookupPlaces('Canada')[0]).toMatchObject({ kind: 'country', country: 'Canada' });
    expect(lookupPlaces('Alberta').some((p) => p.kind === 'region' && p.country === 'Canada')).toBe(true);
  });
});

describe('other languages’ names for big cities', () => {
  it.each([
    ['ROMA', 'Italy'],
    ['LONDRES', 'United Kingdom'],
    ['MÜNCHEN', 'Germany'],
    ['Nueva York', 'United States'],
    ['PEKÍN', 'China'],
    ['Nova York', 'United States'],
    ['FRÁNCFORT', 'Germany'],
    ['Hambourg', 'Germany'],
    ['NUEVA DELHI', 'India'],
    ['Teherán', 'Iran'],
    ['CIUDAD DEL CABO', 'South Africa'],
    ['Città del Vaticano', 'Vatican City'],
    ['Lissabon', 'Portugal'],
  ])('%s is in %s', (name, country) => {
    expect(resolvePlace(name)).toMatchObject({ kind: 'city', country });
  });

  it.each(Object.entries(PLACE_ALIASES))('%s, the city the aliases mean, is a city of the gazetteer', (name, aliases) => {
    expect(lookupPlaces(name).some((p) => p.kind === 'city')).toBe(true);
    for (const alias of aliases) expect(lookupPlaces(alias)[0], alias).toMatchObject({ kind: 'city' });
  });
});
