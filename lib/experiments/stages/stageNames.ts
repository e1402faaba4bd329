/** The reproduce stages in their order (their modules: stages/<stage>.ts, listed in stages/index.ts). */
export const STAGES = ['data', 'simulator', 'train', 'evaluate', 'sweep', 'figures', 'summary'] as const;
export type StageName = (typeof STAGES)[number];
