//! Worker stations: a node's workers and the wait queue in front of them, served by the
//! node's queue discipline. Every way a job gets a worker, waits for one, is shed or dropped
//! from the line, or gives its worker back goes through here, so the busy and queue levels the
//! recorder integrates change in one place.

use archsim_model::design::QueueDiscipline;

use super::{Core, JobState};
use crate::metrics::{Outcome, node_area};
use crate::policy::queue_discipline::codel::{CoDel, Taken};
use crate::policy::queue_discipline::{Entry, WaitQueue, codel_of};
use crate::request::Job;
use crate::slab::Handle;
use crate::time::SimTime;

/// A job that has just been given a worker (it is serving) and must begin its work (see the
/// module note).
pub(crate) type Grant = Option<Handle>;

/// What a station did with a job it was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// A worker took it: its work begins now.
    Working,
    /// It waits for a worker.
    Queued,
    /// The wait queue is full: the job has been finished with `QueueFull`.
    Rejected,
}

/// Workers and a wait queue served by a discipline (FIFO unless the design says otherwise).
#[derive(Debug, Clone)]
pub(crate) struct Station {
    pub workers: u32,
    /// Workers taken away by a worker-cut fault: no new work starts on them.
    pub cut: u32,
    pub busy: u32,
    pub capacity: u64,
    /// Live jobs in `queue` (cancelled ones are skipped when reached).
    pub waiting: u64,
    pub queue: WaitQueue,
    /// CoDel's state, when the discipline drops by CoDel.
    pub codel: Option<CoDel>,
    /// Integral over time of `busy`, ns, up to `settled_at` (an autoscaler's per-instance
    /// utilisation is its growth over a window).
    pub busy_area: u128,
    /// Integral over time of `busy + waiting` (requests the station holds), ns.
    pub held_area: u128,
    pub settled_at: SimTime,
}

impl Station {
    /// Workers new work may start on (all but those a worker cut took).
    #[inline]
    pub fn usable(&self) -> u32 {
        self.workers.saturating_sub(self.cut)
    }

    pub fn new(workers: u32, capacity: u64) -> Station {
        Station {
            workers: workers.max(1),
            cut: 0,
            busy: 0,
            capacity,
            waiting: 0,
            queue: WaitQueue::fifo(),
            codel: None,
            busy_area: 0,
            held_area: 0,
            settled_at: 0,
        }
    }

    /// Brings the integrals up to `now`; called before `busy` or `waiting` changes.
    #[inline]
    pub fn settle(&mut self, now: SimTime) {
        let dt = now.saturating_sub(self.settled_at) as u128;
        self.busy_area += self.busy as u128 * dt;
        self.held_area += (self.busy as u128 + self.waiting as u128) * dt;
        self.settled_at = now;
    }

    /// `(busy_area, held_area)` as of `now` (not before the last change).
    pub fn areas_at(&self, now: SimTime) -> (u128, u128) {
        let dt = now.saturating_sub(self.settled_at) as u128;
        (
            self.busy_area + self.busy as u128 * dt,
            self.held_area + (self.busy as u128 + self.waiting as u128) * dt,
        )
    }

    /// A station whose queue follows `discipline` (`class_names`: the design's request
    /// classes by index, for priority).
    pub fn with_discipline(
        workers: u32,
        capacity: u64,
        discipline: &QueueDiscipline,
        class_names: &[String],
    ) -> Station {
        Station {
            queue: WaitQueue::of(discipline, class_names),
            codel: codel_of(discipline),
            ..Station::new(workers, capacity)
        }
    }
}

impl Core {
    /// Hands the job to a worker of `station`, queues it, or rejects it (queue full).
    #[inline]
    pub fn station_admit(&mut self, handle: Handle, station: u32) -> Admission {
        let admission = self.take_place(handle, station);
        if admission == Admission::Rejected {
            // Not holding a worker: no grant.
            let _ = self.finish(handle, Outcome::QueueFull, true);
        }
        admission
    }

    /// The one admission routine of a station, for requests and health probes alike: a free
    /// usable worker takes the job (`Working`), else it waits if there is room (a full
    /// priority queue sheds the newest waiting job of a lower class to make room), else
    /// `Rejected` and the caller decides how it fails.
    #[inline]
    pub fn take_place(&mut self, handle: Handle, station: u32) -> Admission {
        let now = self.now;
        let n = self.node_of(handle);
        let areas = self.nodes[n].areas;
        let class = self.jobs.get(handle).expect("live job").request.class;
        let st = &mut self.nodes[n].stations[station as usize];
        st.settle(now);
        let rank = st.queue.rank_of(class);
        if st.busy < st.usable() {
            st.busy += 1;
            if let Some(codel) = &mut st.codel {
                codel.served_without_waiting();
            }
            self.recorder.change_level(areas + node_area::BUSY, now, 1);
            let job = self.jobs.get_mut(handle).expect("live job");
            job.station = station;
            job.holds_worker = true;
            job.state = JobState::Serving;
            Admission::Working
        } else if st.waiting < st.capacity {
            st.waiting += 1;
            self.recorder.change_level(areas + node_area::QUEUE, now, 1);
            self.line_up(handle, n, station, rank);
            Admission::Queued
        } else if let Some(victim) = self.lower_class_waiting(n, station, rank) {
            // A full priority queue: the newcomer takes the place of the newest request of the
            // lowest class waiting, which is shed (the victim still counts as waiting until
            // dropped, so the count and the queue's level stay as they are).
            self.line_up(handle, n, station, rank);
            self.drop_from_queue(victim, Outcome::ShedPriority);
            Admission::Queued
        } else {
            Admission::Rejected
        }
    }

