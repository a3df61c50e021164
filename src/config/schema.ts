/**
 * The one configuration schema. Every default lives here or in its sections (src/config/schema/:
 * one file per feature group, each section a zod object with its defaults and doc comments); units
 * are in the names (Ms, Bytes). This file assembles the sections and holds the checks that span them.
 * Sources, lowest precedence first: these defaults → YAML file (TICKCAST_CONFIG_FILE) → env TICKCAST_*.
 * docs/configuration.md is the reference for every key (scripts/gen-config-doc.ts; a test keeps the two in sync).
 */
import { z } from 'zod';
import { kafkaSecurityProblems } from './kafka-security.ts';
import { anomalySection, bandQualitySection, feedbackSection, incidentsSection } from './schema/alerting.ts';
import { kafkaSection, topicsSection } from './schema/kafka.ts';
import { finetuneSection, modelSection } from './schema/model.ts';
import { embeddedSection, httpSection, shutdownSection, telemetrySection } from './schema/service.ts';
import { batchingSection, coldStartSection, inputSection, snapshotsSection, windowsSection } from './schema/stream.ts';

export const configSchema = z
  .object({
    /** Service name for logs, traces and the Kafka client id. */
    serviceName: z.string().min(1).default('tickcast'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    kafka: kafkaSection,
    topics: topicsSection,
    input: inputSection,
    windows: windowsSection,
    coldStart: coldStartSection,
    snapshots: snapshotsSection,
    batching: batchingSection,
    model: modelSection,
    anomaly: anomalySection,
    feedback: feedbackSection,
    incidents: incidentsSection,
    bandQuality: bandQualitySection,
    finetune: finetuneSection,
    http: httpSection,
    embedded: embeddedSection,
    shutdown: shutdownSection,
    telemetry: telemetrySection,
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.batching.lowWaterMark >= c.batching.highWaterMark) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['batching', 'lowWaterMark'], message: 'must be below batching.highWaterMark' });
    }
    if (c.anomaly.warningThreshold !== undefined && c.anomaly.criticalThreshold !== undefined && c.anomaly.warningThreshold > c.anomaly.criticalThreshold) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['anomaly', 'warningThreshold'], message: 'must not exceed anomaly.criticalThreshold' });
    }
    for (const t of c.input.targets ?? []) {
      if (!c.input.features.includes(t)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['input', 'targets'], message: `target "${t}" is not one of input.features (${c.input.features.join(', ')})` });
      }
    }
    if (!c.model.quantiles.includes(0.5)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['model', 'quantiles'], message: 'must contain 0.5 (the median is the point forecast)' });
    }
    if (c.kafka.delivery === 'exactly-once' && !c.kafka.transactionalId) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['kafka', 'transactionalId'], message: 'is required when kafka.delivery is "exactly-once"' });
    }
    for (const p of kafkaSecurityProblems(c.kafka)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['kafka', ...p.path], message: p.message });
    try {
      new RegExp(c.incidents.prefixPattern);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['incidents', 'prefixPattern'], message: 'is not a valid regular expression' });
    }
    try {
      new RegExp(c.input.seriesPattern);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['input', 'seriesPattern'], message: 'is not a valid regular expression' });
    }
  });

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>>;
