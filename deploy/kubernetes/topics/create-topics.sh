#!/bin/sh
# Create Madoguchi's topics, or reconcile their settings if they exist.
# Idempotent: safe on every deploy. Used by deploy/compose.yaml (service kafka-topics)
# and by the Kubernetes Job in this directory. Runs in the apache/kafka image.
#
# Environment:
#   KAFKA_BOOTSTRAP_SERVERS     host:port[,host:port]           (required)
#   MADOGUCHI_TOPICS            space-separated topic names     (default: all six below)
#   TOPIC_PARTITIONS            partitions for new topics       (default 6)
#   TOPIC_REPLICATION_FACTOR    must not exceed the broker count (default 1)
#   TOPIC_MIN_INSYNC_REPLICAS   RF 3 -> 2; RF 1 -> 1            (default 1)
#   KAFKA_COMMAND_CONFIG        optional client properties file (TLS/SASL)
#
# Topics: madoguchi.intake.inquiries.v1, madoguchi.intake.contact-attempts.v1 (intake),
# madoguchi.sla.signals.v1, madoguchi.sla.agreements.v1 (SLA monitor),
# madoguchi.supplier.engagements.v1, madoguchi.supplier.registry.v1 (supplier service),
# madoguchi.projections.dead-letters.v1 (messages the projections could not use).
# They keep every event forever (retention.ms=-1, retention.bytes=-1): consumers are
# rebuilt by replaying them from offset 0. Partitions are never changed here: adding
# partitions moves keys (inquiry, alert, agreement and supplier ids) to other partitions
# and breaks the per-key order consumers rely on.
set -eu

: "${KAFKA_BOOTSTRAP_SERVERS:?KAFKA_BOOTSTRAP_SERVERS is required}"
TOPICS=${MADOGUCHI_TOPICS:-"madoguchi.intake.inquiries.v1 madoguchi.intake.contact-attempts.v1 madoguchi.sla.signals.v1 madoguchi.sla.agreements.v1 madoguchi.supplier.engagements.v1 madoguchi.supplier.registry.v1 madoguchi.projections.dead-letters.v1"}
PARTITIONS=${TOPIC_PARTITIONS:-6}
RF=${TOPIC_REPLICATION_FACTOR:-1}
MIN_ISR=${TOPIC_MIN_INSYNC_REPLICAS:-1}
BIN=${KAFKA_BIN:-/opt/kafka/bin}
# Keep the tool JVMs small and their logs out of the (possibly read-only) install dir.
export KAFKA_HEAP_OPTS="${KAFKA_TOOLS_HEAP_OPTS:--Xmx256m}"
export LOG_DIR="${LOG_DIR:-/tmp/kafka-logs}"

set -- --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS"
if [ -n "${KAFKA_COMMAND_CONFIG:-}" ]; then
  set -- "$@" --command-config "$KAFKA_COMMAND_CONFIG"
fi

echo "waiting for Kafka at $KAFKA_BOOTSTRAP_SERVERS"
tries=0
until "$BIN/kafka-topics.sh" "$@" --list >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "Kafka not reachable after $tries attempts" >&2
    exit 1
  fi
  sleep 5
done

status=0
for topic in $TOPICS; do
  "$BIN/kafka-topics.sh" "$@" --create --if-not-exists --topic "$topic" \
    --partitions "$PARTITIONS" --replication-factor "$RF" \
    --config cleanup.policy=delete \
    --config retention.ms=-1 \
    --config retention.bytes=-1 \
    --config min.insync.replicas="$MIN_ISR"
  # Existing topics: enforce the settings above (a no-op when already set).
  "$BIN/kafka-configs.sh" "$@" --alter --entity-type topics --entity-name "$topic" \
    --add-config "cleanup.policy=delete,retention.ms=-1,retention.bytes=-1,min.insync.replicas=$MIN_ISR"

  description=$("$BIN/kafka-topics.sh" "$@" --describe --topic "$topic")
  actual_partitions=$(printf '%s\n' "$description" \
    | sed -n 's/.*PartitionCount: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
  actual_rf=$(printf '%s\n' "$description" \
    | sed -n 's/.*ReplicationFactor: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
  echo "$topic: partitions=$actual_partitions replication-factor=$actual_rf"
  if [ "$actual_partitions" != "$PARTITIONS" ]; then
    echo "WARNING: $topic has $actual_partitions partitions, expected $PARTITIONS (left unchanged)" >&2
  fi
  if [ "$actual_rf" != "$RF" ]; then
    echo "ERROR: $topic has replication factor $actual_rf, expected $RF" >&2
    status=1
  fi
done
exit "$status"
