/**
 * Do the trained actors of a reproduce folder saturate? For every trained DDPG / HRL / HRL-MG run in
 * <out>/runs, the low-level actor's proto-actions (and the high-level actor's goals) on `--states`
 * test-day states, spread evenly over the test day:
 *   norm       mean ||a|| (a corner of the B*tanh box has norm sqrt(E) * B: 7.07 at E = 50, B = 1)
 *   saturated  share of coordinates with |a_j| > 0.95 B
 *   patterns   distinct sign patterns over the states (1 = the same direction for every user)
 * A saturated actor recommends the items nearest to one fixed corner for everyone (docs/deviations.md,
 * "Saturated actors"). Run after a reproduce:
 *
 *   node dist/bench/actorSaturation.js runs/full [--states 256]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { loadDataset } from '../lib/data/dataset';
import { loadAgent } from '../lib/agents/factory';
import { HrlMgAgent } from '../lib/agents/hrlmg';
import { actorSaturation } from '../lib/eval/actorSaturation';

async function main(): Promise<void> {
  const out = process.argv[2];
  const i = process.argv.indexOf('--states');
  const S = i > 0 ? Number(process.argv[i + 1]) : 256;
  if (!out || !fs.existsSync(path.join(out, 'runs')) || !(S >= 1)) throw new Error('usage: actorSaturation.js <reproduce folder> [--states n]');
  await initBackend();
  const ds = loadDataset(path.join(out, 'data'), { verify: false });
  console.log(`# ${S} test-day states; norm of a corner = sqrt(E) * B`);
  console.log('| run | level | actionPenalty | norm | saturated | sign patterns |');
  console.log('|---|---|---|---|---|---|');
  for (const run of fs.readdirSync(path.join(out, 'runs')).sort()) {
    const dir = path.join(out, 'runs', run, 'agent');
    if (!fs.existsSync(path.join(dir, 'agent.json'))) continue;
    const agent = await loadAgent(dir, ds.embeddings);
    try {
      if (!(agent instanceof HrlMgAgent)) continue; // DNN: no actor
      for (const st of actorSaturation(agent, ds.test, S)) {
        console.log(`| ${run} | ${st.level} | ${st.actionPenalty} | ${st.norm.toFixed(2)} | ${(100 * st.saturated).toFixed(1)}% | ${st.patterns} |`);
      }
    } finally {
      agent.dispose();
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
