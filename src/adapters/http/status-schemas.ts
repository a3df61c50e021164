/**
 * Response schemas of GET /v1/band-quality and GET /v1/snapshots, in the REST schemas' OpenAPI 3.0
 * form (`nullable`): the routes declare them (/docs/json), and the band_quality and snapshot_status
 * tools' outputSchemas are the same objects made standalone (./tool-output-schemas.ts), so the two
 * cannot drift apart. test/component/mcp-output-schema.test.ts validates real answers of both.
 */
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const numOrNull = { type: 'number', nullable: true } as const;

export const bandQualitySchema = {
  type: 'object',
  description:
    'Band quality across series (as GET /v1/band-quality): nominal p10–p90 coverage, mean coverage (null before any series is judged) and the worst series first.',
  properties: {
    nominal: { ...num, description: 'Coverage a calibrated band would have (upper level − lower level).' },
    windowTicks: { ...int, description: 'Realised ticks each series is judged over.' },
    series: { ...int, description: 'Series with enough realised ticks to be judged.' },
    meanCoverage: numOrNull,
    worst: {
      type: 'array',
      description: 'The series farthest from nominal coverage, worst first.',
      items: {
        type: 'object',
        properties: { series: { type: 'string' }, ticks: int, coverage: num, nominal: num, below: num, above: num, pinball: num, scaledPinball: { ...numOrNull, description: 'null while the naive error scale is 0 (a flat series).' } },
        required: ['series', 'ticks', 'coverage', 'nominal', 'below', 'above', 'pinball', 'scaledPinball'],
      },
    },
  },
  required: ['nominal', 'windowTicks', 'series', 'meanCoverage', 'worst'],
};

const lastSnapshot = {
  type: 'object',
  nullable: true,
  description: 'The last snapshot written; null: none since start.',
  properties: { atMs: int, series: int, bytes: int, captureMs: num, writeMs: num },
  required: ['atMs', 'series', 'bytes', 'captureMs', 'writeMs'],
};

export const snapshotStatusSchema = {
  type: 'object',
  description: 'Series-state snapshots (as GET /v1/snapshots): the last one written (null: none since start), failures, and what the last start restored and replayed.',
  properties: {
    file: { type: 'string' },
    intervalMs: int,
    last: lastSnapshot,
    failures: int,
    lastError: { type: 'object', nullable: true, properties: { atMs: int, message: { type: 'string' } }, required: ['atMs', 'message'] },
    start: {
      type: 'object',
      description: 'At start: whether a snapshot was loaded (else why not), what it restored.',
      properties: { loaded: { type: 'boolean' }, reason: { type: 'string', nullable: true }, series: int, detectors: int, loadMs: num, restoreMs: num },
      required: ['loaded', 'reason', 'series', 'detectors', 'loadMs', 'restoreMs'],
    },
    replayed: { type: 'object', description: 'Warm-up records handled since start: the tail after the snapshot (full) and plain replay (window).', properties: { full: int, window: int }, required: ['full', 'window'] },
  },
  required: ['file', 'intervalMs', 'last', 'failures', 'lastError', 'start', 'replayed'],
};
