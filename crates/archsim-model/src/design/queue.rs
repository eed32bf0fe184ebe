//! The message-queue node: capacity, consumers, delivery and backpressure.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct QueueParams {
    /// Messages the queue holds; one more is rejected.
    pub capacity: u64,
    /// Messages delivered to the downstream at once.
    pub consumers: u32,
    /// Deliveries of one message before it goes to the dead-letter queue (or is dropped).
    pub max_deliveries: u32,
    /// Id of the node that receives messages that failed `max_deliveries` times. There must be
    /// an edge to it; it gets no ordinary deliveries.
    pub dead_letter: Option<String>,
    /// What a producer meets when the queue is full.
    pub backpressure: Backpressure,
    /// A partitioned topic (as Kafka's): messages go to the partition Kafka's default
    /// partitioner picks for their key (murmur2), each partition consumed in order by one of
    /// the `consumers`. Absent: one shared queue.
    pub partitions: Option<u32>,
    /// Consume as Amazon SQS: a received message is invisible this long, and received again
    /// (a duplicate if the first delivery succeeds after all) unless deleted in time; a failed
    /// delivery waits out the timeout. Absent: a consumer holds its message until its delivery
    /// ends, and a failed one goes back in line at once.
    pub visibility_timeout_ms: Option<f64>,
    /// Pub/sub: every message goes to every subscription — each ordinary outgoing edge is one
    /// (a consumer group with its own `consumers`, line and lag). false: the outgoing edges
    /// share the messages (competing consumers). Each group has the queue's consumption
    /// settings to itself: of a partitioned topic its own range assignment, committed offsets
    /// and lag per partition (Kafka consumer groups); with a visibility timeout its own SQS
    /// queue (SNS fanned out to SQS); with `consumer_scaling` its own scaling on its own lag.
    pub fan_out: bool,
    /// The consumers as a consumer group scaled on lag (as KEDA's Kafka and SQS scalers feed
    /// the HPA); `consumers` is then the replicas when the run starts. Absent: a fixed number
    /// of `consumers`. With `fan_out`, each subscription's group is scaled on its own.
    pub consumer_scaling: Option<crate::keda::ConsumerScaling>,
    /// The order in which consumers take waiting messages, and which messages are dropped
    /// instead of delivered: the services' disciplines (FIFO, LIFO, adaptive LIFO, CoDel on a
    /// message's time in the queue, priority by request class with the lowest class shed
    /// first). Only a plain shared queue (no partitions, visibility timeout or fan-out) takes
    /// one other than FIFO.
    pub queue_discipline: crate::discipline::QueueDiscipline,
}

/// What a full queue does to a producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Backpressure {
    /// Refuse the message: the producer's request fails with `queue_full`.
    #[default]
    Reject,
    /// Make the producer wait (its request is not answered) until a consumer takes a message
    /// and frees a place; producers wait in the order they came.
    Block,
}

impl Default for QueueParams {
    fn default() -> Self {
        QueueParams {
            capacity: 10_000,
            consumers: 4,
            max_deliveries: 3,
            dead_letter: None,
            backpressure: Backpressure::Reject,
            partitions: None,
            visibility_timeout_ms: None,
            fan_out: false,
            consumer_scaling: None,
            queue_discipline: crate::discipline::QueueDiscipline::Fifo,
        }
    }
}
