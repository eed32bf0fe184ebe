//! The time series of a run under way, which live updates append to in place.
//!
//! The run state is immutable: each live update makes a new state, and Yew keeps the previous
//! one (the reducer's current value, the props of the last render) while the next is made. With
//! the series in an `Rc<Series>`, each update copied the whole series so far before appending
//! to it, and the copy's vectors, exactly as long as their contents, were copied again by the
//! append: two copies of every bucket so far per update, so an update of a 900 s run of a
//! 200-node design took tens of milliseconds of the main thread where one of a 300 s run took a
//! few (docs/performance.md, "Live updates that do not copy the series").
//!
//! A [`LiveSeries`] is a handle on one buffer shared by every state of the run, and the number
//! of buckets that state holds. Buckets are only ever appended, so the first `len` buckets of
//! the buffer never change and an earlier state's handle still sees its own series as a
//! prefix. Appending through a handle that is not the buffer's latest (an earlier state
//! updated a second time) copies its prefix into a buffer of its own first, so the buckets a
//! handle holds never change.

use std::cell::{Ref, RefCell};
use std::cmp::Ordering;
use std::fmt;
use std::rc::Rc;

use archsim_model::Series;

#[derive(Clone)]
pub struct LiveSeries {
    buffer: Rc<RefCell<Series>>,
    /// Buckets this handle holds: the buffer's first `len`.
    len: usize,
}

impl LiveSeries {
    /// A live series of the first buckets to arrive.
    ///
    /// Its vectors grow by doubling, so an update now and then moves all that came before it
    /// (12 ms at the 512th bucket of a 200-node design). Making room for the whole run at the
    /// first update was measured and is worse: allocating the 26 MB of a 900 s run took 57 ms
    /// of that update's task.
    pub fn new(first: Series) -> LiveSeries {
        LiveSeries {
            len: first.len(),
            buffer: Rc::new(RefCell::new(first)),
        }
    }

    /// Buckets so far.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// This series with `more` (the buckets that follow its last one) appended: in place when
    /// this handle is the buffer's latest (the cost of `more` alone), else on a copy.
    pub fn appended(&self, more: Series) -> LiveSeries {
        let latest = self.buffer.borrow().len() == self.len;
        let buffer = if latest {
            self.buffer.clone()
        } else {
            Rc::new(RefCell::new(self.buffer.borrow().slice(0, self.len)))
        };
        buffer.borrow_mut().extend(more);
        let len = buffer.borrow().len();
        LiveSeries { buffer, len }
    }

    /// What tells this handle from another in a memo's key: its buffer and its length (as
    /// [`PartialEq`] compares them).
    pub fn identity(&self) -> (usize, usize) {
        (Rc::as_ptr(&self.buffer) as usize, self.len)
    }

    /// The series to read. For the latest handle it has exactly [`len`](Self::len) buckets; an
    /// earlier state's handle may see buckets appended since (its own are the first `len`), and
    /// after [`take`](Self::take) every handle of the buffer sees an empty series, which every
    /// reader shows as no buckets yet.
    pub fn series(&self) -> Ref<'_, Series> {
        self.buffer.borrow()
    }

    /// The buckets this handle holds, to keep in the run's report when the run ends: moved out
    /// of the buffer when this is the latest handle (copying the series of a 900 s run of a
    /// 200-node design took 20 ms of the task that shows its report), copied for an earlier
    /// handle. None when they are gone: a later handle's were moved out already.
    pub fn take(&self) -> Option<Series> {
        let mut buffer = self.buffer.borrow_mut();
        match buffer.len().cmp(&self.len) {
            Ordering::Equal => Some(std::mem::take(&mut *buffer)),
            Ordering::Greater => Some(buffer.slice(0, self.len)),
            Ordering::Less => None,
        }
    }
}

/// A run's live series as the pieces of its updates arrive from the worker, appended in the
/// task that reads each piece (`run::client`): the task that shows an update then only swaps
/// the run state's handle for a longer one, instead of also copying the update's buckets into
/// the series (and, now and then, moving the whole series to a buffer twice as large).
#[derive(Debug, Default)]
pub struct LiveAssembly {
    /// The run the pieces are of, and its series so far.
    run: Option<(u32, LiveSeries)>,
}

impl LiveAssembly {
    /// Appends a piece of run `run_id`'s series: `buckets`, which start at bucket `from`.
    /// Returns the series so far when `last` (the piece ends its update: time to show it).
    ///
    /// A run's first piece (`from` 0) starts its series, replacing another run's. A piece
    /// that does not follow on (a gap or a repeat; the worker posts in order, so it cannot
    /// happen) is dropped: the report brings the whole series anyway.
    pub fn add(
        &mut self,
        run_id: u32,
        from: usize,
        buckets: Series,
        last: bool,
    ) -> Option<LiveSeries> {
        let series = match self.run.take() {
            Some((id, so_far)) if id == run_id && so_far.len() == from => so_far.appended(buckets),
            _ if from == 0 => LiveSeries::new(buckets),
            kept => {
                self.run = kept;
                return None;
            }
        };
        self.run = Some((run_id, series.clone()));
        last.then_some(series)
    }

    /// Lets go of the series (the run ended or was stopped): its buckets are the report's or
    /// nobody's now.
    pub fn forget(&mut self) {
        self.run = None;
    }
}

/// Two handles are equal when they hold the same buckets of the same buffer: by identity, as the
/// run state compares its `Rc`s (`controller::same`), never by walking the series.
impl PartialEq for LiveSeries {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.buffer, &other.buffer) && self.len == other.len
    }
}

