/**
 * The claims of the paper checked against a reproduce run, and the Markdown summary (summary.md):
 * a table per figure (mean ± 95% CI half-width over seeds, n seeds), one verdict line per claim
 * (claims.ts: decided from paired per-seed differences, with at least 3 seeds), the simulator's fidelity and the wall
 * time of every stage.
 */
import { judgeGreater, judgePeak, tally, type Claim } from './claims';
import { clipInterval, type SeedStats } from './seedStats';
import { type EvidenceWarning } from './evidence';
import { figureTables, metricText, type Block } from './figureTables';
import { USER_MODEL_NAMES } from './figures';
import { mainComparison, seedValues, statsOf, type ReproduceResults, type SessionLength, type UserModel } from './results';


/** Every claim the results allow (see claims.ts for the decision rule). */
export function buildClaims(res: ReproduceResults): Claim[] {
  const claims: Claim[] = [];
  const ev = res.evaluate;
  // HRL-MG against every other method of the main comparison, the nearest first (HRL, DDPG, DNN)
  const baselines = mainComparison(res).filter((m) => m.v !== 'hrl-mg').reverse();
  // Paired by training seed: every method is tested on the same sessions (onlineTest's pairing).
  const push = <R extends object>(
    id: string, group: string, text: string, source: string,
    rows: ReadonlyArray<R>, whereA: Record<string, unknown>, whereB: Record<string, unknown>, metric: string, names: [string, string],
  ): void => {
    // MAP and NDCG lie in [0, 1]: their intervals are judged and shown clipped to it
    const clip = metric === 'map' || /^ndcg@\d+$/.test(metric) ? (x: SeedStats): SeedStats => clipInterval(x, 0, 1) : (x: SeedStats): SeedStats => x;
    const a = clip(statsOf(rows, whereA, metric));
    const b = clip(statsOf(rows, whereB, metric));
    const paired = { a: seedValues(rows, whereA, metric), b: seedValues(rows, whereB, metric) };
    claims.push({ id, group, text, source, ...judgeGreater(a, b, names, paired) });
  };
  if (ev) {
    const models = (['simulator', 'truth'] as const).filter((m) => ev.online.some((r) => r.backend === m));
    for (const model of models) {
      for (const length of ['long', 'short'] as const) {
        const group = `Online test, ${length} sessions (${USER_MODEL_NAMES[model]})`;
        const src = `Fig. 8(${length === 'long' ? 'a' : 'b'})${model === 'truth' ? ' setting against the ground truth, not in the paper' : ''}`;
        for (const metric of ['reward', 'orders']) {
          for (const base of baselines) {
            push(`online-${length}-${model}-${metric}-vs-${base.v}`, group, `HRL-MG beats ${base.label} on ${metricText(metric)}`, src,
              ev.online, { variant: 'hrl-mg', backend: model, length }, { variant: base.v, backend: model, length }, metric, ['HRL-MG', base.label]);
          }
        }
      }
    }
    if (ev.offline.length) {
      const ks = Object.keys(ev.offline[0]).filter((k) => /^ndcg@\d+$/.test(k));
      for (const metric of ['map', ...ks]) {
        for (const base of baselines) {
          push(`offline-${metric}-vs-${base.v}`, 'Offline test (re-ranking logged test sessions)', `HRL-MG beats ${base.label} on ${metricText(metric)}`, 'Fig. 7',
            ev.offline, { variant: 'hrl-mg' }, { variant: base.v }, metric, ['HRL-MG', base.label]);
        }
      }
    }
    // Section 4.2's other orderings: the RL methods beat DNN, the hierarchical ones beat DDPG.
    const pairs: Array<[string, string, string, string]> = [
      ['ddpg', 'DDPG', 'dnn', 'DNN'],
      ['hrl', 'HRL', 'dnn', 'DNN'],
      ['hrl', 'HRL', 'ddpg', 'DDPG'],
    ];
    for (const [a, al, b, bl] of pairs) {
      for (const length of ['long', 'short'] as const) {
        if (!ev.online.some((r) => r.backend === 'simulator')) break;
        push(
          `other-online-${length}-reward-${a}-vs-${b}`,
          'Other orderings of Section 4.2',
          `${al} beats ${bl} on total reward, online ${length} sessions (simulator)`,
          `Fig. 8(${length === 'long' ? 'a' : 'b'})`,
          ev.online, { variant: a, backend: 'simulator', length }, { variant: b, backend: 'simulator', length }, 'reward',
          [al, bl],
        );
      }
      if (ev.offline.length) {
        push(`other-offline-map-${a}-vs-${b}`, 'Other orderings of Section 4.2', `${al} beats ${bl} on MAP (offline)`, 'Fig. 7', ev.offline, { variant: a }, { variant: b }, 'map', [al, bl]);
      }
    }
  }
  const sw = res.sweep;
  if (sw && sw.rows.length) {
    const models = (['simulator', 'truth'] as const).filter((m) => sw.rows.some((r) => r.backend === m));
    for (const model of models) {
      for (const length of ['long', 'short'] as const) {
        for (const [param, near, text, fig] of [
          ['alpha', (x: number) => Math.abs(x - 0.5) <= 0.25 + 1e-9, 'total reward peaks near α = 0.5 (α ∈ [0.25, 0.75])', length === 'long' ? 'Fig. 9' : 'Fig. 11'],
          ['M', (x: number) => x === 2, 'total reward peaks at M = 2', length === 'long' ? 'Fig. 10' : 'Fig. 12'],
        ] as const) {
          const rows = sw.rows.filter((r) => r.param === param && r.length === length && r.backend === model);
          if (!rows.length) continue;
          const xs = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
          const points = xs.map((x) => ({ x, stats: statsOf(rows, { x }, 'reward') }));
          claims.push({
            id: `sweep-${param}-${length}-${model}`,
            group: `Parameter sensitivity (${USER_MODEL_NAMES[model]})`,
            text: `${length} sessions: ${text}`,
            source: `${fig}${model === 'truth' ? ' setting against the ground truth, not in the paper' : ''}`,
            ...judgePeak(points, near, param === 'alpha' ? 'α' : 'M'),
          });
        }
      }
    }
  }
  return claims;
}

