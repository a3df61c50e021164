/**
 * OpenTelemetry semantic-convention names tickcast uses. Stable ones come from
 * @opentelemetry/semantic-conventions; the messaging/Kafka ones are still "development" in the
 * spec and live only in the package's `incubating` entry point, which may change in minor
 * releases — so, as the package recommends, they are copied here (values of semconv 1.45 /
 * spec ≥ 1.27). test/unit/tracing/otel-conventions.test.ts compares every copy with the installed package,
 * so an upgrade that renames one fails a test instead of silently changing span attributes.
 */
export { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export const ATTR_MESSAGING_SYSTEM = 'messaging.system' as const;
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type' as const;
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name' as const;
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name' as const;
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id' as const;
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name' as const;
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count' as const;
export const ATTR_KAFKA_OFFSET = 'kafka.offset' as const;
export const MESSAGING_SYSTEM_VALUE_KAFKA = 'kafka' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_PROCESS = 'process' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_SEND = 'send' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_CREATE = 'create' as const;
