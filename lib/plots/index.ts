/**
 * Figures of the paper as plotly specs ({data, layout}) built from plain result objects, and the
 * writers: standalone offline HTML, PNG via headless Chromium, inline display in tslab notebooks.
 *
 *   trainingCurves   Figure 6   (a) high-level, (b) low-level agent reward over training, 95% CI bands
 *   offlineBars      Figure 7   MAP, NDCG@20, NDCG@40 per method
 *   onlineBars       Figure 8   reward / clicks / orders per method, long and short sessions
 *   sensitivity      Fig. 9-12  a metric vs alpha or M
 *   fidelity*        Sec. 4.1   simulator calibration curves and confusion heatmaps vs the baseline
 *   funnel           Table 1    impressions / clicks / orders per day, funnel rates
 *   histogram, barChart, lineChart   generic charts for notebooks
 *   showFigure, showTable            inline display in tslab notebooks
 */
export * from './figure';
export * from './estimate';
export * from './grid';
export * from './trainingCurves';
export * from './bars';
export * from './sensitivity';
export * from './fidelity';
export * from './funnel';
export * from './charts';
export * from './html';
export * from './png';
export * from './show';
export * from './table';
