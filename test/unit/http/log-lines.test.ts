import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildHttpServer } from '../../../src/adapters/http/server.ts';
import { captureLines, repeatedKeys } from '../../helpers/log-lines.ts';
import { TrendServing } from './support/trend-serving.ts';

class FailingServing extends TrendServing {
  override async forecast(): Promise<never> {
    throw new Error('model exploded');
  }
}

test('HTTP and MCP log lines name their module once (a repeated JSON key is refused by Elasticsearch)', async () => {
  const { stream, lines } = captureLines();
  const app = await buildHttpServer({ serving: new FailingServing(), registry: new Registry(), logger: pino({ level: 'info' }, stream), config: { loadShedding: { enabled: false } } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'tickcast-test', version: '0.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
    const res = await client.callTool({ name: 'forecast', arguments: { window: [1, 2, 3, 4] } });
    assert.equal(res.isError, true);
  } finally {
    await client.close();
    await app.close();
  }
  const listening = lines.find((l) => l.includes('Server listening'));
  const failed = lines.find((l) => l.includes('tool failed'));
  assert.ok(listening && failed, lines.join('\n'));
  for (const l of lines) assert.deepEqual(repeatedKeys(l), [], l);
  assert.equal(JSON.parse(listening).module, 'http');
  assert.equal(JSON.parse(failed).module, 'mcp');
});
