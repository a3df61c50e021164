/*
 * tickcast mock broker: a standalone Kafka-protocol broker for tests and development, built from
 * librdkafka's mock cluster (rdkafka_mock.h). It is NOT Kafka: see docs/local-broker.md for what
 * it does and does not implement. Real Kafka is what users run.
 *
 * Usage:
 *   mock-broker [--brokers N] [--topic name:partitions]... [--bootstrap-file PATH]
 *               [--die-with-parent] [--log-level 0..7] [--commands]
 *               [--group-initial-rebalance-delay-ms MS]
 *
 * Contract (relied on by test/helpers/broker.ts and scripts/broker/start.sh):
 *   - the FIRST line on stdout is the bootstrap list, e.g. "127.0.0.1:37125,127.0.0.1:40411";
 *     it is printed only after every --topic exists, so a reader can connect right away;
 *   - the same line is written atomically to --bootstrap-file (removed again on clean exit);
 *   - SIGTERM / SIGINT / SIGHUP: destroy the cluster and exit 0;
 *   - SIGUSR1: every broker goes down (connections closed, new ones refused; ports are kept);
 *   - SIGUSR2: every broker comes back up on the same ports;
 *   - --commands: one command per line on stdin, answered with one line on stderr beginning
 *     "mock-broker: command" and ending "ok" or the error. `partitions <topic> <count>` grows a topic
 *     to <count> partitions (a real cluster's `kafka-topics --alter --partitions`; the existing
 *     partitions keep their records and committed offsets; needs patch 2 of patch-librdkafka.mjs).
 *     End of stdin ends the command reader, not the broker;
 *   - diagnostics go to stderr only.
 *
 * Listener ports are chosen by the kernel: the mock API binds 127.0.0.1:0 and has no way to pick
 * the port (rd_kafka_mock_broker_set_host_port only changes the advertised address).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/prctl.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_TOPICS 256

/* Kafka protocol API key of LeaveGroup. */
#define APIKEY_LEAVE_GROUP 13

struct topic_spec {
        char *name;
        int partitions;
};

static void usage(FILE *out) {
        fprintf(out,
                "usage: mock-broker [--brokers N] [--topic name:partitions]... "
                "[--bootstrap-file PATH] [--die-with-parent] [--log-level 0..7] [--commands] "
                "[--group-initial-rebalance-delay-ms MS]\n");
}

static int parse_int(const char *s, int min, int max, int *out) {
        char *end;
        long v;
        errno = 0;
        v     = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                return -1;
        *out = (int)v;
        return 0;
}

/* Writes the bootstrap line to path via a temp file + rename, so readers never see half a line. */
static int write_bootstrap_file(const char *path, const char *bootstraps) {
        char tmp[4096];
        FILE *f;
        if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
                return -1;
        if (!(f = fopen(tmp, "w")))
                return -1;
        if (fprintf(f, "%s\n", bootstraps) < 0 || fclose(f) != 0) {
                unlink(tmp);
                return -1;
        }
        return rename(tmp, path);
}

/* --commands: reads stdin line by line until it ends (see the contract above). */
static void *command_reader(void *arg) {
        rd_kafka_mock_cluster_t *mc = arg;
        char line[1024], topic[512];
        int count;
        while (fgets(line, sizeof(line), stdin)) {
                rd_kafka_resp_err_t err;
                if (sscanf(line, "partitions %511s %d", topic, &count) != 2 || count < 1) {
                        fprintf(stderr, "mock-broker: command unknown: %s", line);
                        continue;
                }
                /* The mock's "create" of an existing topic grows it (patch-librdkafka.mjs, patch 2). */
                err = rd_kafka_mock_topic_create(mc, topic, count, 1);
                fprintf(stderr, "mock-broker: command partitions %s %d: %s\n", topic, count,
                        err ? rd_kafka_err2str(err) : "ok");
        }
        return NULL;
}