impl fmt::Debug for LiveSeries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LiveSeries({} buckets)", self.len)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A series of one-second buckets at `t_ms`, with that many arrivals each (tests of the run
    /// state use it too).
    pub(in crate::run) fn buckets(t_ms: &[f64]) -> Series {
        Series {
            bucket_ms: 1_000.0,
            t_ms: t_ms.to_vec(),
            arrivals: t_ms.iter().map(|t| *t as u64).collect(),
            ..Series::default()
        }
    }

    #[test]
    fn an_update_is_shown_once_its_last_piece_is_appended_in_place() {
        let mut assembly = LiveAssembly::default();
        assert_eq!(assembly.add(1, 0, buckets(&[0.0, 1_000.0]), false), None);
        assert_eq!(assembly.add(1, 2, buckets(&[2_000.0]), false), None);
        let first = assembly.add(1, 3, buckets(&[3_000.0]), true).unwrap();
        assert_eq!(first.len(), 4);
        assert_eq!(first.series().t_ms, [0.0, 1_000.0, 2_000.0, 3_000.0]);
        let second = assembly.add(1, 4, buckets(&[4_000.0]), true).unwrap();
        assert!(Rc::ptr_eq(&first.buffer, &second.buffer), "in place");
        assert_eq!(second.series().arrivals, [0, 1_000, 2_000, 3_000, 4_000]);
        // The state still holding the first update keeps its four buckets.
        assert_eq!(first.len(), 4);
        assert_ne!(first, second);
    }

    #[test]
    fn a_piece_that_does_not_follow_on_is_dropped_and_a_new_run_starts_afresh() {
        let mut assembly = LiveAssembly::default();
        let shown = assembly.add(1, 0, buckets(&[0.0, 1_000.0]), true).unwrap();
        // A gap, a repeat, another run's piece that is not its first: none is appended.
        assert_eq!(assembly.add(1, 5, buckets(&[5_000.0]), true), None);
        assert_eq!(assembly.add(1, 1, buckets(&[1_000.0]), true), None);
        assert_eq!(assembly.add(2, 3, buckets(&[3_000.0]), true), None);
        let next = assembly.add(1, 2, buckets(&[2_000.0]), true).unwrap();
        assert_eq!(next.series().t_ms, [0.0, 1_000.0, 2_000.0]);
        assert_eq!(shown.len(), 2);
        // Another run's first piece starts its own series.
        let other = assembly.add(2, 0, buckets(&[0.0]), true).unwrap();
        assert!(!Rc::ptr_eq(&other.buffer, &next.buffer));
        assert_eq!(other.series().t_ms, [0.0]);
        // Forgotten: the next piece must be a first one.
        assembly.forget();
        assert_eq!(assembly.add(2, 1, buckets(&[1_000.0]), true), None);
        assert_eq!(next.series().t_ms, [0.0, 1_000.0, 2_000.0], "untouched");
    }

    #[test]
    fn appending_to_the_latest_handle_shares_its_buffer_and_keeps_the_earlier_prefix() {
        let first = LiveSeries::new(buckets(&[0.0, 1_000.0]));
        let second = first.appended(buckets(&[2_000.0]));
        assert!(
            Rc::ptr_eq(&first.buffer, &second.buffer),
            "appended in place"
        );
        assert_eq!(second.len(), 3);
        assert_eq!(second.series().t_ms, [0.0, 1_000.0, 2_000.0]);
        assert_eq!(second.series().arrivals, [0, 1_000, 2_000]);
        // The earlier handle still holds its two buckets, the first two of the buffer.
        assert_eq!(first.len(), 2);
        assert_eq!(first.series().t_ms[..first.len()], [0.0, 1_000.0]);
        assert_ne!(first, second);
        assert_eq!(second, second.clone());
    }

    #[test]
    fn appending_to_an_earlier_handle_copies_its_prefix_and_leaves_the_later_one_intact() {
        let first = LiveSeries::new(buckets(&[0.0]));
        let later = first.appended(buckets(&[1_000.0]));
        let branch = first.appended(buckets(&[5_000.0]));
        assert!(!Rc::ptr_eq(&first.buffer, &branch.buffer), "a copy");
        assert_eq!(branch.series().t_ms, [0.0, 5_000.0]);
        assert_eq!(later.series().t_ms, [0.0, 1_000.0]);
        // The branch's buffer is its own: appending to it again is in place.
        let branch_more = branch.appended(buckets(&[6_000.0]));
        assert!(Rc::ptr_eq(&branch.buffer, &branch_more.buffer));
        assert_eq!(later.series().t_ms, [0.0, 1_000.0]);
    }

    #[test]
    fn taking_the_latest_moves_its_buckets_out_and_an_earlier_handle_copies_its_own() {
        let first = LiveSeries::new(buckets(&[0.0]));
        let latest = first.appended(buckets(&[1_000.0, 2_000.0]));
        assert_eq!(
            first.take().unwrap().t_ms,
            [0.0],
            "an earlier handle: its prefix, copied"
        );
        assert_eq!(latest.series().len(), 3, "untouched by that");
        let kept = latest.take().unwrap();
        assert_eq!(kept.t_ms, [0.0, 1_000.0, 2_000.0]);
        assert_eq!(kept.arrivals, [0, 1_000, 2_000]);
        assert!(latest.series().is_empty(), "moved, not copied");
        // Gone for every handle now: none pretends to have them.
        assert_eq!(first.take(), None);
        assert_eq!(latest.take(), None);
    }
}
