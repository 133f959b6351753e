/**
 * A fast, synchronous, non-cryptographic 64-bit hash (two 32-bit lanes, cyrb53-style mixing) as 16 hex
 * digits. Used for stable ids, change detection and ETags; it runs the same on Node and Workers.
 */
export function hash64(input: string): string {
  mix(SEED, input);
  return finish(LANES[0], LANES[1]);
}

/** {@link hash64}'s state after a prefix, for {@link hash64After}. */
export type HashPrefix = readonly [number, number];

const SEED: HashPrefix = [0xdeadbeef, 0x41c6ce57];
// The lanes `mix` leaves (written in place: the hash allocates nothing but its result).
const LANES: [number, number] = [0, 0];

/** Mixes each character of `text` into both lanes, from `state`; the result is left in `LANES`. */
function mix(state: HashPrefix, text: string): void {
  let h1 = state[0];
  let h2 = state[1];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  LANES[0] = h1;
  LANES[1] = h2;
}

/** Hashes `prefix` once for many strings that start with it: `hash64After(hashPrefix(p), s) === hash64(p + s)`. */
export function hashPrefix(prefix: string): HashPrefix {
  mix(SEED, prefix);
  return [LANES[0], LANES[1]];
}

/**
 * {@link hash64} of the prefix `prefix` was made of followed by `rest`. Cheaper than hashing the concatenation:
 * the prefix is not read again, and `rest` is read as the flat string it is (a concatenation is not flat).
 */
export function hash64After(prefix: HashPrefix, rest: string): string {
  mix(prefix, rest);
  return finish(LANES[0], LANES[1]);
}

/**
 * {@link hash64} over bytes, each byte one character (so the same as `hash64` of the bytes read as Latin-1),
 * from `start` on, without making a string of them. A nonzero `seed` is mixed into the first lane first.
 */
export function hash64Bytes(bytes: Uint8Array, start = 0, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57;
  for (let i = start; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i]!, 2654435761);
    h2 = Math.imul(h2 ^ bytes[i]!, 1597334677);
  }
  return finish(h1, h2);
}

/** The final avalanche of both lanes, as 16 hex digits. */
function finish(h1: number, h2: number): string {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return hex32(h2) + hex32(h1);
}

// Two hex digits per byte value: `Number#toString(16)` of a value past 2^31 takes V8's slow double-to-radix path.
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The 32 bits of `h` as 8 hex digits. */
function hex32(h: number): string {
  return HEX_BYTE[h >>> 24]! + HEX_BYTE[(h >>> 16) & 0xff]! + HEX_BYTE[(h >>> 8) & 0xff]! + HEX_BYTE[h & 0xff]!;
}
