/**
 * The tools' input schemas as an agent's MCP client takes them (docs/http-api.md § Agent tools):
 * the SDK client lists them, a JSON Schema 2020-12 validator (the MCP spec's default dialect) and a
 * draft-07 one compile them, and for generated arguments the schema and the server agree: what the
 * schema refuses the server refuses as TC_HTTP_BAD_REQUEST; what it accepts the server refuses so
 * only when the arguments break "exactly one of window and series" — a rule the plain-object schema
 * states in its descriptions, not its keywords (since 7 Dec 2026; until then a top-level
 * `if`/`then`/`else` said it, which some agent clients drop) — and then with the message naming it.
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

test('forecast and explain_forecast: the SDK client lists their plain schemas; the server refuses all the schema refuses, and beyond it only calls that break "exactly one of window and series", saying so', async () => {
  const { app, serving } = await build({ apiKeys: [KEY] });
  for (let t = 0; t < 5; t++) serving.ingest('A', 1_000 + t, t);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'agent', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }));
  try {
    const { tools } = await client.listTools();
    for (const name of ['forecast', 'explain_forecast']) {
      const schema = tools.find((t) => t.name === name)?.inputSchema as Record<string, unknown>;
      assert.ok(schema !== undefined && schema.type === 'object' && !('if' in schema) && !('else' in schema), `${name} is listed as a plain object schema`);
      const drafts = [new Ajv({ strict: false }).compile(schema), new Ajv2020({ strict: false }).compile(schema)];
      const disagreements: string[] = [];
      let beyondSchema = 0;
      for (const args of FORECAST_ARGS) {
        const verdicts = drafts.map((v) => v(structuredClone(args)));
        assert.equal(verdicts[0], verdicts[1], `draft-07 and 2020-12 differ on ${JSON.stringify(args)}`);
        const given = ['window', 'series'].filter((k) => k in args).length;
        const ruleBroken = given !== 1;
        const r = await client.callTool({ name, arguments: structuredClone(args) });
        const error = r.isError === true ? (JSON.parse((r.content as { text: string }[])[0].text).error as { code: string; message: string }) : undefined;
        const refused = error?.code === 'TC_HTTP_BAD_REQUEST';
        const said = `${JSON.stringify(args)}: schema ${verdicts[0] ? 'accepts' : 'refuses'}, server ${refused ? `refuses (${error?.message})` : 'accepts'}`;
        if (!verdicts[0] && !refused) disagreements.push(said);
        if (verdicts[0] && refused !== ruleBroken) disagreements.push(said);
        if (verdicts[0] && ruleBroken) {
          beyondSchema++;
          if (error?.message !== `arguments needs exactly one of "window" or "series"; got ${given === 0 ? 'neither' : 'both'}`) disagreements.push(`${said}: not the rule's message`);
        }
      }
      assert.deepEqual(disagreements, [], name);
      assert.ok(beyondSchema > 0, 'calls the schema accepts and the rule refuses are exercised');
      assert.ok(FORECAST_ARGS.some((a) => drafts[0](structuredClone(a)) && ['window', 'series'].filter((k) => k in a).length === 1), 'calls both accept are exercised');
      assert.ok(FORECAST_ARGS.some((a) => !drafts[0](structuredClone(a))), 'calls the schema refuses are exercised');
    }
  } finally {
    await client.close();
    await app.close();
  }
});
