/**
 * Stage `simulator`: fit the learned user simulator on the training day, then its fidelity report
 * on the test day (with the truth gap on the default world). Hash: simulator + fidelity configs,
 * the data stage's hash, the TF.js backend. Writes simulator/, results/simulator.json|csv and
 * results/simulator-fidelity.txt.
 */
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import { loadDataset } from '../../data/dataset';
import { worldOfDataset } from '../../data/world/worldOfDataset';
import { fitSimulator } from '../../sim/fitSimulator';
import { recordedSimulatorConfig } from '../../sim/simulatorConfig';
import { fidelityReport, formatFidelityTable, type FidelityReport } from '../../sim/fidelity';
import { toCsv } from '../csv';
import { stageHash } from '../stageCache';
import { note } from './context';
import type { Stage } from './stage';

export const simulatorStage: Stage = {
  name: 'simulator',
  plan(ctx) {
    const { plan } = ctx;
    const config = { simulator: recordedSimulatorConfig(plan.simulator), fidelity: plan.fidelity }; // paper body: kit 0.1.0's hash
    const inputs = { data: ctx.hash('data'), backend: ctx.backend };
    const hash = stageHash('simulator', config, inputs);
    return {
      hash, config, inputs,
      outputs: ['simulator/simulator.json', 'results/simulator.json', 'results/simulator.csv', 'results/simulator-fidelity.txt'],
      run: async () => {
        const ds = loadDataset(ctx.dataDir); // verifies every column's checksum once
        note('simulator: fitting on the training day...');
        const sim = await fitSimulator(ds, plan.simulator, { progress: true, log: note });
        try {
          await sim.save(ctx.simDir);
          note('simulator: fidelity report on the test day...');
          const world = ctx.isWorld && plan.fidelity.gapSessions > 0 ? worldOfDataset(ds) : undefined;
          const rep = fidelityReport(sim, ds, { maxRows: plan.fidelity.maxRows, world, gap: { sessions: plan.fidelity.gapSessions }, progress: true });
          writeJsonAtomic(ctx.resultFile('simulator.json'), { ...ctx.header('simulator', hash, config), training: sim.training, fidelity: rep });
          writeFileAtomic(ctx.resultFile('simulator.csv'), toCsv(fidelityRows(rep)));
          writeFileAtomic(ctx.resultFile('simulator-fidelity.txt'), formatFidelityTable(rep));
        } finally {
          sim.dispose();
        }
        return { status: 'ran' };
      },
    };
  },
};

/** The fidelity report as CSV rows: figure, simulator, baseline. */
function fidelityRows(r: FidelityReport): Record<string, unknown>[] {
  const s = r.simulator;
  const b = r.baseline;
  const rows: Record<string, unknown>[] = [
    { figure: 'overall precision (argmax accuracy)', simulator: s.argmax.accuracy, baseline: b.argmax.accuracy },
    { figure: 'weighted-decision accuracy', simulator: s.weighted.accuracy, baseline: b.weighted.accuracy },
    { figure: 'log-loss', simulator: s.logLoss, baseline: b.logLoss },
    { figure: 'AUC click', simulator: s.aucClick, baseline: b.aucClick },
    { figure: 'AUC order', simulator: s.aucOrder, baseline: b.aucOrder },
    { figure: 'ECE click', simulator: s.eceClick, baseline: b.eceClick },
    { figure: 'ECE order', simulator: s.eceOrder, baseline: b.eceOrder },
    { figure: 'mean P(click or order)', simulator: s.meanPClick, baseline: b.meanPClick, observed: r.dataset.clickRate },
    { figure: 'mean P(order)', simulator: s.meanPOrder, baseline: b.meanPOrder, observed: r.dataset.orderRate },
  ];
  for (let c = 0; c < 3; c++) {
    const name = ['skip', 'click', 'order'][c];
    rows.push({ figure: `weighted decision: ${name} F1`, simulator: s.weighted.perClass[c].f1, baseline: b.weighted.perClass[c].f1 });
  }
  const g = r.truthGap;
  if (g) {
    rows.push(
      { figure: 'truth gap: MAE P(click or order)', simulator: g.simulator.maeClick, baseline: g.baseline.maeClick },
      { figure: 'truth gap: MAE P(order)', simulator: g.simulator.maeOrder, baseline: g.baseline.maeOrder },
      { figure: 'truth gap: corr P(click or order)', simulator: g.simulator.corrClick, baseline: g.baseline.corrClick },
      { figure: 'truth gap: corr P(order)', simulator: g.simulator.corrOrder, baseline: g.baseline.corrOrder },
    );
  }
  return rows.map((x) => ({ figure: x.figure, simulator: x.simulator, baseline: x.baseline, observed: x.observed ?? '' }));
}
