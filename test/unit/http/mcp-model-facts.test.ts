/**
 * An agent reads tools/list and calls forecast right the first time: the forecast tools' argument
 * descriptions state the serving model's window length, features and horizon. Until 7 Dec 2026
 * they said only "at most 4096 time steps" and "default: the model horizon", their example window
 * held 3 values, and a call following it was TC_MODEL_INPUT_SHAPE "the model needs at least 64".
 * Through the real model (SMALL_SPEC: window 32, horizon 4) over a listening server and the SDK client.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { build } from './support/build.ts';
import { createModelServing, SMALL_SPEC, type ModelServing } from './support/model-serving.ts';

let ms: ModelServing;
let built: Awaited<ReturnType<typeof build>>;
let client: Client;
before(async () => {
  ms = await createModelServing();
  built = await build({ rateLimit: { enabled: false } }, ms.serving);
  const base = await built.app.listen({ host: '127.0.0.1', port: 0 });
  client = new Client({ name: 'agent', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
});
after(async () => {
  await client.close();
  await built.app.close();
  await ms.close();
});

type Props = Record<string, { description: string }>;
const textOf = (r: Record<string, unknown>) => (r.content as { text: string }[])[0].text;
const numbers = (n: number) => Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 3));

test('tools/list states the serving model window and horizon; a call with the stated window length succeeds, one step fewer is refused', async () => {
  const { tools } = await client.listTools();
  for (const name of ['forecast', 'explain_forecast']) {
    const props = tools.find((t) => t.name === name)!.inputSchema.properties as Props;
    assert.match(props.window.description, new RegExp(`at least its last ${SMALL_SPEC.window} steps: send ${SMALL_SPEC.window} or more numbers`), name);
    assert.match(props.horizon.description, new RegExp(`1 to ${SMALL_SPEC.horizon} \\(the model's horizon`), name);
  }
  // What the description says is enough is enough, and less is what the model refuses.
  const ok = await client.callTool({ name: 'forecast', arguments: { window: numbers(SMALL_SPEC.window), horizon: SMALL_SPEC.horizon } });
  assert.equal(ok.isError, undefined, textOf(ok));
  const short = await client.callTool({ name: 'forecast', arguments: { window: numbers(SMALL_SPEC.window - 1) } });
  assert.equal(JSON.parse(textOf(short)).error.code, 'TC_MODEL_INPUT_SHAPE');
  const over = await client.callTool({ name: 'forecast', arguments: { window: numbers(SMALL_SPEC.window), horizon: SMALL_SPEC.horizon + 1 } });
  assert.equal(over.isError, true);
});

test('GET /v1/tools states the same model facts as tools/list (one definition, both built per request)', async () => {
  const { tools } = await client.listTools();
  const rest = (await built.app.inject({ url: '/v1/tools' })).json() as { tools: { function: { name: string; parameters: unknown } }[] };
  for (const t of tools) assert.deepEqual(rest.tools.find((r) => r.function.name === t.name)!.function.parameters, t.inputSchema, t.name);
});

test('a model with several features: the window description names them in order and asks for rows', async () => {
  const spec = { ...SMALL_SPEC, features: ['price', 'volume'], targets: ['price'] };
  const two = await createModelServing({ spec });
  const b = await build({ rateLimit: { enabled: false } }, two.serving);
  try {
    const rest = (await b.app.inject({ url: '/v1/tools' })).json() as { tools: { function: { name: string; parameters: { properties: Props } } }[] };
    const window = rest.tools.find((r) => r.function.name === 'forecast')!.function.parameters.properties.window.description;
    assert.match(window, /send 32 or more rows of 2 values, one per feature in the order price, volume \(number\[\]\[\]\)/);
  } finally {
    await b.app.close();
    await two.close();
  }
});