/** Blocks as Markdown: '## heading', pipe tables, paragraphs, each followed by a blank line. */
export function blocksToMarkdown(blocks: ReadonlyArray<Block>): string[] {
  const L: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') L.push(`${'#'.repeat(b.level)} ${b.text}`, '');
    else if (b.kind === 'table') L.push(mdTable(b.head, b.rows), '');
    else L.push(b.text, '');
  }
  return L;
}

function mdTable(head: string[], rows: string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [`| ${head.map(esc).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export interface StageTime {
  stage: string;
  status: string;
  /** Wall seconds of the stage when it last ran. */
  seconds: number;
  /** Compute seconds summed over its runs (train / test stages), if any. */
  computeSeconds?: number;
  detail?: string;
}

export interface SummaryContext {
  claims: Claim[];
  stages: StageTime[];
  /** Lines describing the run (dataset, budget, backend...). */
  about: string[];
  /** What the figures rest on, when it is too little (evidence.ts). */
  warnings?: EvidenceWarning[];
}

/** summary.md (see the module comment). */
export function renderSummary(res: ReproduceResults, ctx: SummaryContext): string {
  const L: string[] = [];
  L.push('# HRL-MG reproduction: summary', '');
  L.push(...ctx.about.map((a) => `- ${a}`), '');
  const warnings = ctx.warnings ?? [];
  if (warnings.length) {
    L.push('## ⚠ Warnings: read the figures below with these in mind', '', ...warnings.map((w) => `- **Warning:** ${w.text}.`), '');
  }
  const t = tally(ctx.claims);
  L.push(
    `**Claims:** ${t.held} held, ${t['did not hold']} did not hold, ${t.inconclusive} inconclusive, ${t['not tested']} not tested (of ${ctx.claims.length}).`,
    '',
    'Every number is the mean over training seeds ± the half-width of its 95% confidence interval across seeds ' +
      '(Student t, n-1 degrees of freedom); each seed contributes one value (e.g. its mean over the test sessions). ' +
      'A claim "A beats B" is decided on the per-seed differences A - B (paired: every method is tested on the same ' +
      'sessions): **held** if their 95% CI lies above 0, **did not hold** if below 0, otherwise **inconclusive**; each line ' +
      'reports the effect (the mean difference, relative to B, and d_z = mean / sd of the differences). Any claim needs at ' +
      'least 3 seeds with non-zero spread to be decided; with fewer it is inconclusive and says why. A peak claim held only ' +
      'if the best claimed parameter value\'s CI lies above the CIs of all other values.',
    '',
  );
  L.push('## Claims of the paper', '');
  const groups = [...new Set(ctx.claims.map((c) => c.group))];
  if (!groups.length) L.push('(no claims could be checked: the test stages have not run)', '');
  for (const g of groups) {
    L.push(`### ${g}`, '');
    for (const c of ctx.claims.filter((x) => x.group === g)) L.push(`- ${c.text} (${c.source}): **${c.verdict}** — ${c.detail}.`);
    L.push('');
  }

  L.push(...blocksToMarkdown(figureTables(res)));
  L.push('## Wall time per stage', '');
  L.push(
    mdTable(
      ['stage', 'this invocation', 'wall time when it ran', 'compute (sum over runs)', 'notes'],
      ctx.stages.map((st) => [st.stage, st.status, `${st.seconds.toFixed(1)} s`, st.computeSeconds !== undefined ? `${st.computeSeconds.toFixed(1)} s` : '', st.detail ?? '']),
    ),
    '',
  );
  const figs = res.figures?.figures ?? [];
  if (figs.length) {
    L.push('## Figures', '');
    for (const f of figs) L.push(`- ${f.title}: [figures/${f.html}](figures/${f.html})${f.png ? `, [PNG](figures/${f.png})` : f.pngNote ? ` (${f.pngNote})` : ''}`);
    L.push('');
  }
  L.push(`Methods: ${mainComparison(res).map((m) => m.label).join(', ')}. Result tables: results/*.csv; everything with its config: results/*.json.`, '');
  return L.join('\n');
}
