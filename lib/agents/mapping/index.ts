/** Actual action mapping (Eq. (13), Algorithm 1): one ItemIndex interface, exact and LSH implementations. */
export { type ItemIndex, type Pool, SessionBatch } from './itemIndex';
export { ExactIndex } from './exactIndex';
export { ApproxIndex, approxIndexSpec, type ApproxIndexConfig, type ApproxStats } from './approxIndex';
