/**
 * Subscriber keys and webhook secrets: random, high-entropy, recognizable by their prefix, and hashed with
 * WebCrypto (the same on Node and Workers) so that only the hash is ever stored.
 */

/** The prefix of every subscriber key (`wf_` and 43 base64url characters: 32 random bytes). */
export const KEY_PREFIX = 'wf_';
const KEY_PATTERN = /^wf_[A-Za-z0-9_-]{43}$/;

/** A new subscriber key: `wf_` and 32 random bytes in base64url. */
export function generateKey(): string {
  return `${KEY_PREFIX}${randomBase64url(32)}`;
}

/** A new webhook signing secret: `whsec_` and 32 random bytes in base64url. */
export function generateSecret(): string {
  return `whsec_${randomBase64url(32)}`;
}

/** A new key id (not secret: usage and the admin API name keys by it): `k_` and 8 random bytes in hex. */
export function generateKeyId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `k_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Whether `value` has the shape of a subscriber key (checked before hashing anything a client sends). */
export function looksLikeKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/** The SHA-256 of `value` (UTF-8) in lowercase hex. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** HMAC-SHA256 of `message` under `secret`, in lowercase hex. */
export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  let hex = '';
  for (const b of mac) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function randomBase64url(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
