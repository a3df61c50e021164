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
// 2. Partitions added to a live topic (what `kafka-topics --alter --partitions` does on a real
//    cluster; the mock has no CreatePartitions). A topic "create" with more partitions than an
//    existing topic has grows it: the existing partitions keep their logs and committed offsets
//    (moved into the larger array, their list heads re-pointed), the new ones start empty. Clients
//    see the new count at their next metadata refresh, as with a real broker.
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
  {
    file: 'src/rdkafka_mock.c',
    find: 'rd_kafka_mock_topic_t *\nrd_kafka_mock_topic_find(const rd_kafka_mock_cluster_t *mcluster,\n',
    replace: [
      '/* tickcast patch: grow a topic to partition_cnt partitions (see patch-librdkafka.mjs). */',
      'static rd_kafka_resp_err_t rd_kafka_mock_topic_grow(rd_kafka_mock_topic_t *mtopic,',
      '                                                    int partition_cnt) {',
      '        rd_kafka_mock_partition_t *parts;',
      '        int i;',
      '        int rf = mtopic->partition_cnt > 0 ? mtopic->partitions[0].replica_cnt : 1;',
      '',
      '        if (partition_cnt <= mtopic->partition_cnt)',
      '                return RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;',
      '        parts = rd_calloc(partition_cnt, sizeof(*parts));',
      '        for (i = 0; i < mtopic->partition_cnt; i++) {',
      '                rd_kafka_mock_partition_t *from = &mtopic->partitions[i];',
      '                rd_kafka_mock_partition_t *to   = &parts[i];',
      '                *to = *from;',
      '                TAILQ_MOVE(&to->msgsets, &from->msgsets, link);',
      '                TAILQ_MOVE(&to->committed_offsets, &from->committed_offsets, link);',
      '                TAILQ_MOVE(&to->aborted_txns, &from->aborted_txns, link);',
      '                TAILQ_MOVE(&to->leader_responses, &from->leader_responses, link);',
      '                TAILQ_MOVE(&to->errstacks, &from->errstacks, link);',
      '        }',
      '        for (; i < partition_cnt; i++)',
      '                rd_kafka_mock_partition_init(mtopic, &parts[i], i, rf);',
      '        rd_free(mtopic->partitions);',
      '        mtopic->partitions    = parts;',
      '        mtopic->partition_cnt = partition_cnt;',
      '        return RD_KAFKA_RESP_ERR_NO_ERROR;',
      '}',
      '',
      'rd_kafka_mock_topic_t *',
      'rd_kafka_mock_topic_find(const rd_kafka_mock_cluster_t *mcluster,',
      '',
    ].join('\n'),
  },
  {
    file: 'src/rdkafka_mock.c',
    find:
      '        case RD_KAFKA_MOCK_CMD_TOPIC_CREATE:\n' +
      '                if (rd_kafka_mock_topic_find(mcluster, rko->rko_u.mock.name))\n' +
      '                        return RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;\n',
    replace:
      '        case RD_KAFKA_MOCK_CMD_TOPIC_CREATE:\n' +
      '                /* tickcast patch: more partitions than an existing topic has grows it. */\n' +
      '                if ((mtopic = rd_kafka_mock_topic_find(mcluster, rko->rko_u.mock.name)))\n' +
      '                        return rd_kafka_mock_topic_grow(mtopic, (int)rko->rko_u.mock.lo);\n',
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
