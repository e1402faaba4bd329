/**
 * Command-line parsing for the kit's commands: node:util parseArgs, with options derived from the
 * config specs (every spec key becomes `--key value`) so --help and validation never drift from
 * the configs. Values are converted by the type of the spec's default (number, boolean, string,
 * number list); resolveConfig then validates ranges.
 */
import { parseArgs } from 'node:util';
import { describeSpec, Spec } from '../util/config';
import { UsageError } from '../util/errors';

export interface FlagDef {
  type: 'string' | 'boolean';
  doc: string;
  /** Shown in the help, e.g. 'DIR'. */
  placeholder?: string;
  default?: string;
}

export interface CommandDef {
  name: string;
  summary: string;
  /** One line after `hrlmg `, e.g. 'generate [--out DIR] [options]'. */
  usage: string;
  description?: string;
  flags?: Record<string, FlagDef>;
  /** Config specs whose keys become options; a key in several specs sets all of them. */
  specs?: { id: string; title: string; spec: Spec }[];
  /** Positional arguments (all required). */
  positionals?: { name: string; doc: string }[];
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  /** Overrides per spec id, only the keys given on the command line. */
  configs: Record<string, Record<string, unknown>>;
  positionals: string[];
  help: boolean;
}

type Kind = 'number' | 'boolean' | 'string' | 'numbers';

function kindOf(def: unknown): Kind {
  if (typeof def === 'number') return 'number';
  if (typeof def === 'boolean') return 'boolean';
  if (Array.isArray(def)) return 'numbers';
  return 'string';
}

function toNumber(opt: string, v: string): number {
  const x = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(x)) throw new UsageError(`--${opt}: expected a number, got "${v}"`);
  return x;
}

/** Parse argv for a command; unknown options and missing values are UsageErrors. */
export function parseCommandArgs(def: CommandDef, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  const kinds = new Map<string, Kind>();
  for (const [k, f] of Object.entries(def.flags ?? {})) options[k] = { type: f.type };
  for (const { spec } of def.specs ?? []) {
    for (const [k, f] of Object.entries(spec)) {
      if (def.flags && k in def.flags) throw new Error(`command ${def.name}: option --${k} is both a flag and a config key`);
      const kind = kindOf(f.default);
      kinds.set(k, kind);
      options[k] = { type: kind === 'boolean' ? 'boolean' : 'string' };
      if (kind === 'boolean') options[`no-${k}`] = { type: 'boolean' };
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (!err.code?.startsWith('ERR_PARSE_ARGS')) throw e;
    const opt = /'(-[^' ]*)/.exec(err.message)?.[1];
    const why =
      err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option ${opt}`
        : err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? `option ${opt ?? ''} needs a value`.replace('  ', ' ')
          : err.message.split('\n')[0];
    throw new UsageError(`${why} (see hrlmg ${def.name} --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values.help === true;
  const positionals = parsed.positionals;
  const want = def.positionals ?? [];
  if (!help && positionals.length !== want.length) {
    throw new UsageError(
      `expected ${want.length ? want.map((p) => p.name).join(' ') : 'no positional arguments'}, got ${positionals.length ? positionals.map((p) => `"${p}"`).join(' ') : 'none'} (see hrlmg ${def.name} --help)`,
    );
  }
  const flags: Record<string, string | boolean | undefined> = {};
  for (const [k, f] of Object.entries(def.flags ?? {})) flags[k] = values[k] ?? f.default;
  const configs: Record<string, Record<string, unknown>> = {};
  for (const { id, spec } of def.specs ?? []) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(spec)) {
      const kind = kinds.get(k)!;
      if (kind === 'boolean') {
        if (values[k] === true && values[`no-${k}`] === true) throw new UsageError(`both --${k} and --no-${k} given`);
        if (values[k] === true) out[k] = true;
        else if (values[`no-${k}`] === true) out[k] = false;
        continue;
      }
      const v = values[k];
      if (typeof v !== 'string') continue;
      if (kind === 'number') out[k] = toNumber(k, v);
      else if (kind === 'numbers') out[k] = v.trim() === '' ? [] : v.split(',').map((x) => toNumber(k, x));
      else out[k] = v;
    }
    configs[id] = out;
  }
  return { flags, configs, positionals, help };
}

/** The --help text of a command. */
export function commandHelp(def: CommandDef): string {
  const lines = [`Usage: hrlmg ${def.usage}`, '', def.summary];
  if (def.description) lines.push('', def.description);
  if (def.positionals?.length) {
    lines.push('', 'Arguments:');
    const w = Math.max(...def.positionals.map((p) => p.name.length));
    for (const p of def.positionals) lines.push(`  ${p.name.padEnd(w)}  ${p.doc}`);
  }
  const flagRows = Object.entries(def.flags ?? {}).map(([k, f]) => [
    `--${k}${f.type === 'string' ? ` ${f.placeholder ?? 'VALUE'}` : ''}`,
    f.default !== undefined ? JSON.stringify(f.default) : '',
    f.doc,
  ]);
  flagRows.push(['--help, -h', '', 'show this help']);
  const w0 = Math.max(...flagRows.map((r) => r[0].length));
  const w1 = Math.max(...flagRows.map((r) => r[1].length));
  lines.push('', 'Options:', ...flagRows.map((r) => `  ${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd()));
  const specs = def.specs ?? [];
  for (const { title, spec } of specs) {
    lines.push('', `${title} (--key value; default shown):`, describeSpec(spec).replace(/^ {2}/gm, '  --'));
  }
  if (specs.length) {
    const shared = specs.length > 1 ? sharedKeys(specs.map((s) => s.spec)) : [];
    lines.push('', 'Booleans: --key or --no-key. Lists: comma-separated, e.g. --trainDays 0,1 (an empty string gives []).');
    if (shared.length) lines.push(`Keys in several groups (${shared.map((k) => `--${k}`).join(', ')}) set all of them.`);
  }
  return lines.join('\n');
}

function sharedKeys(specs: Spec[]): string[] {
  const seen = new Map<string, number>();
  for (const s of specs) for (const k of Object.keys(s)) seen.set(k, (seen.get(k) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}
