/**
 * The gazetteer: the world's cities of 15,000+ people and every capital (GeoNames, CC BY 4.0, built by
 * scripts/build-gazetteer.ts), with their region and country, plus the regions, countries and the postal
 * abbreviations datelines use ("Fla.", "Alta."). Names are looked up folded: case, accents, dots, "Saint"/"St."
 * and hyphens do not matter.
 */
import { StringMemo } from '../../util/string-memo.ts';
import { fold } from '../text.ts';
import { CITIES, COUNTRIES, REGIONS } from './gazetteer-data.ts';
import { PLACE_ALIASES } from './place-aliases.ts';
import { REGION_ABBREVIATIONS } from './region-abbreviations.ts';

/** A place the gazetteer knows: its name, region (admin1, may be empty) and country. */
export interface Place {
  name: string;
  region: string;
  country: string;
  /** What the name is: a city, an admin1 region or a country. */
  kind: 'city' | 'region' | 'country';
  /** True when the name looked up is a dateline abbreviation ("Fla."), which never stands alone. */
  abbreviation?: boolean;
}

interface Index {
  places: Map<string, Place[]>;
}

let index: Index | null = null;

/** The lookup key of a place name: folded, "Saint" as "st", without dots, apostrophes and hyphens. */
export function placeKey(name: string): string {
  const hit = keyMemo.get(name);
  if (hit !== undefined) return hit;
  return keyMemo.set(name, placeKeyOf(name));
}

// Datelines and rules look the same few names up again and again.
const keyMemo = new StringMemo<string>();

function placeKeyOf(name: string): string {
  return fold(name)
    .replace(/['’.]/g, '')
    .replace(/[-‐/]+/g, ' ')
    .replace(/\bsaint\b/g, 'st')
    .replace(/\bsainte\b/g, 'ste')
    .replace(/\s+/g, ' ')
    .trim();
}

// The build reads some 50,000 names once: they do not go through the memo, which keeps the names looked up.
function build(): Index {
  const places = new Map<string, Place[]>();
  const add = (key: string, place: Place): void => {
    if (!key) return;
    const list = places.get(key);
    if (!list) places.set(key, [place]);
    else if (!list.some((p) => p.name === place.name && p.region === place.region && p.country === place.country && p.kind === place.kind && p.abbreviation === place.abbreviation)) list.push(place);
  };
  for (const [code, country] of Object.entries(COUNTRIES)) add(placeKeyOf(country), { name: country, region: '', country, kind: 'country' });
  for (const entry of REGIONS) {
    const [cc = '', region = ''] = entry.split('|');
    const country = COUNTRIES[cc] ?? cc;
    if (region) add(placeKeyOf(region), { name: region, region, country, kind: 'region' });
  }
  for (const a of REGION_ABBREVIATIONS) {
    const kind = a.region ? 'region' : 'country';
    for (const abbr of a.abbreviations) add(placeKeyOf(abbr), { name: a.region || a.country, region: a.region, country: a.country, kind, abbreviation: true });
  }
  for (const line of CITIES.split('\n')) {
    const [name = '', alt = '', ref = ''] = line.split('|');
    const [cc = '', region = ''] = (REGIONS[parseInt(ref, 36)] ?? '').split('|');
    const place: Place = { name, region, country: COUNTRIES[cc] ?? cc, kind: 'city' };
    add(placeKeyOf(name), place);
    if (alt && alt !== '_') add(placeKeyOf(alt), place);
  }
  // Other languages' names for a city mean the most populous city of its English name.
  for (const [name, aliases] of Object.entries(PLACE_ALIASES)) {
    const city = places.get(placeKeyOf(name))?.find((p) => p.kind === 'city');
    if (!city) continue;
    // The alias means this city before any smaller namesake (PEKÍN is Beijing, not Pekin, Illinois).
    for (const alias of aliases) places.set(placeKeyOf(alias), [city, ...(places.get(placeKeyOf(alias)) ?? []).filter((p) => p !== city)]);
  }
  return { places };
}

/** Every place a name can mean, cities most populous first, then regions and countries; empty when unknown. */
export function lookupPlaces(name: string): Place[] {
  index ??= build();
  return index.places.get(placeKey(name)) ?? [];
}

/**
 * The place a dateline names: its city part (`KINGSTOWN`) read with its region part (`St. Vincent`, `Fla.`)
 * when there is one. A region part that names a region or country of one of the city's namesakes picks that
 * one; otherwise the most populous city of the name wins. Null when the gazetteer knows neither part.
 */
export function resolvePlace(city: string, region = ''): Place | null {
  const all = lookupPlaces(city).filter((p) => !p.abbreviation);
  // A city before the region or country of the same name (QUEBEC the city, in Quebec).
  const cities = [...all.filter((p) => p.kind === 'city'), ...all.filter((p) => p.kind !== 'city')];
  if (!region) return cities[0] ?? null;
  const hints = lookupPlaces(region);
  for (const hint of hints) {
    const match = cities.find((c) => (hint.kind === 'country' ? c.country === hint.country : c.region === hint.region && c.country === hint.country));
    if (match) return match;
  }
  const hint = hints.find((h) => h.kind !== 'city') ?? hints[0];
  if (hint) return { name: city, region: hint.kind === 'country' ? '' : hint.region, country: hint.country, kind: 'city' };
  return cities[0] ?? null;
}
