/** Reliability: crash-safe training runs, divergence detection, run locks, soak measurement. */
export * from './trainRun';
export * from './checkpointStore';
export * from './divergence';
export * from './runLock';
export * from './soak';
