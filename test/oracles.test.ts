/**
 * The yardstick: the reference policies (random, logging policy, greedy oracles on the true user
 * model) and the headroom captured h. Hand-worked h numbers (incl. undefined cases); on a tiny world
 * the oracles beat random and the logging policy by a clear margin; h is 0 for random and 1 for the
 * greedy-reward oracle through the actual runner; the registry and pairing contracts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../lib/backend';
import { generateWorld } from '../lib/data/world';
import { prepareDataset } from '../lib/data/prepare';
import { TrueModelBackend } from '../lib/sim/trueModelBackend';
import { headroomCaptured } from '../lib/eval/oracles';
import {
  REFERENCES, evaluateReferences, headroomOf, makeReference, onlineReferences, referenceDef, referencesFor, HEADROOM_FLOOR, HEADROOM_ORACLE,
} from '../lib/eval/references';
import { attachHeadroom, type ReferenceRow } from '../lib/experiments/references';
import { UsageError } from '../lib/util/errors';
import type { UserBackend } from '../lib/sim/userBackend';

const setup = (async () => {
  await initBackend();
  const { world, log } = generateWorld({ trainImpressions: 20_000 });
  const ds = await prepareDataset(log, {});
  return { world, ds, truth: new TrueModelBackend(world, ds) };
})();

const OPTS = { Ts: [20, 40], sessions: 64, seed: 2019, batchSize: 32, poolSize: 100 };

test('headroomCaptured: hand-worked values and the undefined cases', () => {
  assert.equal(headroomCaptured(8, 5, 15), 0.3); // (8-5)/(15-5)
  assert.equal(headroomCaptured(5, 5, 15), 0);
  assert.equal(headroomCaptured(15, 5, 15), 1);
  assert.equal(headroomCaptured(20, 5, 15), 1.5); // a planner may beat the one-step oracle
  assert.ok(Math.abs(headroomCaptured(4, 5, 15) - -0.1) < 1e-12); // below random
  assert.ok(Number.isNaN(headroomCaptured(8, 5, 5)), 'oracle = random: no headroom');
  assert.ok(Number.isNaN(headroomCaptured(8, 6, 5)), 'oracle below random: undefined');
  assert.ok(Number.isNaN(headroomCaptured(NaN, 5, 15)));
  assert.ok(Number.isNaN(headroomCaptured(8, NaN, 15)));
  assert.ok(Number.isNaN(headroomCaptured(Infinity, 5, 15)));
});

test('tiny world: the oracles beat random and the logging policy by a clear margin; h is 0 for random, 1 for the oracle', async () => {
  const { ds, truth } = await setup;
  const refs = onlineReferences(REFERENCES.map((r) => r.id), ds, truth, OPTS);
  assert.deepEqual(refs.map((r) => r.id), ['random', 'logging', 'greedy-click', 'greedy-reward']);
  const by = (id: string) => refs.find((r) => r.id === id)!;
  for (let k = 0; k < OPTS.Ts.length; k++) {
    const mean = (id: string): number => by(id).online[k].reward.mean;
    const lo = (id: string): number => by(id).online[k].reward.ci95.lo;
    const hi = (id: string): number => by(id).online[k].reward.ci95.hi;
    for (const base of ['random', 'logging']) {
      assert.ok(mean('greedy-reward') > 1.3 * mean(base), `T=${OPTS.Ts[k]}: greedy-reward ${mean('greedy-reward')} vs ${base} ${mean(base)}`);
      assert.ok(lo('greedy-reward') > hi(base), `T=${OPTS.Ts[k]}: CIs separate (greedy-reward vs ${base})`);
    }
    assert.ok(mean('greedy-click') > 1.2 * mean('random'), `T=${OPTS.Ts[k]}: greedy-click ${mean('greedy-click')} vs random ${mean('random')}`);
    // greedy-click chases clicks: at least as many clicks as the reward oracle, fewer orders
    assert.ok(by('greedy-click').online[k].clicks.mean >= by('greedy-reward').online[k].clicks.mean - 0.5);
    assert.ok(by('greedy-reward').online[k].orders.mean > by('greedy-click').online[k].orders.mean);
    // h through headroomOf on the same tests
    const h = (id: string): number => headroomOf(by(id).online[k], by(HEADROOM_FLOOR).online[k], by(HEADROOM_ORACLE).online[k]).h;
    assert.equal(h('random'), 0);
    assert.equal(h('greedy-reward'), 1);
    assert.ok(h('greedy-click') > 0.3 && h('greedy-click') < 1.2, `h(greedy-click) ${h('greedy-click')}`);
  }
  // every reference saw the same users and session starts (paired)
  for (const r of refs) assert.deepEqual(r.online[0].perSession.startSession, by('random').online[0].perSession.startSession);
  // deterministic: the same call gives the same numbers
  const again = onlineReferences(['random', 'logging'], ds, truth, OPTS);
  assert.deepEqual(again.map((r) => r.online.map((o) => o.perSession.reward)), ['random', 'logging'].map((id) => by(id).online.map((o) => o.perSession.reward)));
});

test('evaluateReferences gives the numbers of onlineReferences at [shortT, longT]; the pipeline rows carry h = 0 / 1', async () => {
  const { ds, truth } = await setup;
  const cfg = { seed: OPTS.seed, onlineSessions: OPTS.sessions, batchSize: OPTS.batchSize, shortT: 20, longT: 40, poolSize: OPTS.poolSize };
  const ev = await evaluateReferences([HEADROOM_FLOOR, HEADROOM_ORACLE], ds, truth, cfg);
  const on = onlineReferences([HEADROOM_FLOOR, HEADROOM_ORACLE], ds, truth, OPTS);
  for (let i = 0; i < 2; i++) {
    assert.equal(ev[i].record.offline, null);
    assert.deepEqual(ev[i].record.online!.short.perSession.reward, on[i].online[0].perSession.reward);
    assert.deepEqual(ev[i].record.online!.long.perSession.reward, on[i].online[1].perSession.reward);
  }
  // the reproduce pipeline's headroom attachment on rows made from these results
  const rows: ReferenceRow[] = ev.flatMap((e) =>
    (['short', 'long'] as const).map((length) => {
      const r = e.record.online![length];
      return {
        reference: e.id, label: e.label, backend: 'truth' as const, length, T: r.T, sessions: r.sessions, reward: r.reward.mean, clicks: r.clicks.mean,
        clicksOnly: r.clicksOnly.mean, orders: r.orders.mean, rewardHalfWidth: 0, clicksHalfWidth: 0, clicksOnlyHalfWidth: 0, ordersHalfWidth: 0, h: null,
      };
    }),
  );
  attachHeadroom(rows, rows);
  assert.deepEqual(rows.map((r) => [r.reference, r.length, r.h]), [['random', 'short', 0], ['random', 'long', 0], ['greedy-reward', 'short', 1], ['greedy-reward', 'long', 1]]);
  const rnd = rows[0], orc = rows[2];
  const agents = [
    { backend: 'truth' as const, length: 'short' as const, T: 20, sessions: 64, reward: (rnd.reward + orc.reward) / 2, h: undefined as number | null | undefined },
    { backend: 'simulator' as const, length: 'short' as const, T: 20, sessions: 64, reward: orc.reward, h: undefined as number | null | undefined },
    { backend: 'truth' as const, length: 'short' as const, T: 20, sessions: 32, reward: orc.reward, h: undefined as number | null | undefined },
  ];
  attachHeadroom(agents, rows);
  assert.ok(Math.abs(agents[0].h! - 0.5) < 1e-12, 'halfway between random and the oracle');
  assert.equal(agents[1].h, null, 'no h against the simulator');
  assert.equal(agents[2].h, null, 'another test (session count): no h');
});

test('registry and contracts: truth-only references, unknown ids, unpaired tests', async () => {
  const { ds, truth } = await setup;
  const notTruth: UserBackend = { name: 'simulator', reset() {}, probs: () => new Float32Array(0), observe() {} } as unknown as UserBackend;
  assert.deepEqual(referencesFor(notTruth).map((r) => r.id), ['random']);
  assert.deepEqual(referencesFor(truth).map((r) => r.id), REFERENCES.map((r) => r.id));
  const rw = { skip: 0, click: 1, order: 5 };
  for (const id of ['logging', 'greedy-click', 'greedy-reward']) assert.throws(() => makeReference(id, notTruth, rw, 0, 50), (e: Error) => e instanceof UsageError && /ground-truth backend/.test(e.message));
  assert.throws(() => referenceDef('planning-oops'), /unknown reference policy 'planning-oops' \(known: random, logging, greedy-click, greedy-reward, planning\)/);
  const a = onlineReferences(['random', 'greedy-reward'], ds, truth, { ...OPTS, Ts: [20] });
  const b = onlineReferences(['random'], ds, truth, { ...OPTS, Ts: [20], seed: 7 });
  assert.throws(() => headroomOf(a[0].online[0], b[0].online[0], a[1].online[0]), /the random reference ran another test/);
});
