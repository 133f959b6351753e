/** A lookup table without a prototype: document-controlled keys such as `__proto__` or `constructor` find nothing. */
export function table<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
