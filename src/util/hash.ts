/**
 * A fast, synchronous, non-cryptographic 64-bit hash (two 32-bit lanes, cyrb53-style mixing) as 16 hex
 * digits. Used for stable ids, change detection and ETags; it runs the same on Node and Workers.
 */
export function hash64(input: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < input.length; i++) {
    const ch = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finish(h1, h2);
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
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}
