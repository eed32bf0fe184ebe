//! Amazon SQS's visibility timeout, for a queue with `visibility_timeout_ms`: a message a
//! consumer receives is invisible for the timeout. The consumer deletes it when its delivery
//! succeeds; if that has not happened when the timeout ends, the message is visible again and
//! the next free consumer receives it — even if the first is still working on it, which then
//! makes a *duplicate* (the message processed twice). A delivery that fails does not return
//! the message at once: it stays invisible until its timeout ends, as in SQS. Each receive
//! counts (`ApproximateReceiveCount`); a receive beyond `max_receives` (SQS's redrive policy
//! `maxReceiveCount`) moves the message to the dead-letter queue instead.
//!
//! This type keeps the per-message book-keeping; the queue node (`node::queue`) moves the jobs:
//! each receive is a job delivering the message, and a message visible again while an earlier
//! receive is still in flight needs a new job (a copy) in the wait line.

use std::collections::HashMap;

use crate::policy::hash::FixedState;
use crate::request::Request;
use crate::slab::Handle;

#[derive(Debug)]
struct MessageState {
    request: Request,
    /// Receives so far.
    receives: u32,
    /// A delivery succeeded: deleted (later successes are duplicates).
    processed: bool,
    /// Moved to the dead-letter queue.
    gone: bool,
    /// Waiting in the line to be received (not invisible).
    visible: bool,
    /// A job whose delivery failed, kept until the message is visible again.
    parked: Option<Handle>,
    /// Jobs of this message not finished yet.
    jobs: u32,
    /// The consumer group (the SQS queue of a fan-out's subscription) it belongs to.
    group: u32,
}

/// What a consumer's receive of a message does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Receive {
    /// Deliver it; the timeout's timer has this tag. `again`: not its first receive.
    Deliver { tag: u32, again: bool },
    /// Beyond `max_receives`: to the dead-letter queue.
    DeadLetter,
    /// Already deleted (or dead-lettered) while this copy waited: nothing to deliver.
    Deleted,
}

/// What the end of a receive's visibility timeout does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// Deleted, received again since, or already visible: nothing.
    Nothing,
    /// The job whose delivery failed goes back in line (the message has this id).
    Unpark(Handle, u32),
    /// The message (this id) goes back in line while its delivery is still in flight: a new
    /// job for it.
    Copy(Request, u32),
}

pub(crate) struct Visibility {
    max_receives: u32,
    messages: HashMap<u32, MessageState, FixedState>,
    next_id: u32,
    /// A timer tag → the message and the receive whose timeout it ends.
    timers: HashMap<u32, (u32, u32), FixedState>,
    next_tag: u32,
}

impl Visibility {
    pub fn new(max_receives: u32) -> Visibility {
        Visibility {
            max_receives: max_receives.max(1),
            messages: HashMap::default(),
            next_id: 0,
            timers: HashMap::default(),
            next_tag: 0,
        }
    }

