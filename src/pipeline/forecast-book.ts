/**
 * Old names of the per-series serving state (now src/pipeline/series-outlook.ts), kept only for
 * src/pipeline/snapshot/series-state.ts, which is being changed on another branch. Remove this
 * file once that imports SeriesOutlook / OutlookEntry directly. Nothing else may import it.
 */
export { SeriesOutlook as ForecastBook, type OutlookEntry as BookEntry } from './series-outlook.ts';
