// Patches the vendored librdkafka mock cluster before it is built (run by build.sh with the
// librdkafka source dir as argument). Each patch names the exact text it replaces and fails the
// build if that text is missing, so a librdkafka upgrade cannot silently drop a fix.
//
// 1. Lost wake-up in the mock cluster thread (rdkafka_mock.c): the thread polls its fds with a
//    timeout of up to 1 s, then serves its op queue, then drains the wake-up pipe. An op enqueued
//    while a previous op's callback runs writes its wake-up byte before the drain, which then eats
//    it; the op waits for the 1 s poll timeout. Seen as 1 s stalls in ~15% of startups (topic
//    creation) and would delay SIGUSR1/SIGUSR2 outages by up to 1 s. Fix: don't block in poll()
//    while ops are queued.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node patch-librdkafka.mjs <librdkafka source dir>');

const patches = [
  {
    file: 'src/rdkafka_mock.c',
    find: '        r = rd_socket_poll(mcluster->fds, mcluster->fd_cnt, timeout_ms);\n',
    replace:
      '        /* tickcast patch: ops queued whose wake-up byte was already drained\n' +
      '         * must not wait for the poll timeout. */\n' +
      '        if (rd_kafka_q_len(mcluster->ops) > 0)\n' +
      '                timeout_ms = 0;\n' +
      '        r = rd_socket_poll(mcluster->fds, mcluster->fd_cnt, timeout_ms);\n',
  },
];

for (const p of patches) {
  const path = join(dir, p.file);
  const src = readFileSync(path, 'utf8');
  if (src.includes(p.replace)) continue; // already applied
  const n = src.split(p.find).length - 1;
  if (n !== 1) {
    console.error(`patch-librdkafka: expected the anchor exactly once in ${p.file}, found ${n}; update scripts/broker/patch-librdkafka.mjs for this librdkafka version`);
    process.exit(1);
  }
  writeFileSync(path, src.replace(p.find, p.replace));
  console.error(`patch-librdkafka: patched ${p.file}`);
}
