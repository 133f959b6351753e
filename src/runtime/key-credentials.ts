import { createHash } from 'node:crypto';
import { looksLikeKey } from '../util/secret-keys.ts';

/** What the resolver reads of a request: its Authorization header and its target. */
export interface CredentialRequest {
  headers: { authorization?: string | undefined };
  url?: string | undefined;
}

/**
 * The fast path's key lookup on Node: a request's key (`Authorization: Bearer`, else `?key=`) hashed with
 * SHA-256 (synchronous) and handed to `peek` (the in-memory key index). The hash is remembered per credential —
 * the header, or the request target when there is no header — so a repeated poll hashes nothing. It is
 * remembered only under the credential the key came from: a header that carries no bearer key (`Basic …`, a
 * bare `Bearer`) beside a `?key=` must never come to stand for that key on a request without it.
 */
export function createGrantResolver<G>(peek: (hash: string, inUrl: boolean) => G | null, limit = 10_000): (req: CredentialRequest) => G | null {
  const keyHashes = new Map<string, { hash: string; inUrl: boolean }>();
  return (req) => {
    const authorization = req.headers.authorization;
    const credential = authorization ?? req.url ?? '';
    let known = keyHashes.get(credential);
    if (known === undefined) {
      const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
      const url = req.url ?? '';
      const key = bearer || (url.includes('?') ? new URLSearchParams(url.slice(url.indexOf('?'))).get('key') : null);
      if (!key || !looksLikeKey(key)) return null;
      known = { hash: createHash('sha256').update(key).digest('hex'), inUrl: !bearer };
      if (bearer || authorization === undefined) {
        if (keyHashes.size >= limit) keyHashes.clear();
        keyHashes.set(credential, known);
      }
    }
    return peek(known.hash, known.inUrl);
  };
}
