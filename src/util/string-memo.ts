/**
 * A memo for pure string functions: results kept by their input, forgotten all at once when the memo holds
 * more than its budget of characters (inputs and results), so its memory is bounded and no result changes.
 */
export class StringMemo<V extends string | null> {
  private readonly map = new Map<string, V>();
  private chars = 0;

  /** @param budget the most characters (inputs plus results) held before everything is forgotten. */
  constructor(private readonly budget = 1 << 20) {}

  /** The remembered result for `key`, or undefined. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Remembers `value` for `key` and returns it. */
  set(key: string, value: V): V {
    const size = key.length + (value?.length ?? 0);
    if (this.chars + size > this.budget) {
      this.map.clear();
      this.chars = 0;
    }
    this.map.set(key, value);
    this.chars += size;
    return value;
  }
}