    /// Under priority: whether a live job of a lower class than `handle`'s waits at `station`
    /// of `node` (one that `take_place` would shed to make room for it).
    pub fn lower_class_is_waiting(&self, node: u32, station: u32, handle: Handle) -> bool {
        let Some(job) = self.jobs.get(handle) else {
            return false;
        };
        let st = &self.nodes[node as usize].stations[station as usize];
        let rank = st.queue.rank_of(job.request.class);
        st.queue.any_below(rank, |entry| {
            self.jobs
                .get(entry.job)
                .is_some_and(|j| j.state == JobState::Queued)
        })
    }

    /// Under priority: a live waiting job of a lower rank than `rank` (the newest of the
    /// lowest rank), taken out of the queue but still counted as waiting.
    fn lower_class_waiting(&mut self, n: usize, station: u32, rank: u16) -> Option<Handle> {
        let Core { nodes, jobs, .. } = self;
        let st = &mut nodes[n].stations[station as usize];
        loop {
            let entry = st.queue.pop_lowest_below(rank)?;
            match jobs.get(entry.job).map(|j| j.state) {
                Some(JobState::Queued) => return Some(entry.job),
                Some(_) => {
                    // Cancelled while waiting: its slot was kept for this moment.
                    jobs.remove(entry.job);
                }
                None => {}
            }
        }
    }

    /// A job just taken out of its wait queue (still counted as waiting) fails with `outcome`
    /// without being served: shed, or dropped by CoDel.
    fn drop_from_queue(&mut self, handle: Handle, outcome: Outcome) {
        let now = self.now;
        let Some(job) = self.jobs.get_mut(handle) else {
            return;
        };
        let (n, station) = (job.node as usize, job.station as usize);
        // Out of the queue and holding no worker: finishing removes it outright.
        job.state = JobState::Serving;
        job.holds_worker = false;
        let areas = self.nodes[n].areas;
        self.nodes[n].stations[station].settle(now);
        self.nodes[n].stations[station].waiting -= 1;
        self.recorder
            .change_level(areas + node_area::QUEUE, now, -1);
        if self.jobs.get(handle).is_some_and(Job::is_probe) {
            // A probe dropped by CoDel or shed: the backend refused it (no worker: no grant).
            let _ = self.answer_probe(handle, false);
            return;
        }
        let _ = self.finish(handle, outcome, true);
    }

    /// Puts a job at the tail of `station`'s wait queue without asking for a worker (a held
    /// message, a redelivery); it must already count against the capacity or fit in it.
    pub fn enqueue(&mut self, handle: Handle, station: u32) {
        let now = self.now;
        let n = self.node_of(handle);
        let areas = self.nodes[n].areas;
        let class = self.jobs.get(handle).expect("live job").request.class;
        let st = &mut self.nodes[n].stations[station as usize];
        st.settle(now);
        let rank = st.queue.rank_of(class);
        st.waiting += 1;
        self.recorder.change_level(areas + node_area::QUEUE, now, 1);
        self.line_up(handle, n, station, rank);
    }

    /// Puts `handle` at the tail of its `rank` in `station`'s wait queue, as of now, and marks
    /// it waiting there. Counting it as waiting is the caller's part: a job taking the place of
    /// a shed one takes its count too.
    #[inline]
    fn line_up(&mut self, handle: Handle, n: usize, station: u32, rank: u16) {
        self.nodes[n].stations[station as usize].queue.push(Entry {
            job: handle,
            since: self.now,
            rank,
        });
        let job = self.jobs.get_mut(handle).expect("live job");
        job.station = station;
        job.state = JobState::Queued;
    }

    /// Takes every live job out of `station`'s wait queue, in the order the discipline would
    /// serve them (a scaled consumer group's rebalance moves them to another line); cancelled
    /// entries met on the way are dropped.
    pub fn take_waiting(&mut self, node: u32, station: u32) -> Vec<Handle> {
        let now = self.now;
        let n = node as usize;
        let areas = self.nodes[n].areas;
        let mut taken = Vec::new();
        let Core { nodes, jobs, .. } = self;
        let st = &mut nodes[n].stations[station as usize];
        st.settle(now);
        while st.waiting > 0 {
            let Some(entry) = st.queue.pop(st.waiting) else {
                break;
            };
            match jobs.get(entry.job).map(|j| j.state) {
                Some(JobState::Queued) => {
                    st.waiting -= 1;
                    taken.push(entry.job);
                }
                Some(_) => {
                    jobs.remove(entry.job);
                }
                None => {}
            }
        }
        self.recorder
            .change_level(areas + node_area::QUEUE, now, -(taken.len() as i32));
        taken
    }

