/**
 * World presets: the kit's first world is still generated bit for bit by its preset name (checksum
 * computed with the code before presets existed), presets reproduce byte for byte, every preset's
 * log keeps the paper's funnel, and the planning oracle is not below the greedy-reward oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateWorld, PAPER_CLICK_RATE, PAPER_ORDER_PER_CLICK, type World } from '../lib/data/world';
import { WORLD_PRESET_NAMES } from '../lib/data/world/worldPresets';
import { logStats, type EventLog } from '../lib/data/schema';

const SMALL = { trainImpressions: 20000, nItems: 800, seed: 3, calibrationImpressions: 20000 };

function digest(world: World, log: EventLog): string {
  const h = createHash('sha256');
  const arrays = [log.user, log.session, log.item, log.feedback, log.ts, log.sessionStart, log.sessionUser, log.sessionDay,
    world.itemVec, world.userVec, world.items.category, world.items.extra.quality, world.items.extra.clickbait, world.items.extra.popularity, world.items.extra.priceZ];
  for (const a of arrays) h.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  h.update(JSON.stringify(world.bias));
  return h.digest('hex');
}

test("'greedy-suffices' is the kit's first world, bit for bit (checksum from the code before presets)", () => {
  const { world, log } = generateWorld({ ...SMALL, preset: 'greedy-suffices' });
  assert.equal(digest(world, log), '38c37c0cd9e80445a3d4b46d58c717614941b69daed55ed7fe3cb48c61ca11f3');
  assert.equal(world.cfg.preset, 'greedy-suffices');
});

test('presets reproduce byte for byte, differ from each other, and caller options win over the preset', () => {
  const a = generateWorld({ ...SMALL, preset: 'default' });
  const b = generateWorld({ ...SMALL, preset: 'default' });
  assert.equal(digest(a.world, a.log), digest(b.world, b.log));
  assert.equal(a.world.cfg.orderIntent, 6);
  const c = generateWorld({ ...SMALL, preset: 'in-between' });
  assert.notEqual(digest(a.world, a.log), digest(c.world, c.log));
  const d = generateWorld({ ...SMALL, preset: 'default', orderIntent: 2.5, calibrate: false });
  assert.equal(d.world.cfg.orderIntent, 2.5);
  assert.equal(d.world.cfg.intentThreshold, 0.6);
  assert.throws(() => generateWorld({ ...SMALL, preset: 'nope' as never }), /world\.preset/);
});

test('every preset keeps the paper funnel (Table 1) under the logging policy, 3 seeds', () => {
  const near = (actual: number, target: number, events: number, what: string): void => {
    const tol = Math.max(0.1, 3.5 / Math.sqrt(events)); // the tolerance of world.test.ts
    assert.ok(Math.abs(actual / target - 1) <= tol, `${what}: ${actual.toFixed(4)} vs target ${target.toFixed(4)}`);
  };
  for (const preset of WORLD_PRESET_NAMES) {
    for (const seed of [1, 2, 3]) {
      const { log } = generateWorld({ trainImpressions: 30000, nItems: 1000, seed, preset });
      const st = logStats(log);
      near(st.clickRate, PAPER_CLICK_RATE, st.clicks, `${preset} seed ${seed} click rate`);
      near(st.orderPerClick, PAPER_ORDER_PER_CLICK, st.orders, `${preset} seed ${seed} orders/clicks`);
    }
  }
});
