/**
 * The one configuration schema. Every default lives here or in its sections (src/config/schema/:
 * one file per feature group, each section a zod object with its defaults and doc comments); units
 * are in the names (Ms, Bytes). This file assembles the sections; the checks that span them are in
 * ./cross-field.ts (the loader runs them even when other keys are invalid).
 * Sources, lowest precedence first: these defaults → YAML file (TICKCAST_CONFIG_FILE) → env TICKCAST_*.
 * docs/configuration.md is the reference for every key (scripts/gen-config-doc.ts; a test keeps the two in sync).
 */
import { z } from 'zod';
import { crossFieldProblems } from './cross-field.ts';
import { anomalySection, bandQualitySection, feedbackSection, incidentsSection } from './schema/alerting.ts';
import { kafkaSection, topicsSection } from './schema/kafka.ts';
import { finetuneSection, modelSection } from './schema/model.ts';
import { embeddedSection, httpSection, shutdownSection, telemetrySection } from './schema/service.ts';
import { batchingSection, coldStartSection, fusionSection, inputSection, snapshotsSection, windowsSection } from './schema/stream.ts';

/** Every section, each refusing keys it does not know; no cross-section checks. */
export const configObject = z
  .object({
    /** Service name for logs, traces and the Kafka client id. */
    serviceName: z.string().min(1).default('tickcast'),
    /** Lowest level logged (pino JSON lines on stdout): fatal, error, warn, info, debug, trace, or silent. debug and trace for troubleshooting; warn keeps only problems (alerts in embedded mode are logged at warn). */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    kafka: kafkaSection,
    topics: topicsSection,
    input: inputSection,
    windows: windowsSection,
    coldStart: coldStartSection,
    fusion: fusionSection,
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
  .strict();

/** The schema with the checks that span sections (./cross-field.ts). */
export const configSchema = configObject.superRefine((c, ctx) => {
  for (const p of crossFieldProblems(c)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: p.path, message: p.message });
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>>;
