import { Counter, Gauge, type Registry } from 'prom-client';

/** Alert feedback (issue 16): verdicts recorded, entries in effect, alerts held back, incident records. */
export function feedbackMetrics(r: Registry[]) {
  return {
    feedback: new Counter({ name: 'tickcast_feedback_total', help: 'Alert feedback recorded, by verdict (false_positive, confirmed, expected, clear) and channel (http, mcp, kafka).', labelNames: ['verdict', 'channel'] as const, registers: r }),
    feedbackEntries: new Gauge({ name: 'tickcast_feedback_entries', help: 'Feedback entries in effect.', registers: r }),
    alertsSuppressed: new Counter({ name: 'tickcast_alerts_suppressed_total', help: 'Alerts held back by feedback, by reason (false_positive: below the raised bar; expected: maintenance span).', labelNames: ['reason'] as const, registers: r }),
    incidents: new Counter({ name: 'tickcast_incidents_total', help: 'Incident records published, by state (open: opened or updated; closed).', labelNames: ['state'] as const, registers: r }),
  };
}