int main(int argc, char **argv) {
        struct topic_spec topics[MAX_TOPICS];
        int topic_cnt          = 0;
        int broker_cnt         = 1;
        int log_level          = 3; /* LOG_ERR: quiet unless something is wrong */
        int die_with_parent    = 0;
        int commands           = 0;
        int initial_delay_ms   = 0; /* real Kafka's group.initial.rebalance.delay.ms; 3000 there by default */
        pthread_t reader;
        const char *boot_file  = NULL;
        char errstr[512];
        char level_str[8];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mc;
        const char *bootstraps;
        sigset_t sigs;
        int i, exit_code = 0;

        for (i = 1; i < argc; i++) {
                const char *a   = argv[i];
                const char *val = i + 1 < argc ? argv[i + 1] : NULL;
                if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
                        usage(stdout);
                        return 0;
                } else if (!strcmp(a, "--die-with-parent")) {
                        die_with_parent = 1;
                } else if (!strcmp(a, "--commands")) {
                        commands = 1;
                } else if (!val) {
                        fprintf(stderr, "mock-broker: %s needs a value\n", a);
                        usage(stderr);
                        return 64;
                } else if (!strcmp(a, "--brokers")) {
                        if (parse_int(val, 1, 64, &broker_cnt)) {
                                fprintf(stderr, "mock-broker: --brokers must be 1..64; got \"%s\"\n", val);
                                return 64;
                        }
                        i++;
                } else if (!strcmp(a, "--log-level")) {
                        if (parse_int(val, 0, 7, &log_level)) {
                                fprintf(stderr, "mock-broker: --log-level must be 0..7; got \"%s\"\n", val);
                                return 64;
                        }
                        i++;
                } else if (!strcmp(a, "--group-initial-rebalance-delay-ms")) {
                        if (parse_int(val, 0, 300000, &initial_delay_ms)) {
                                fprintf(stderr,
                                        "mock-broker: --group-initial-rebalance-delay-ms must be 0..300000; got \"%s\"\n", val);
                                return 64;
                        }
                        i++;
                } else if (!strcmp(a, "--bootstrap-file")) {
                        boot_file = val;
                        i++;
                } else if (!strcmp(a, "--topic")) {
                        char *colon = strrchr(val, ':');
                        int parts   = 1;
                        if (topic_cnt >= MAX_TOPICS) {
                                fprintf(stderr, "mock-broker: at most %d --topic flags\n", MAX_TOPICS);
                                return 64;
                        }
                        if (colon && parse_int(colon + 1, 1, 10000, &parts)) {
                                fprintf(stderr,
                                        "mock-broker: --topic wants name:partitions with partitions 1..10000; "
                                        "got \"%s\"\n",
                                        val);
                                return 64;
                        }
                        topics[topic_cnt].name = colon ? strndup(val, (size_t)(colon - val)) : strdup(val);
                        topics[topic_cnt].partitions = parts;
                        if (!*topics[topic_cnt].name) {
                                fprintf(stderr, "mock-broker: --topic name must not be empty\n");
                                return 64;
                        }
                        topic_cnt++;
                        i++;
                } else {
                        fprintf(stderr, "mock-broker: unknown argument \"%s\"\n", a);
                        usage(stderr);
                        return 64;
                }
        }

        /* A test runner killed with SIGKILL cannot clean up its children: let the kernel do it. */
        if (die_with_parent) {
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() == 1)
                        return 0; /* parent already gone */
        }

        /* Block the control signals before librdkafka starts its threads (they inherit the mask),
         * so only the sigwaitinfo() loop below ever sees them. */
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        sigaddset(&sigs, SIGHUP);
        sigaddset(&sigs, SIGUSR1);
        sigaddset(&sigs, SIGUSR2);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);
        signal(SIGPIPE, SIG_IGN);

        conf = rd_kafka_conf_new();
        snprintf(level_str, sizeof(level_str), "%d", log_level);
        if (rd_kafka_conf_set(conf, "log_level", level_str, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(conf, "client.id", "tickcast-mock-broker", errstr, sizeof(errstr)) !=
                RD_KAFKA_CONF_OK) {
                fprintf(stderr, "mock-broker: config: %s\n", errstr);
                return 70;
        }
        /* The handle only hosts the mock cluster's thread; it never connects anywhere. */
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "mock-broker: rd_kafka_new failed: %s\n", errstr);
                return 70;
        }

        mc = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mc) {
                fprintf(stderr, "mock-broker: could not create the mock cluster (see log above)\n");
                rd_kafka_destroy(rk);
                return 70;
        }

        /* Broker ids start at 1 but the mock advertises controller id 0 by default: kafkajs looks
         * the controller up in the broker list and its idempotent producer (InitProducerId) fails. */
        rd_kafka_mock_set_controller_id(mc, 1);
        /* LeaveGroup is advertised v0-v4 but only v0-v2 are parsed: cap it so clients that pick the
         * highest common version (kafkajs) send a request the mock understands. */
        rd_kafka_mock_set_apiversion(mc, APIKEY_LEAVE_GROUP, 0, 2);
        /* The default 3 s group.initial.rebalance.delay.ms makes every fresh group slow to start: 0
         * unless asked (tests of members that join a brand-new group together, as on real Kafka). */
        rd_kafka_mock_group_initial_rebalance_delay_ms(mc, initial_delay_ms);

        for (i = 0; i < topic_cnt; i++) {
                rd_kafka_resp_err_t err =
                    rd_kafka_mock_topic_create(mc, topics[i].name, topics[i].partitions, broker_cnt < 3 ? broker_cnt : 3);
                if (err) {
                        fprintf(stderr, "mock-broker: could not create topic \"%s\": %s\n", topics[i].name,
                                rd_kafka_err2str(err));
                        exit_code = 70;
                        goto out;
                }
        }

        bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
        if (boot_file && write_bootstrap_file(boot_file, bootstraps) != 0) {
                fprintf(stderr, "mock-broker: could not write --bootstrap-file \"%s\": %s\n", boot_file,
                        strerror(errno));
                exit_code = 73;
                goto out;
        }
        if (commands && pthread_create(&reader, NULL, command_reader, mc) == 0)
                pthread_detach(reader);
        printf("%s\n", bootstraps);
        fflush(stdout);
        fprintf(stderr, "mock-broker: %d broker(s) at %s, %d topic(s) pre-created, pid %d\n", broker_cnt,
                bootstraps, topic_cnt, (int)getpid());

        for (;;) {
                siginfo_t info;
                int sig = sigwaitinfo(&sigs, &info);
                if (sig == -1) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "mock-broker: sigwaitinfo: %s\n", strerror(errno));
                        exit_code = 70;
                        break;
                }
                if (sig == SIGUSR1) {
                        rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_down(mc, -1);
                        fprintf(stderr, "mock-broker: all brokers DOWN%s%s\n", err ? ": " : "",
                                err ? rd_kafka_err2str(err) : "");
                } else if (sig == SIGUSR2) {
                        rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_up(mc, -1);
                        fprintf(stderr, "mock-broker: all brokers UP%s%s\n", err ? ": " : "",
                                err ? rd_kafka_err2str(err) : "");
                } else {
                        fprintf(stderr, "mock-broker: signal %d, shutting down\n", sig);
                        break;
                }
        }

out:
        if (boot_file && exit_code == 0)
                unlink(boot_file);
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        for (i = 0; i < topic_cnt; i++)
                free(topics[i].name);
        return exit_code;
}
