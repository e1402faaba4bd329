/**
 * Options shared by every real-log adapter (validated by resolveConfig: unknown keys and bad
 * values are ConfigErrors naming `adapter.<key>`).
 */
import { bool, ConfigOf, int, num, numArray, resolveConfig } from '../../util/config';

/** Unix seconds of 2100-01-01T00:00:00Z: timestamps at or beyond it are treated as corrupt. */
export const MAX_UNIX_SECONDS = 4102444800;

export const ADAPTER_SPEC = {
  seed: int(1, 'seed of the negative-sampling Rng (same seed => identical log)'),
  negativesPerPositive: int(4, 'skipped impressions sampled per positive one (click rate = 1/(1+k))', { min: 0, max: 1000 }),
  negativePower: num(0.75, 'negatives drawn with P(item) ∝ popularity^power (0 = uniform)', { min: 0, max: 2 }),
  sessionGapMinutes: num(30, 'a gap longer than this between a user\'s events starts a new session', { gt: 0 }),
  mergeRepeats: bool(true, 'one impression per (session, item), feedback = strongest event (order > click)'),
  maxRows: int(0, 'read at most this many data rows per file (0 = all)', { min: 0 }),
  timeWindow: numArray([], 'keep rows with start <= ts < end (unix s, [start, end]); [] = the adapter\'s default (Taobao: official window)', {
    min: 0,
    max: MAX_UNIX_SECONDS,
  }),
  maxLineBytes: int(1 << 20, 'longest accepted line in bytes; longer is an input error', { min: 64 }),
  progress: bool(true, 'show a progress bar by bytes read (silenced by HRLMG_QUIET=1)'),
};

export type AdapterOptions = ConfigOf<typeof ADAPTER_SPEC>;

/** Validate partial options against ADAPTER_SPEC (throws ConfigError). */
export function resolveAdapterOptions(overrides: Partial<AdapterOptions> = {}): AdapterOptions {
  return resolveConfig('adapter', ADAPTER_SPEC, overrides, (c) => {
    const w = c.timeWindow;
    if (w.length !== 0 && w.length !== 2) return ['timeWindow', `must be [] or [start, end], got ${w.length} numbers`];
    if (w.length === 2 && !(w[0] < w[1])) return ['timeWindow', `start must be < end, got [${w[0]}, ${w[1]}]`];
    return null;
  });
}
