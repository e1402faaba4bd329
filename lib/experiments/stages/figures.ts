/**
 * Stage `figures`: Figures 6-12 and the simulator's fidelity as standalone HTML (+ PNG with headless
 * Chromium), built from the results files (figures.ts). Hash: PNG wanted / Chromium present and the
 * hashes of the stages it reads. Writes figures/*.html|png, results/figures.json|csv.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import { Progress } from '../../util/progress';
import { chromiumAvailable } from '../../plots/png';
import { toCsv } from '../csv';
import { buildFigures, writeFigures } from '../figures';
import { loadResults } from '../results';
import { stageHash } from '../stageCache';
import type { Stage } from './stage';

export const figuresStage: Stage = {
  name: 'figures',
  plan(ctx) {
    const png = ctx.plan.rep.png;
    const config = { png, chromium: png ? chromiumAvailable() : false };
    const inputs = { simulator: ctx.hash('simulator'), train: ctx.hash('train'), evaluate: ctx.hash('evaluate'), sweep: ctx.hashes.sweep ?? null };
    const hash = stageHash('figures', config, inputs);
    return {
      hash, config, inputs, outputs: ['results/figures.json', 'results/figures.csv'],
      run: async () => {
        const figs = buildFigures(loadResults(ctx.out));
        const figDir = path.join(ctx.out, 'figures');
        fs.mkdirSync(figDir, { recursive: true });
        // drop files of figures no longer made (and every PNG when none will be rendered)
        const keep = new Set(figs.flatMap((f) => [`${f.name}.html`, ...(config.chromium ? [`${f.name}.png`] : [])]));
        for (const f of fs.readdirSync(figDir)) if (/\.(html|png)$/.test(f) && !keep.has(f)) fs.rmSync(path.join(figDir, f), { force: true });
        const bar = new Progress('figures', figs.length, { unit: 'figures' });
        const files = await writeFigures(figDir, figs, { png, onDone: () => bar.tick(1) });
        bar.finish();
        writeJsonAtomic(ctx.resultFile('figures.json'), { ...ctx.header('figures', hash, config), figures: files });
        writeFileAtomic(ctx.resultFile('figures.csv'), toCsv(files as unknown as Record<string, unknown>[], ['name', 'title', 'html', 'png', 'pngNote']));
        const nPng = files.filter((f) => f.png).length;
        return {
          status: 'ran',
          detail: `${files.length} figures, ${nPng} PNG${nPng === files.length ? '' : ` (${files.find((f) => !f.png)?.pngNote ?? ''})`}`,
          outputs: ['results/figures.json', 'results/figures.csv', ...files.flatMap((f) => [`figures/${f.html}`, ...(f.png ? [`figures/${f.png}`] : [])])],
        };
      },
    };
  },
};