    /// A message enters group `group`'s queue (one job); returns its id.
    pub fn enqueue(&mut self, request: Request, group: u32) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.messages.insert(
            id,
            MessageState {
                request,
                receives: 0,
                processed: false,
                gone: false,
                visible: true,
                parked: None,
                jobs: 1,
                group,
            },
        );
        id
    }

    /// Messages in group `group`'s queue: neither deleted nor dead-lettered, visible or not
    /// (SQS's `ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible`).
    pub fn live_messages(&self, group: u32) -> u64 {
        self.messages
            .values()
            .filter(|m| m.group == group && !m.processed && !m.gone)
            .count() as u64
    }

    /// The group message `id` belongs to (0 once forgotten).
    pub fn group_of(&self, id: u32) -> u32 {
        self.messages.get(&id).map_or(0, |m| m.group)
    }

    /// A consumer takes a job of message `id` from the line.
    pub fn receive(&mut self, id: u32) -> Receive {
        let Some(m) = self.messages.get_mut(&id) else {
            return Receive::Deleted;
        };
        if m.processed || m.gone {
            return Receive::Deleted;
        }
        m.visible = false;
        m.receives += 1;
        if m.receives > self.max_receives {
            m.gone = true;
            return Receive::DeadLetter;
        }
        let tag = self.next_tag;
        self.next_tag = self.next_tag.wrapping_add(1);
        self.timers.insert(tag, (id, m.receives));
        Receive::Deliver {
            tag,
            again: m.receives > 1,
        }
    }

    /// The visibility timeout of timer `tag` ended.
    pub fn expired(&mut self, tag: u32) -> Expiry {
        let Some((id, receive)) = self.timers.remove(&tag) else {
            return Expiry::Nothing;
        };
        let Some(m) = self.messages.get_mut(&id) else {
            return Expiry::Nothing;
        };
        if m.processed || m.gone || m.visible || m.receives != receive {
            return Expiry::Nothing;
        }
        m.visible = true;
        match m.parked.take() {
            Some(job) => Expiry::Unpark(job, id),
            None => {
                m.jobs += 1;
                Expiry::Copy(m.request, id)
            }
        }
    }

    /// A delivery of message `id` succeeded. Returns whether it was a duplicate, and a parked
    /// job of the message to finish (it is deleted now).
    pub fn succeeded(&mut self, id: u32) -> (bool, Option<Handle>) {
        let Some(m) = self.messages.get_mut(&id) else {
            return (false, None);
        };
        let duplicate = m.processed;
        m.processed = true;
        (duplicate, m.parked.take())
    }

    /// A delivery of message `id` by `job` failed: whether to keep the job until the message
    /// is visible again (else the job is over; the message lives on in another job).
    pub fn failed(&mut self, id: u32, job: Handle) -> bool {
        let Some(m) = self.messages.get_mut(&id) else {
            return false;
        };
        if m.processed || m.gone || m.visible || m.parked.is_some() {
            return false;
        }
        m.parked = Some(job);
        true
    }

    /// A job of message `id` is over; the message is forgotten with its last job.
    pub fn job_ended(&mut self, id: u32) {
        if let Some(m) = self.messages.get_mut(&id) {
            m.jobs = m.jobs.saturating_sub(1);
            if m.jobs == 0 {
                self.messages.remove(&id);
            }
        }
    }

    /// The queue crashed: every message is lost.
    pub fn clear(&mut self) {
        self.messages.clear();
        self.timers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request {
        Request {
            key: 1,
            class: 0,
            write: false,
            deadline: crate::request::NO_DEADLINE,
            source: 0,
            user: 0,
        }
    }

    fn tag(receive: Receive) -> u32 {
        match receive {
            Receive::Deliver { tag, .. } => tag,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_message_deleted_in_time_is_received_once() {
        let mut v = Visibility::new(3);
        let id = v.enqueue(request(), 0);
        let t = tag(v.receive(id));
        assert_eq!(v.succeeded(id), (false, None));
        assert_eq!(v.expired(t), Expiry::Nothing);
        v.job_ended(id);
        assert!(v.messages.is_empty(), "forgotten with its last job");
    }

    #[test]
    fn a_slow_consumer_makes_the_message_visible_again_and_a_duplicate() {
        let mut v = Visibility::new(10);
        let id = v.enqueue(request(), 0);
        let first = tag(v.receive(id));
        // Still processing when the timeout ends: a copy goes back in line.
        assert_eq!(v.expired(first), Expiry::Copy(request(), id));
        assert_eq!(
            v.receive(id),
            Receive::Deliver {
                tag: 1,
                again: true
            }
        );
        // The first consumer finishes: deleted. The second finishes too: a duplicate.
        assert_eq!(v.succeeded(id), (false, None));
        assert_eq!(v.succeeded(id), (true, None));
        assert_eq!(v.expired(1), Expiry::Nothing, "deleted before its timeout");
        v.job_ended(id);
        v.job_ended(id);
        assert!(v.messages.is_empty());
    }

    #[test]
    fn a_failed_delivery_waits_out_the_timeout_before_it_is_received_again() {
        let mut v = Visibility::new(10);
        let id = v.enqueue(request(), 0);
        let t = tag(v.receive(id));
        let job = Handle::NONE;
        assert!(v.failed(id, job), "kept invisible, not back in line");
        assert_eq!(v.expired(t), Expiry::Unpark(job, id));
        assert!(matches!(
            v.receive(id),
            Receive::Deliver { again: true, .. }
        ));
    }

    #[test]
    fn a_receive_beyond_max_receives_goes_to_the_dead_letter_queue() {
        let mut v = Visibility::new(2);
        let id = v.enqueue(request(), 0);
        for _ in 0..2 {
            let t = tag(v.receive(id));
            assert!(v.failed(id, Handle::NONE));
            assert_eq!(v.expired(t), Expiry::Unpark(Handle::NONE, id));
        }
        assert_eq!(v.receive(id), Receive::DeadLetter);
        assert_eq!(v.receive(id), Receive::Deleted);
    }

    #[test]
    fn each_groups_queue_counts_only_its_own_messages() {
        // SNS fanned out to two SQS queues: a copy per queue, each its own message.
        let mut v = Visibility::new(10);
        let a = v.enqueue(request(), 0);
        let b = v.enqueue(request(), 1);
        let c = v.enqueue(request(), 1);
        assert_eq!((v.group_of(a), v.group_of(b), v.group_of(c)), (0, 1, 1));
        assert_eq!((v.live_messages(0), v.live_messages(1)), (1, 2));
        // Queue 1 deletes one of its messages: queue 0's count does not move.
        tag(v.receive(b));
        v.succeeded(b);
        assert_eq!((v.live_messages(0), v.live_messages(1)), (1, 1));
    }

    #[test]
    fn a_copy_received_after_the_message_was_deleted_delivers_nothing() {
        let mut v = Visibility::new(10);
        let id = v.enqueue(request(), 0);
        let t = tag(v.receive(id));
        assert_eq!(v.expired(t), Expiry::Copy(request(), id));
        // The first delivery succeeds while the copy waits in line.
        assert_eq!(v.succeeded(id), (false, None));
        assert_eq!(v.receive(id), Receive::Deleted);
    }
}
