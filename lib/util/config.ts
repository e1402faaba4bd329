/**
 * Typed configs with a default and a one-line doc per field, validated before any work starts.
 *
 *   const spec = { lr: num(1e-3, 'Adam learning rate', { gt: 0 }), M: int(2, 'number of goals', { min: 1 }) };
 *   type Cfg = ConfigOf<typeof spec>;
 *   const cfg = resolveConfig('agent', spec, { lr: 3e-4 });  // throws ConfigError on bad input
 *
 * Unknown keys, wrong types and out-of-range values are errors naming the config and the key.
 */
import { ConfigError } from './errors';

export interface FieldSpec<T> {
  default: T;
  doc: string;
  /** Returns a problem description, or null when the value is fine. */
  check: (v: unknown) => string | null;
  /**
   * For a field added after results were first recorded: the value that behaves as before. Records
   * (agent.json, run identities, hashes) omit the field while it holds this value, so earlier
   * records and caches stay valid (lib/agents/agentConfig.ts `omitNeutral`).
   */
  neutral?: T;
}

export type Spec = Record<string, FieldSpec<unknown>>;
export type ConfigOf<S extends Spec> = { [K in keyof S]: S[K]['default'] };

interface NumOpts {
  min?: number;
  max?: number;
  gt?: number;
  lt?: number;
}

function rangeProblem(v: number, o: NumOpts): string | null {
  if (o.min !== undefined && v < o.min) return `must be >= ${o.min}, got ${v}`;
  if (o.max !== undefined && v > o.max) return `must be <= ${o.max}, got ${v}`;
  if (o.gt !== undefined && !(v > o.gt)) return `must be > ${o.gt}, got ${v}`;
  if (o.lt !== undefined && !(v < o.lt)) return `must be < ${o.lt}, got ${v}`;
  return null;
}

export function num(def: number, doc: string, o: NumOpts = {}): FieldSpec<number> {
  return {
    default: def,
    doc,
    check: (v) => (typeof v !== 'number' || !Number.isFinite(v) ? `must be a finite number, got ${JSON.stringify(v)}` : rangeProblem(v, o)),
  };
}

export function int(def: number, doc: string, o: NumOpts = {}): FieldSpec<number> {
  return {
    default: def,
    doc,
    check: (v) => (typeof v !== 'number' || !Number.isInteger(v) ? `must be an integer, got ${JSON.stringify(v)}` : rangeProblem(v, o)),
  };
}

export function bool(def: boolean, doc: string): FieldSpec<boolean> {
  return { default: def, doc, check: (v) => (typeof v === 'boolean' ? null : `must be true or false, got ${JSON.stringify(v)}`) };
}

export function str(def: string, doc: string): FieldSpec<string> {
  return { default: def, doc, check: (v) => (typeof v === 'string' ? null : `must be a string, got ${JSON.stringify(v)}`) };
}

export function oneOf<T extends string>(def: T, choices: readonly T[], doc: string): FieldSpec<T> {
  return {
    default: def,
    doc,
    check: (v) => (choices.includes(v as T) ? null : `must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`),
  };
}

export function numArray(def: number[], doc: string, o: NumOpts & { minLength?: number } = {}): FieldSpec<number[]> {
  return {
    default: def,
    doc,
    check: (v) => {
      if (!Array.isArray(v)) return `must be an array of numbers, got ${JSON.stringify(v)}`;
      if (o.minLength !== undefined && v.length < o.minLength) return `must have at least ${o.minLength} entries`;
      for (const x of v) {
        if (typeof x !== 'number' || !Number.isFinite(x)) return `entries must be finite numbers, got ${JSON.stringify(x)}`;
        const p = rangeProblem(x, o);
        if (p) return `entry ${p}`;
      }
      return null;
    },
  };
}

/** Defaults of a spec. */
export function defaults<S extends Spec>(spec: S): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(spec)) out[k] = structuredClone(spec[k].default);
  return out as ConfigOf<S>;
}

/**
 * Merge `overrides` over the defaults and validate every field. `cross` may add checks that span
 * fields (e.g. c >= M); it returns [key, problem] or null.
 */
export function resolveConfig<S extends Spec>(
  name: string,
  spec: S,
  overrides: unknown = {},
  cross?: (c: ConfigOf<S>) => [string, string] | null,
): ConfigOf<S> {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ConfigError(name, '(root)', `must be an object, got ${JSON.stringify(overrides)}`);
  }
  const out = defaults(spec) as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides as Record<string, unknown>)) {
    if (!(k in spec)) {
      throw new ConfigError(name, k, `unknown key (known: ${Object.keys(spec).join(', ')})`);
    }
    if (v === undefined) continue;
    out[k] = v;
  }
  for (const k of Object.keys(spec)) {
    const p = spec[k].check(out[k]);
    if (p) throw new ConfigError(name, k, p);
  }
  const cfg = out as ConfigOf<S>;
  const c = cross?.(cfg);
  if (c) throw new ConfigError(name, c[0], c[1]);
  return cfg;
}

/** A plain-text table of a spec's fields (for --help and docs). */
export function describeSpec(spec: Spec): string {
  const rows = Object.entries(spec).map(([k, f]) => [k, JSON.stringify(f.default), f.doc]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map((r) => `  ${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`).join('\n');
}
