/**
 * Tells a WebSub hub that feeds changed (`hub.mode=publish`, one request per URL), so subscribers get the
 * news without polling. Failures are returned, never thrown: a hub that is down must not stop ingestion.
 */
export async function pingHub(
  fetchFn: typeof fetch,
  hubUrl: string,
  topicUrls: string[],
  timeoutMs = 10_000,
): Promise<{ url: string; ok: boolean; status?: number; error?: string }[]> {
  return Promise.all(
    topicUrls.map(async (url) => {
      try {
        const res = await fetchFn(hubUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': url }).toString(),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        });
        await res.body?.cancel();
        return { url, ok: res.status >= 200 && res.status < 300, status: res.status };
      } catch (err) {
        return { url, ok: false, error: (err as Error).message };
      }
    }),
  );
}

/** The topic URLs of every published feed in every syndication format. */
export function feedTopics(baseUrl: string, feedNames: string[]): string[] {
  const base = baseUrl.replace(/\/+$/, '');
  return feedNames.flatMap((name) => ['rss', 'atom', 'json'].map((ext) => `${base}/feeds/${name}.${ext}`));
}
