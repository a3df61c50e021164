/** A TrendServing with alert feedback (a FeedbackService over an in-memory alert index) for route tests. */
import { FeedbackPolicy } from '../../../../src/domain/feedback/feedback-policy.ts';
import { AlertIndex } from '../../../../src/pipeline/alert-index.ts';
import { FeedbackService } from '../../../../src/pipeline/feedback-service.ts';
import type { AnomalyRecord, SeriesDetail } from '../../../../src/pipeline/ports.ts';
import { TrendServing } from './trend-serving.ts';

export const alert = (id: string): AnomalyRecord =>
  ({ kind: 'alert', id, series: 'web-1', ts: 1000, value: 9, expected: 1, lower: 0, upper: 2, score: 0.9, severity: 'critical', state: 'firing', model: 'm', view: 'forecast' });

/** A TrendServing with feedback, whose series detail carries the series' feedback as the real one does. */
export function servingWithFeedback() {
  const index = new AlertIndex(10);
  for (const id of ['0000000000000001', '0000000000000002']) index.add(alert(id));
  const policy = new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
  const feedback = new FeedbackService({ policy, index, store: { load: async () => [], append: async () => {} }, expectedSpanMs: 60_000 });
  const serving = new TrendServing() as TrendServing & { feedback: FeedbackService };
  Object.defineProperty(serving, 'feedback', { value: feedback });
  for (let i = 0; i < 5; i++) serving.ingest('web-1', 1000 * i, i);
  const plain = serving.getSeries.bind(serving);
  serving.getSeries = (id: string): SeriesDetail | null => {
    const d = plain(id);
    const fb = feedback.seriesState(id, 1000);
    return d === null || fb === null ? d : { ...d, feedback: fb };
  };
  return serving;
}
