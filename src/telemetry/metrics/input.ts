import { Counter, type Registry } from 'prom-client';

/** What became of the input records: their ticks' outcomes, ticks stamped ahead, SenML readings skipped. */
export function inputMetrics(r: Registry[]) {
  return {
    ticks: new Counter({ name: 'tickcast_ticks_total', help: 'Input records by outcome (accepted, late, duplicate, replaced, merged, incomplete, dead_letter); with input.format senml, each tick of a pack (a refused pack once, dead_letter). A tick that failed once windowed (read or scored) stays accepted; its dead letter is counted in tickcast_dlq_total only.', labelNames: ['result'] as const, registers: r }),
    ticksAhead: new Counter({ name: 'tickcast_ticks_ahead_total', help: 'Ticks accepted stamped more than input.clockSkewMs ahead of when they were sent (within input.maxFutureMs): a device clock fast. Their series steps back onto its true clock.', registers: r }),
    senmlSkipped: new Counter({ name: 'tickcast_senml_skipped_total', help: 'Readings of SenML packs (input.format senml) taken as no tick, by reason: not_numeric (a string, boolean or data value, or a sum alone), other_name (input.senmlSeries baseName: a name that is no input.features), name_case (baseName: a name that differs from a feature only in case; SenML names are case-sensitive), repeated (a second reading of a name at one time with the same value, taken once). The rest of each pack went on.', labelNames: ['reason'] as const, registers: r }),
  };
}
