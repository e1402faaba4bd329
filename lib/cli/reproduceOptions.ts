/**
 * The per-area options of `hrlmg reproduce` on its command line: every world, adapter, preparation,
 * simulator and agent option of the other commands, so `reproduce --testDays 120,121` works like
 * `{"prepare": {"testDays": [120, 121]}}` in --config. A key that only one area has is given plain
 * (`--testDays`, `--nItems`, `--negativesPerPositive`); a key that several areas (or the reproduce
 * options) share is given with its area (`--world.seed`, `--simulator.H`, `--agents.H`). Agent
 * options apply to every method that has them, like the file's `agents.all`. Keys the pipeline sets
 * itself (world.trainImpressions, simulator.epochs, agents' E and N, ...) are not options here.
 * Precedence: defaults < --quick < --config file < command line.
 */
import { prepareConfigSpec } from '../data/prepare/config';
import { ADAPTER_SPEC } from '../data/adapters/options';
import { worldConfigSpec } from '../data/world/worldConfig';
import { simulatorSpec } from '../sim/simulatorConfig';
import { methods } from '../agents/methods';
import { MANAGED, reproduceSpec, type ConfigFile } from '../experiments/reproduceConfig';
import type { Spec } from '../util/config';

type Area = 'world' | 'adapter' | 'prepare' | 'simulator' | 'agents';

/** Every agent option (the union over the registered methods; the first method's doc and default). */
function agentUnion(): Spec {
  const out: Spec = {};
  for (const m of methods()) for (const [k, f] of Object.entries(m.spec)) if (!(k in out)) out[k] = f;
  return out;
}

const AREAS: { area: Area; title: string; spec: Spec }[] = [
  { area: 'world', title: 'World options (default world only)', spec: worldConfigSpec as Spec },
  { area: 'adapter', title: 'Adapter options (with --adapter)', spec: ADAPTER_SPEC as Spec },
  { area: 'prepare', title: 'Preparation options (not with --data)', spec: prepareConfigSpec as Spec },
  { area: 'simulator', title: 'Simulator options', spec: simulatorSpec as Spec },
  { area: 'agents', title: 'Agent options (every method that has the key; per method: --config)', spec: agentUnion() },
];

export interface AreaSpec {
  id: Area;
  title: string;
  /** Option name -> field (names are `key` or `area.key`). */
  spec: Spec;
  /** Option name -> the area's key. */
  keyOf: Record<string, string>;
}

/** The option specs of each area (see the module comment); `taken` are names the command already uses. */
export function reproduceAreaSpecs(taken: string[]): AreaSpec[] {
  const count = new Map<string, number>();
  for (const k of [...taken, ...Object.keys(reproduceSpec)]) count.set(k, 2); // never plain
  for (const { spec } of AREAS) for (const k of Object.keys(spec)) count.set(k, (count.get(k) ?? 0) + 1);
  return AREAS.map(({ area, title, spec }) => {
    const managed = MANAGED[area] ?? {};
    const out: Spec = {};
    const keyOf: Record<string, string> = {};
    for (const [k, f] of Object.entries(spec)) {
      if (k in managed) continue;
      const name = count.get(k) === 1 ? k : `${area}.${k}`;
      out[name] = f;
      keyOf[name] = k;
    }
    return { id: area, title, spec: out, keyOf };
  });
}

/** The parsed options per area as config-file sections (only the areas and keys given). */
export function sectionsOf(specs: AreaSpec[], configs: Record<string, Record<string, unknown>>): ConfigFile {
  const out: ConfigFile = {};
  for (const a of specs) {
    const given = configs[a.id] ?? {};
    const sec: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(given)) sec[a.keyOf[name]] = v;
    if (!Object.keys(sec).length) continue;
    if (a.id === 'agents') out.agents = { all: sec };
    else out[a.id] = sec;
  }
  return out;
}
