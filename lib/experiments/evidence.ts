/**
 * What the summary's figures rest on, and warnings when that is too little to read them (issue 18):
 *   - a figure computed on fewer than `minSessions` test sessions (offline re-ranking, online tests,
 *     simulator fidelity) or fewer than `minEvents` positive events (clicks, orders of the test split
 *     behind the AUCs);
 *   - a simulator that does not beat the constant frequency model on the test split's log-loss;
 *   - an AUC that is undefined (no positive or no negative in the test split) or below 0.5.
 * Claims that rest on an under-supported figure become inconclusive, saying why (annotateClaims).
 */
import { int } from '../util/config';
import type { Claim } from './claims';
import type { ReproduceResults } from './results';

export const evidenceSpec = {
  minEvidenceSessions: int(100, 'summary: warn when a reported figure rests on fewer test sessions than this (and its claims are inconclusive)', { min: 1 }),
  minEvidenceEvents: int(30, 'summary: warn when a reported figure rests on fewer positive events (test clicks / orders) than this', { min: 1 }),
};

export interface EvidenceMinimums {
  minEvidenceSessions: number;
  minEvidenceEvents: number;
}

export interface EvidenceWarning {
  /** What the warning is about: 'offline', 'online', 'fidelity', 'simulator', 'auc'. */
  topic: 'offline' | 'online' | 'fidelity' | 'simulator' | 'auc';
  /** One sentence for the console and summary.md. */
  text: string;
}

const n = (x: number): string => x.toLocaleString('en-US');

/** Every warning the results call for (see the module comment); [] when the evidence suffices. */
export function evidenceWarnings(res: ReproduceResults, min: EvidenceMinimums): EvidenceWarning[] {
  const out: EvidenceWarning[] = [];
  const S = min.minEvidenceSessions;
  const E = min.minEvidenceEvents;
  const ev = res.evaluate;
  if (ev && ev.offline.length) {
    const s = Math.min(...ev.offline.map((r) => r.sessions));
    if (s < S) out.push({ topic: 'offline', text: `Figure 7 (offline test) rests on ${n(s)} re-ranked test session(s), fewer than the minimum of ${n(S)}: its numbers and claims say little (raise --offlineSessions if it caps them, or give the test split more days: --testMinSessions, --testMaxShare or --testDays)` });
  }
  if (ev && ev.online.length) {
    const s = Math.min(...ev.online.map((r) => r.sessions));
    if (s < S) out.push({ topic: 'online', text: `Figure 8 (online test) rests on ${n(s)} simulated session(s) per run, fewer than the minimum of ${n(S)} (raise --evalSessions)` });
  }
  const f = res.simulator?.fidelity;
  if (f) {
    const d = f.dataset;
    const orders = Math.round(d.orderRate * d.rows);
    const clicks = Math.round(d.clickRate * d.rows);
    if (d.sessions < S) out.push({ topic: 'fidelity', text: `the simulator's fidelity report rests on ${n(d.sessions)} test session(s), fewer than the minimum of ${n(S)}` });
    for (const [what, k] of [['clicks (incl. orders)', clicks], ['orders', orders]] as const) {
      if (k < E) out.push({ topic: 'fidelity', text: `the fidelity report's ${what === 'orders' ? 'order' : 'click'} figures (AUC, ECE) rest on ${n(k)} test ${what}, fewer than the minimum of ${n(E)}` });
    }
    const s = f.simulator;
    const b = f.baseline;
    if (!(s.logLoss < b.logLoss)) {
      out.push({ topic: 'simulator', text: `the simulator does not beat the constant frequency model on the test split (log-loss ${s.logLoss.toFixed(4)} vs ${b.logLoss.toFixed(4)}): agents trained and tested against it learn from a user model no better than a constant` });
    }
    for (const [name, v] of [['click', s.aucClick], ['order', s.aucOrder]] as const) {
      if (!Number.isFinite(v)) out.push({ topic: 'auc', text: `the simulator's ${name} AUC is undefined (the test split has no ${name === 'order' ? 'order' : 'click'} or no non-${name === 'order' ? 'order' : 'click'})` });
      else if (v < 0.5) out.push({ topic: 'auc', text: `the simulator's ${name} AUC is ${v.toFixed(4)}, below random (0.5): it ranks ${name}s worse than chance on the test split` });
    }
  }
  return out;
}

/**
 * Claims that rest on an under-supported figure: a held / did-not-hold verdict becomes
 * inconclusive, and every such claim's detail says why. Online claims also rest on the simulator
 * (unless they are against the ground truth).
 */
export function annotateClaims(claims: Claim[], warnings: EvidenceWarning[]): Claim[] {
  const offline = warnings.filter((w) => w.topic === 'offline');
  const online = warnings.filter((w) => w.topic === 'online');
  const sim = warnings.filter((w) => w.topic === 'simulator');
  return claims.map((c) => {
    const isOffline = c.id.includes('offline');
    const isTruth = c.id.includes('truth');
    const why = isOffline ? offline : [...online, ...(isTruth ? [] : sim)];
    if (!why.length || c.verdict === 'not tested') return c;
    const reason = why.map((w) => w.text.split(':')[0]).join('; ');
    return { ...c, verdict: 'inconclusive', detail: `${c.verdict === 'inconclusive' ? '' : `CIs alone would say "${c.verdict}", but `}${reason}${c.verdict === 'inconclusive' ? '; ' : ' — '}${c.detail}` };
  });
}

/**
 * The "logged order" reference ranks a session as it was logged. On the default world that is the
 * logging policy's feed order. A real log has no skipped impressions: the adapters add sampled
 * negatives, placed just before each positive (lib/data/negatives.ts), so the "logged" order is
 * an artefact of that placement (every positive after its k negatives: below random), not the
 * order a feed showed. It is left out on real logs.
 */
export function showLoggedOrder(res: ReproduceResults): boolean {
  return !res.data || res.data.source === 'world';
}

export const LOGGED_ORDER_NOTE =
  'No "logged order" reference on a real log: its skipped impressions are sampled negatives placed just before each positive, so the logged order ' +
  'only reflects that placement (every positive after its negatives, below random), not the order a feed showed.';
