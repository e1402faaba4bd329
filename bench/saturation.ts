/**
 * Saturation of actor outputs in the B*tanh box, for the bench scripts: the library's probe
 * (lib/eval/actorSaturation.ts) under the name bench/agentDiagnostics.ts uses.
 */
export { actionSaturation as saturationStats, type SaturationStats } from '../lib/eval/actorSaturation';
