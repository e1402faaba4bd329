/**
 * A tiny hand-built dataset for lib/sim tests that must not depend on world generation or
 * preparation: `nUsers` users over two days (day 0 = train, day 1 = test), random items, random
 * feedback, random embeddings, histories computed exactly like data/prepare.
 */
import { Rng } from '../lib/util/rng';
import { Feedback, LogBuilder, selectSessions, type EventLog, type ItemTable } from '../lib/data/schema';
import { computeHistories } from '../lib/data/prepare/histories';
import type { SimDataset } from '../lib/sim/types';

export interface FixtureOptions {
  nItems?: number;
  nCategories?: number;
  nUsers?: number;
  E?: number;
  N?: number;
  seed?: number;
  /** Users (indices) that get no test-day session. */
  noTestUsers?: number[];
}

export function tinyDataset(o: FixtureOptions = {}): SimDataset {
  const nItems = o.nItems ?? 80;
  const nCat = o.nCategories ?? 8;
  const nUsers = o.nUsers ?? 30;
  const E = o.E ?? 8;
  const N = o.N ?? 5;
  const rng = new Rng(o.seed ?? 3);
  const items: ItemTable = {
    n: nItems,
    rawId: Float64Array.from({ length: nItems }, (_, i) => 1000 + i),
    category: Int32Array.from({ length: nItems }, (_, i) => i % nCat),
    nCategories: nCat,
    price: new Float32Array(nItems).fill(NaN),
    extra: {},
  };
  const b = new LogBuilder();
  const day0 = 1_600_000_000 - (1_600_000_000 % 86400);
  let key = 0;
  const noTest = new Set(o.noTestUsers ?? []);
  for (let u = 0; u < nUsers; u++) {
    for (let day = 0; day < 2; day++) {
      if (day === 1 && noTest.has(u)) continue;
      const nS = 1 + rng.int(2);
      for (let s = 0; s < nS; s++) {
        const len = 5 + rng.int(6);
        const t0 = day0 + day * 86400 + 3600 * (1 + s * 4) + u;
        const seen = new Set<number>();
        for (let k = 0; k < len; k++) {
          let it = rng.int(nItems);
          while (seen.has(it)) it = rng.int(nItems);
          seen.add(it);
          const x = rng.random();
          const f = x < 0.05 ? Feedback.Order : x < 0.25 ? Feedback.Click : Feedback.Skip;
          b.push(u, key, it, f, t0 + k * 10);
        }
        key++;
      }
    }
  }
  const log = b.build('fixture', items, nUsers, Float64Array.from({ length: nUsers }, (_, u) => 500 + u), day0);
  const split = (day: number): EventLog => {
    const keep: number[] = [];
    for (let s = 0; s < log.nSessions; s++) if (log.sessionDay[s] === day) keep.push(s);
    return selectSessions(log, keep);
  };
  const train = split(0);
  const test = split(1);
  const [ht, hs] = computeHistories([train, test], N);
  const embeddings = rng.fillNormal(new Float32Array(nItems * E));
  return { items, embeddings, train: { log: train, ...ht }, test: { log: test, ...hs } };
}
