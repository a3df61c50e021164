/** Sockets that hold a request open across the start of close(), for tests of the closing refusal. */
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** A socket that has sent part of a request's head: it is not idle, so close() leaves it open. */
export async function halfSent(port: number, head: string): Promise<{ sock: Socket; answer: Promise<string> }> {
  const sock = connect({ host: '127.0.0.1', port });
  await new Promise((r) => sock.once('connect', r));
  let out = '';
  sock.on('data', (d) => (out += String(d)));
  const answer = new Promise<string>((resolve) => sock.on('close', () => resolve(out)));
  sock.write(head);
  return { sock, answer };
}

/** Resolves once close() has begun: preClose hooks ran and the server stopped listening. */
export async function closeBegun(app: FastifyInstance): Promise<void> {
  while (app.server.listening) await new Promise((r) => setImmediate(r));
}
