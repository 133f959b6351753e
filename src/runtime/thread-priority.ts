import { getPriority, setPriority } from 'node:os';

/** The highest nice value (the lowest CPU priority) a thread can have. */
const MAX_NICE = 19;

/**
 * The nice value the ingest threads should run at: the calling thread's (the serving thread's) plus `increment`,
 * at most 19; null when there is nothing to lower (an increment of 0, or a platform where the call would not act
 * on one thread only). Linux alone keeps a nice value per thread: elsewhere `setpriority` would lower the whole
 * process, the serving thread with it.
 */
export function ingestThreadNice(increment: number, platform: NodeJS.Platform = process.platform): number | null {
  if (increment <= 0 || platform !== 'linux') return null;
  try {
    return Math.min(MAX_NICE, getPriority() + increment);
  } catch {
    return null;
  }
}

/**
 * Lowers the calling thread's CPU priority to nice value `nice` (never raises it: that would need privileges),
 * so that the serving thread, at the process's priority, is scheduled first when the cores are busy. On Linux
 * `setpriority(PRIO_PROCESS, 0)` acts on the calling thread only, and threads this one starts inherit the value.
 * Returns the thread's nice value after the call, or null when it could not be read or set (nothing changes then).
 */
export function lowerThreadPriority(nice: number | null | undefined): number | null {
  if (nice === null || nice === undefined) return null;
  try {
    if (getPriority() < nice) setPriority(nice);
    return getPriority();
  } catch {
    return null;
  }
}