    /// Sets `station`'s workers (a scaled consumer group's consumers): fewer finish what they
    /// hold and take nothing new; the caller gives any new ones work (`grant_waiting`).
    pub fn set_workers(&mut self, node: u32, station: u32, workers: u32) {
        let now = self.now;
        let st = &mut self.nodes[node as usize].stations[station as usize];
        st.settle(now);
        st.workers = workers;
    }

    /// A worker of `station` is free: it takes the next live job in the queue, if any, which
    /// is returned so its work begins.
    pub fn release_worker(&mut self, node: u32, station: u32) -> Grant {
        let now = self.now;
        let n = node as usize;
        let areas = self.nodes[n].areas;
        let crashed = self.nodes[n].fault.crashed;
        let st = &mut self.nodes[n].stations[station as usize];
        st.settle(now);
        st.busy = st.busy.saturating_sub(1);
        self.recorder.change_level(areas + node_area::BUSY, now, -1);
        if crashed {
            return None;
        }
        self.grant_waiting(node, station)
    }

    /// If `station` has a usable worker free, the next live job in its queue takes it and is
    /// returned so its work begins (after a release, or when a worker cut ends).
    pub fn grant_waiting(&mut self, node: u32, station: u32) -> Grant {
        let now = self.now;
        let n = node as usize;
        let areas = self.nodes[n].areas;
        let st = &self.nodes[n].stations[station as usize];
        if st.busy >= st.usable() {
            return None;
        }
        let next = self.next_waiting(n, station as usize)?;
        let st = &mut self.nodes[n].stations[station as usize];
        st.waiting -= 1;
        st.busy += 1;
        self.recorder
            .change_level(areas + node_area::QUEUE, now, -1);
        self.recorder.change_level(areas + node_area::BUSY, now, 1);
        let job = self.jobs.get_mut(next).expect("live");
        job.holds_worker = true;
        job.state = JobState::Serving;
        if job.is_probe() {
            // A health probe's turn: the core answers it (no kind sees probes).
            self.serve_probe(next);
            return None;
        }
        Some(next)
    }

    /// The next live job the station's discipline gives a free worker, taken out of the queue
    /// (still counted as waiting); the ones CoDel drops on the way are finished here.
    fn next_waiting(&mut self, n: usize, station: usize) -> Option<Handle> {
        let now = self.now;
        let mut dropped: Vec<Handle> = Vec::new();
        let mut expired: Vec<Handle> = Vec::new();
        let next = {
            let Core { nodes, jobs, .. } = self;
            let Station {
                queue,
                waiting,
                codel,
                ..
            } = &mut nodes[n].stations[station];
            // Live waiting jobs not yet taken in this call (taken ones are still counted in
            // `waiting` until the caller or `drop_from_queue` settles them).
            let mut live = *waiting;
            let mut take = || loop {
                let entry = queue.pop(live)?;
                match jobs.get(entry.job).map(|j| (j.state, j.request.deadline)) {
                    Some((JobState::Queued, deadline)) if deadline <= now => {
                        // Its deadline passed while it waited: nobody wants the answer any
                        // more, so it is dropped here instead of being served.
                        live -= 1;
                        expired.push(entry.job);
                    }
                    Some((JobState::Queued, _)) => {
                        live -= 1;
                        return Some(Taken {
                            item: entry.job,
                            sojourn: now.saturating_sub(entry.since),
                            left: live,
                        });
                    }
                    Some(_) => {
                        // Cancelled while waiting: its slot was kept for this moment.
                        jobs.remove(entry.job);
                    }
                    None => {}
                }
            };
            match codel {
                Some(codel) => codel.dequeue(now, take, |job| dropped.push(job)),
                None => take().map(|taken| taken.item),
            }
        };
        for job in expired {
            self.drop_from_queue(job, Outcome::DeadlineExceeded);
        }
        for job in dropped {
            self.drop_from_queue(job, Outcome::CodelDropped);
        }
        next
    }

    /// Releases the worker a job holds without finishing the job (pipeline stages, redelivery).
    pub fn let_go_of_worker(&mut self, handle: Handle) -> Grant {
        let job = self.jobs.get_mut(handle)?;
        if job.holds_worker {
            job.holds_worker = false;
            let (node, station) = (job.node, job.station);
            self.release_worker(node, station)
        } else {
            None
        }
    }

    /// Removes a queued job's entry from the accounting when it is cancelled in place.
    pub fn unqueue_in_place(&mut self, handle: Handle) {
        let Some(&job) = self.jobs.get(handle) else {
            return;
        };
        if job.state != JobState::Queued {
            return;
        }
        let n = job.node as usize;
        let areas = self.nodes[n].areas;
        let st = &mut self.nodes[n].stations[job.station as usize];
        st.settle(self.now);
        st.waiting -= 1;
        self.recorder
            .change_level(areas + node_area::QUEUE, self.now, -1);
    }
}
