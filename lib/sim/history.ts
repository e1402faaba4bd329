/** The history convention lives with the data schema (lib/data/history.ts); re-exported for lib/sim users. */
export { pushHistory, recordImpression, historyItems } from '../data/history';
