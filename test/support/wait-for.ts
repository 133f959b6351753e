/** Polls `probe` until it gives a value (not undefined), every `intervalMs`, for at most `timeoutMs` (20 s); then throws naming `what`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, intervalMs = 100, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
