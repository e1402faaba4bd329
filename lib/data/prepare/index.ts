export * from './config';
export * from './splitDays';
export * from './longTailFilter';
export * from './applyFilter';
export * from './histories';
export * from './funnelStats';
export * from './preparedDataset';
export * from './prepareDataset';
