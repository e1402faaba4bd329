/**
 * A small measured comparison of agent settings trained against the TRUE user model: for each
 * (method, setting, seed) it trains with `train --backend truth` semantics (lib/reliability/trainRun,
 * one folder per configuration under --out, reused when already complete), then reports the
 * headroom captured h on short and long test sessions (bench/headroom.ts: random and the
 * greedy-reward oracle on the same users, pools and feedback draws) and the key diagnostics
 * (bench/agentDiagnostics.ts: Q against Monte-Carlo returns, critic vs truth, saturation).
 *
 *   node dist/bench/agentSweep.js --data data/world --out runs/sweep --methods ddpg,hrl-mg \
 *     --settings 'paper=;bound=bound:0.1414;k10=mappingK:10' [--seeds 0] [--sessions 3200] [--eval-sessions 200]
 *
 * A setting is name=key:value,key:value (agent options; trainer options updatesPerStep/steps/sessions
 * go to the trainer); an empty list is the defaults.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { loadAgent } from '../lib/agents/factory';
import { HrlMgAgent } from '../lib/agents/hrlmg';
import { runTraining } from '../lib/reliability/trainRun';
import type { AgentMethod } from '../lib/agents/agentConfig';
import { Rng } from '../lib/util/rng';
import { diagnose, truthOf, type Diagnosis } from './agentDiagnostics';
import { headroom, DEFAULT_HEADROOM } from './headroom';

const TRAINER_KEYS = new Set(['updatesPerStep', 'steps', 'sessions']);

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}

function parseSettings(s: string): { name: string; agent: Record<string, unknown>; trainer: Record<string, unknown> }[] {
  return s.split(';').filter(Boolean).map((part) => {
    const [name, body = ''] = part.split('=');
    const agent: Record<string, unknown> = {}, trainer: Record<string, unknown> = {};
    for (const kv of body.split(',').filter(Boolean)) {
      const [k, v] = kv.split(':');
      const val = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v;
      (TRAINER_KEYS.has(k) ? trainer : agent)[k] = val;
    }
    return { name, agent, trainer };
  });
}

async function main(): Promise<void> {
  const data = arg('data', 'data/world'), out = arg('out', 'runs/sweep');
  const methods = arg('methods', 'ddpg,hrl-mg').split(',') as AgentMethod[];
  const settings = parseSettings(arg('settings', 'default='));
  const seeds = arg('seeds', '0').split(',').map(Number);
  const sessions = Number(arg('sessions', '6400'));
  const evalSessions = Number(arg('eval-sessions', String(DEFAULT_HEADROOM.sessions)));
  await initBackend();
  const { ds, backend } = truthOf(data);
  const rows: string[] = [];
  const records: unknown[] = [];
  console.log('| method | setting | seed | train s | h short | h long | reward short / long | Q exec / MC G | Spearman(Q, E[r]) | E[r] critic best / executed / pool | saturated | r_in gap |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const method of methods) {
    for (const st of settings) {
      for (const seed of seeds) {
        const dir = path.join(out, `${method}-${st.name}-s${seed}`);
        const t0 = Date.now();
        const r = await runTraining({
          data, method, backend: 'truth', out: dir,
          agent: st.agent,
          trainer: { seed, sessions, checkpointEvery: 0, progress: false, ...st.trainer },
        });
        const secs = r.status === 'complete' ? NaN : (Date.now() - t0) / 1000;
        const agent = await loadAgent(path.join(r.out, 'agent'), ds.embeddings, new Rng(0));
        try {
          if (!(agent instanceof HrlMgAgent)) throw new Error(`${method}: not an actor-critic agent`);
          const h = headroom(agent, ds, backend, { ...DEFAULT_HEADROOM, sessions: evalSessions });
          const d: Diagnosis = diagnose(r.out, agent, ds, backend, { agents: [], data, sessions: 64, T: 50, every: 10, seed: DEFAULT_HEADROOM.seed, eval: false, json: null });
          d.headroom = h;
          records.push({ method, setting: st.name, seed, trainSeconds: secs, agentOptions: st.agent, trainerOptions: st.trainer, diagnosis: d });
          const f = (x: number, k = 2): string => (Number.isFinite(x) ? x.toFixed(k) : '-');
          const line = `| ${method} | ${st.name} | ${seed} | ${f(secs, 0)} | ${f(h.short.h)} | ${f(h.long.h)} | ${f(h.short.policy)} / ${f(h.long.policy)} | ${f(d.critic.qExecuted)} / ${f(d.critic.mcReturn)} | ${f(d.ranking.spearman)} | ${f(d.ranking.erCriticBest, 3)} / ${f(d.ranking.erExecuted, 3)} / ${f(d.ranking.erPoolMean, 3)} | ${f(100 * d.saturation.low.saturated, 0)}% | ${d.goals ? f(d.goals.rInExecuted - d.goals.rInPoolMean) : '-'} |`;
          console.log(line);
          rows.push(line);
        } finally {
          agent.dispose();
        }
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, 'sweep.json'), JSON.stringify(records, null, 2) + '\n');
      }
    }
  }
  const h0 = DEFAULT_HEADROOM;
  console.log(`\n(h on ${evalSessions} test sessions, seed ${h0.seed}, T = ${h0.shortT} / ${h0.longT}; diagnostics on 64 sessions of T = 50)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
