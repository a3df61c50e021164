/**
 * The files and directories the configuration names, checked once at load so that a wrong path
 * is a configuration problem naming its key, variable and path (TC_CONFIG_INVALID, exit 78) —
 * not a stack trace after HTTP is up, nor an opaque message from inside librdkafka when the
 * Kafka client is created. Only existence, kind and read permission are checked; contents are
 * not (a PEM that does not parse is still librdkafka's to report).
 *
 * Two kinds of path:
 * - inputs the service only reads (the embedded data file, the Kafka TLS files): must exist and
 *   be readable. The Kafka ones only in Kafka mode (kafka.brokers set): embedded mode never opens them.
 * - places the service creates itself (model.dir, snapshots.dir, feedback.file): may be absent;
 *   when present they must be of the right kind (a readable directory, a readable file), else the
 *   first read or write fails (model.dir: at start, listing the checkpoints).
 * Secrets given as `<NAME>_FILE` are read (and their problems reported) by the loader itself.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import type { KeyIndex } from './problems.ts';
import { fileErrorReason } from '../domain/file-error-reason.ts';

/** The parsed config as the checks see it (the schema's output; kept loose to avoid a cycle). */
type Parsed = any;

type Want = 'file' | 'dir' | 'file-or-dir';

/** One path to check: the key that names it (dotted), its value, what it must be, and whether it may be absent. */
interface PathCheck {
  key: string;
  path: string;
  want: Want;
  mayBeAbsent?: boolean;
}

/** librdkafka properties in the `kafka.properties` passthrough that name files it opens at client creation. */
export const KAFKA_FILE_PROPERTIES: Readonly<Record<string, Want>> = {
  // A CA location may be a directory of hashed certificates (OpenSSL's CApath); "probe" searches the system's.
  'ssl.ca.location': 'file-or-dir',
  'ssl.certificate.location': 'file',
  'ssl.key.location': 'file',
  'ssl.keystore.location': 'file',
  'ssl.crl.location': 'file',
  'sasl.kerberos.keytab': 'file',
};

/** Every path the config names that is checked, with what it must be. */
export function pathChecks(c: Parsed): PathCheck[] {
  const out: PathCheck[] = [];
  const add = (key: string, path: unknown, want: Want, mayBeAbsent = false) => {
    if (typeof path === 'string' && path !== '') out.push({ key, path, want, mayBeAbsent });
  };
  add('embedded.dataFile', c.embedded.dataFile, 'file');
  if (c.kafka.brokers.length > 0) {
    if (c.kafka.tlsCaLocation !== 'probe') add('kafka.tlsCaLocation', c.kafka.tlsCaLocation, 'file-or-dir');
    add('kafka.tlsCertLocation', c.kafka.tlsCertLocation, 'file');
    add('kafka.tlsKeyLocation', c.kafka.tlsKeyLocation, 'file');
    for (const [prop, want] of Object.entries(KAFKA_FILE_PROPERTIES)) {
      const v = c.kafka.properties[prop];
      if (!(prop === 'ssl.ca.location' && v === 'probe')) add(`kafka.properties.${prop}`, v, want);
    }
  }
  add('model.dir', c.model.dir, 'dir', true);
  // Only where the part that writes them is built: snapshots in Kafka mode, the feedback log with anomaly detection.
  if (c.snapshots.enabled && c.kafka.brokers.length > 0) add('snapshots.dir', c.snapshots.dir, 'dir', true);
  if (c.feedback.enabled && c.anomaly.enabled) add('feedback.file', c.feedback.file, 'file', true);
  return out;
}

/**
 * One problem line per path that is missing, of the wrong kind or unreadable, e.g.
 * `kafka.tlsCaLocation (TICKCAST_KAFKA_TLS_CA_LOCATION): cannot read "/etc/kafka/ca.pem" (no such file)`.
 * Keys listed in `invalid` (already reported) are skipped.
 */
export function fileProblems(c: Parsed, keys: KeyIndex, invalid: readonly string[] = []): string[] {
  const skip = (key: string) => invalid.some((p) => p === key || key.startsWith(`${p}.`));
  return pathChecks(c)
    .filter((p) => !skip(p.key))
    .flatMap((p) => {
      const why = pathProblem(p);
      return why === null ? [] : [`${label(p.key, keys)}: ${why}`];
    });
}

/** `kafka.tlsCaLocation (TICKCAST_KAFKA_TLS_CA_LOCATION)`; a passthrough property has no variable of its own. */
function label(key: string, keys: KeyIndex): string {
  const env = keys.env.get(key) ?? (key.startsWith('kafka.properties.') ? keys.env.get('kafka.properties') : undefined);
  return env ? `${key} (${env})` : key;
}

/** What is wrong with one path, or null. */
function pathProblem(p: PathCheck): string | null {
  const q = JSON.stringify(p.path);
  let st: Stats;
  try {
    st = statSync(p.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (p.mayBeAbsent && code === 'ENOENT') return null; // created by the service when first written
    return `cannot read ${q} (${fileErrorReason(err)})`;
  }
  if (p.want === 'file' && !st.isFile()) return `${q} is not a file`;
  if (p.want === 'dir' && !st.isDirectory()) return `${q} is not a directory`;
  if (p.want === 'file-or-dir' && !st.isFile() && !st.isDirectory()) return `${q} is neither a file nor a directory`;
  try {
    accessSync(p.path, st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
    return null;
  } catch (err) {
    return `cannot read ${q} (${fileErrorReason(err)})`;
  }
}

