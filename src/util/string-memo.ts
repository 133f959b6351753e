/**
 * A memo for pure functions of a string: results kept by their input, forgotten all at once when the memo holds
 * more than its budget of characters (inputs and results; an object result counts as a few), so its memory is bounded and no
 * result changes. {@link forgetMemos} empties every memo of the process.
 */
export class StringMemo<V> {
  private readonly map = new Map<string, V>();
  private chars = 0;

  /** @param budget the most characters (inputs plus results) held before everything is forgotten. */
  constructor(private readonly budget = 1 << 20) {
    register(this);
  }

  /** The remembered result for `key`, or undefined. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Remembers `value` for `key` and returns it. */
  set(key: string, value: V): V {
    // An object result is counted as a few characters, so a memo of objects holds a bounded number of them.
    const size = key.length + (typeof value === 'string' ? value.length : value === null ? 0 : OBJECT_CHARS);
    if (this.chars + size > this.budget) this.clear();
    this.map.set(key, value);
    this.chars += size;
    return value;
  }

  /** Forgets every result. */
  clear(): void {
    this.map.clear();
    this.chars = 0;
  }
}

const OBJECT_CHARS = 16;

// Every memo made so far, weakly: one that is no longer used (a per-base memo replaced) is not kept alive by this.
const live = new Set<WeakRef<StringMemo<unknown>>>();
let registered = 0;

function register(memo: StringMemo<unknown>): void {
  live.add(new WeakRef(memo));
  // Memos made per base or per rule set come and go: the references to collected ones are pruned now and then.
  if (++registered % 1024 === 0) for (const ref of live) if (!ref.deref()) live.delete(ref);
}

/**
 * Empties every memo of the process. Results do not change (the memos hold pure functions' results); what
 * changes is that text seen before is worked out again, as if it were new. The ingest benchmark uses it to time
 * normalization on text the process has not seen after the process has warmed up (compiled its code and regexes).
 */
export function forgetMemos(): void {
  for (const ref of live) {
    const memo = ref.deref();
    if (memo) memo.clear();
    else live.delete(ref);
  }
}
