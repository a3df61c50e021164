/**
 * The tools' input schemas as an agent's MCP client takes them (docs/http-api.md § Agent tools):
 * the SDK client lists them (its ToolSchema takes a root `if`/`then`/`else` beside `type: object`),
 * a JSON Schema 2020-12 validator (the MCP spec's default dialect) and a draft-07 one compile them,
 * and for generated arguments the schema and the server agree each way: what the schema refuses
 * the server refuses as TC_HTTP_BAD_REQUEST, and what it accepts the server never refuses so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { build, KEY } from './support/build.ts';

/** Every combination of one value per field (`undefined`: the field left out). */
function combinations(fields: Record<string, unknown[]>): Record<string, unknown>[] {
  return Object.entries(fields).reduce<Record<string, unknown>[]>(
    (acc, [k, values]) => acc.flatMap((a) => values.map((v) => (v === undefined ? { ...a } : { ...a, [k]: v }))),
    [{}],
  );
}

const FORECAST_ARGS = combinations({
  window: [undefined, [1, 2, 3, 4], [], 'x'],
  series: [undefined, 'A', ''],
  horizon: [undefined, 2, 0],
  windows: [undefined, [1]],
});

test('forecast and explain_forecast: the SDK client lists their if/then/else schemas, and schema and server agree on every generated call', async () => {
  const { app, serving } = await build({ apiKeys: [KEY] });
  for (let t = 0; t < 5; t++) serving.ingest('A', 1_000 + t, t);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'agent', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }));
  try {
    const { tools } = await client.listTools();
    for (const name of ['forecast', 'explain_forecast']) {
      const schema = tools.find((t) => t.name === name)?.inputSchema as Record<string, unknown>;
      assert.ok(schema !== undefined && 'if' in schema && 'else' in schema, `${name} still carries its if/then/else`);
      const drafts = [new Ajv({ strict: false }).compile(schema), new Ajv2020({ strict: false }).compile(schema)];
      const disagreements: string[] = [];
      for (const args of FORECAST_ARGS) {
        const verdicts = drafts.map((v) => v(structuredClone(args)));
        assert.equal(verdicts[0], verdicts[1], `draft-07 and 2020-12 differ on ${JSON.stringify(args)}`);
        const r = await client.callTool({ name, arguments: structuredClone(args) });
        const refused = r.isError === true && JSON.parse((r.content as { text: string }[])[0].text).error.code === 'TC_HTTP_BAD_REQUEST';
        if (refused === verdicts[0]) disagreements.push(`${JSON.stringify(args)}: schema ${verdicts[0] ? 'accepts' : 'refuses'}, server ${refused ? 'refuses' : 'accepts'}`);
      }
      assert.deepEqual(disagreements, [], name);
      assert.ok(FORECAST_ARGS.some((a) => drafts[0](structuredClone(a))) && FORECAST_ARGS.some((a) => !drafts[0](structuredClone(a))), 'both verdicts are exercised');
    }
  } finally {
    await client.close();
    await app.close();
  }
});
