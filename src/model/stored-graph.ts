/**
 * The ONNX graph saved with a checkpoint version (`model.onnx` in its directory, listed in its
 * model.json as `onnx`: byte length, sha256, the sha256 of the weights it was exported from, and
 * the tickcast release that exported it). The replica that promotes or rolls back saves the graph
 * its engine passed the parity check with; replicas following the model directory load it instead
 * of exporting again and repeating the check on their serving thread (docs/finetuning.md
 * § Several replicas). Versions without one (written before, or by `tickcast train`) are exported
 * as before; a graph that fails any check is refused with an error code and exported again.
 *
 * Writes: model.onnx first (temp file, fsync, rename), then model.json (same), so a reader that
 * finds the `onnx` entry finds its file; the weights and every other manifest field are kept.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import { BUILD_INFO } from '../telemetry/build-info.ts';
import { MANIFEST_FILE } from './artifact.ts';
import { replaceFileSynced, syncDir } from '../durable/durable-fs.ts';

export const GRAPH_FILE = 'model.onnx';

/** model.json's `onnx` entry. */
export interface StoredGraphEntry {
  file: typeof GRAPH_FILE;
  byteLength: number;
  sha256: string;
  /** weights.sha256 of the same manifest when the graph was exported from those weights. */
  weightsSha256: string;
  /** The tickcast release whose exporter wrote it: another release's graph is not trusted (exported again). */
  exportedBy: string;
}

/** Who exports here (package version): graphs from another release are exported again. */
export const GRAPH_EXPORTER = `tickcast ${BUILD_INFO.version}`;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

type RawManifest = Record<string, unknown> & { weights?: { sha256?: unknown }; onnx?: Partial<StoredGraphEntry> };

async function readRaw(dir: string): Promise<RawManifest> {
  const m = JSON.parse(await fsp.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as RawManifest;
  if (m === null || typeof m !== 'object' || typeof m.weights?.sha256 !== 'string') throw new Error(`${MANIFEST_FILE} has no weights.sha256`);
  return m;
}

/**
 * Save `graph` (exported from the weights in `dir`) as the version's model.onnx and list it in its
 * model.json. Nothing is written when the same graph is listed already.
 */
export async function saveGraph(dir: string, graph: Uint8Array): Promise<void> {
  const m = await readRaw(dir);
  const entry: StoredGraphEntry = { file: GRAPH_FILE, byteLength: graph.byteLength, sha256: sha256(graph), weightsSha256: m.weights!.sha256 as string, exportedBy: GRAPH_EXPORTER };
  if (JSON.stringify(m.onnx) === JSON.stringify(entry)) return;
  await replaceFileSynced(path.join(dir, GRAPH_FILE), graph);
  await replaceFileSynced(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...m, onnx: entry }, null, 2) + '\n');
  await syncDir(dir);
}

function refuse(dir: string, code: typeof ErrorCodes.MODEL_ARTIFACT_CORRUPT | typeof ErrorCodes.MODEL_ARTIFACT_MISMATCH, why: string, cause?: unknown): TickcastError {
  return new TickcastError(code, `stored ONNX graph of ${dir} refused: ${why}; exporting it again`, { details: { dir }, ...(cause ? { cause } : {}) });
}

/**
 * The graph saved with the version in `dir`, verified: listed in model.json, exported by this
 * release from the weights `weightsSha256` names (the ones about to be served), of the listed
 * length and sha256. Null when none is listed (an older version directory). Throws
 * TC_MODEL_ARTIFACT_CORRUPT (missing, damaged or edited file) or _MISMATCH (other weights, another
 * release).
 */
export async function loadGraph(dir: string, weightsSha256: string): Promise<Uint8Array | null> {
  let m: RawManifest;
  try {
    m = await readRaw(dir);
  } catch (err) {
    throw refuse(dir, ErrorCodes.MODEL_ARTIFACT_CORRUPT, `${MANIFEST_FILE} cannot be read (${describeError(err)})`, err);
  }
  const e = m.onnx;
  if (e === undefined) return null;
  if (e === null || typeof e !== 'object' || e.file !== GRAPH_FILE || typeof e.sha256 !== 'string' || typeof e.byteLength !== 'number') throw refuse(dir, ErrorCodes.MODEL_ARTIFACT_CORRUPT, `its ${MANIFEST_FILE} entry is malformed`);
  if (e.exportedBy !== GRAPH_EXPORTER) throw refuse(dir, ErrorCodes.MODEL_ARTIFACT_MISMATCH, `exported by ${String(e.exportedBy)}, this is ${GRAPH_EXPORTER}`);
  if (e.weightsSha256 !== weightsSha256 || m.weights!.sha256 !== weightsSha256) throw refuse(dir, ErrorCodes.MODEL_ARTIFACT_MISMATCH, 'it was exported from other weights than the ones served');
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(path.join(dir, GRAPH_FILE));
  } catch (err) {
    throw refuse(dir, ErrorCodes.MODEL_ARTIFACT_CORRUPT, `${GRAPH_FILE} is missing or unreadable`, err);
  }
  if (bytes.byteLength !== e.byteLength || sha256(bytes) !== e.sha256) throw refuse(dir, ErrorCodes.MODEL_ARTIFACT_CORRUPT, `${GRAPH_FILE} does not match the length and sha256 in ${MANIFEST_FILE} (damaged or edited)`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The graphs saved with the versions of one model directory, as the engine builder uses them (../engine-builder.ts). */
export interface GraphStore {
  /** The verified graph saved with `version` for weights `weightsSha256`; null when none is saved or it is refused (logged once per version and reason). */
  load(version: string, weightsSha256: string | undefined): Promise<Uint8Array | null>;
  /** Save a graph that passed the parity check with `version`'s weights; a failure is logged, never thrown. */
  save(version: string, graph: Uint8Array): Promise<void>;
}

type GraphLog = (level: 'info' | 'warn', msg: string, fields: Record<string, unknown>) => void;

export function dirGraphs(modelDir: string, log: GraphLog): GraphStore {
  const told = new Set<string>();
  return {
    async load(version, weightsSha256) {
      if (weightsSha256 === undefined) return null;
      try {
        return await loadGraph(path.join(modelDir, version), weightsSha256);
      } catch (err) {
        const code = (err as TickcastError).code ?? 'error';
        if (told.size > 1_000) told.clear();
        if (!told.has(`${version} ${code}`)) log('warn', describeError(err), { version, code });
        told.add(`${version} ${code}`);
        return null;
      }
    },
    async save(version, graph) {
      try {
        await saveGraph(path.join(modelDir, version), graph);
      } catch (err) {
        log('warn', `the ONNX graph of ${version} could not be saved with it (${describeError(err)}); replicas following it export it themselves`, { version });
      }
    },
  };
}
