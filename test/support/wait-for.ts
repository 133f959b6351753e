/** Polls `probe` until it gives a value (not undefined), every `intervalMs`, for at most 20 s; then throws naming `what`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
