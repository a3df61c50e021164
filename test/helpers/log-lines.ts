/** Captures pino's JSON lines and finds keys a line repeats (JSON.parse keeps the last silently; Elasticsearch refuses the document). */
import { Writable } from 'node:stream';
import { parseDocument } from 'yaml';

export function captureLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  let rest = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      const parts = (rest + String(chunk)).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.trim() !== ''));
      cb();
    },
  });
  return { stream, lines };
}

/** The duplicate-key errors of one JSON line (YAML 1.2 is a superset of JSON and refuses repeated keys). */
export function repeatedKeys(line: string): string[] {
  return parseDocument(line).errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => e.message.split('\n')[0]);
}
