/**
 * `hrlmg fit-simulator`: fit the learned user simulator on a prepared dataset's training day, save
 * it, and write its fidelity report on the test day (with the gap to the ground truth when the
 * dataset comes from the default world: the world is rebuilt from the manifest's world config).
 */
import * as path from 'node:path';
import { loadDataset } from '../data/dataset';
import { isWorldDataset, worldOfDataset } from '../data/world/worldOfDataset';
import type { World } from '../data/world/world';
import { fitSimulator } from '../sim/fitSimulator';
import { fidelityReport, formatFidelityTable, writeFidelityReport } from '../sim/fidelity';
import { resolveSimulatorConfig, simulatorSpec } from '../sim/simulatorConfig';
import { UsageError } from '../util/errors';
import { defineCommand, status } from './command';

export const fitSimulatorCommand = defineCommand(
  {
    name: 'fit-simulator',
    summary: 'fit the learned user simulator on a prepared dataset, save it and report its fidelity on the test day',
    usage: 'fit-simulator [--data DIR] [--out DIR] [simulator options]',
    description:
      'Writes DIR/{model.json, weights.bin, simulator.json, embeddings.bin} and DIR/fidelity.{json,txt}.\n' +
      'On a default-world dataset the fidelity report includes the gap to the ground-truth user model.',
    flags: {
      data: { type: 'string', placeholder: 'DIR', default: 'data/world', doc: 'prepared dataset folder (hrlmg generate / prepare)' },
      out: { type: 'string', placeholder: 'DIR', default: 'runs/simulator', doc: 'simulator folder to write (replaced atomically)' },
      'report-rows': { type: 'string', placeholder: 'N', default: '0', doc: 'evaluate the fidelity on at most N test rows (0 = all)' },
      'gap-sessions': { type: 'string', placeholder: 'N', default: '256', doc: 'truth-gap rollout sessions on a default-world dataset (0 = skip)' },
    },
    specs: [{ id: 'simulator', title: 'Simulator options', spec: simulatorSpec }],
  },
  async (a) => {
    const cfg = resolveSimulatorConfig(a.configs.simulator);
    const dataDir = a.flags.data as string;
    const out = a.flags.out as string;
    const reportRows = intFlag('report-rows', a.flags['report-rows'] as string);
    const gapSessions = intFlag('gap-sessions', a.flags['gap-sessions'] as string);
    status(`loading ${dataDir}...`);
    const ds = loadDataset(dataDir);
    let world: World | undefined;
    if (gapSessions > 0 && isWorldDataset(ds)) {
      status('rebuilding the default world from the manifest (for the truth gap)...');
      world = worldOfDataset(ds);
    }
    const sim = await fitSimulator(ds, cfg, { progress: true, log: status });
    status(`fitted in ${sim.training?.seconds.toFixed(1)}s; saving to ${out}...`);
    await sim.save(out);
    status('fidelity report...');
    const rep = fidelityReport(sim, ds, { maxRows: reportRows, world, gap: { sessions: gapSessions }, progress: true });
    const files = writeFidelityReport(path.join(out, 'fidelity'), rep);
    process.stdout.write(formatFidelityTable(rep));
    process.stdout.write(`\nsimulator: ${out} (fit ${sim.training?.seconds.toFixed(1)}s, best epoch ${sim.training?.bestEpoch}); report: ${files.json}, ${files.text}\n`);
    sim.dispose();
  },
);

function intFlag(name: string, v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new UsageError(`--${name}: expected a non-negative integer, got "${v}"`);
  return x;
}
