//! Read-your-writes per end user: a read of a key goes to the primary when *its user* wrote
//! the key within the window. Checked against the closed form for Poisson writes: with `U`
//! users picked at random, writes at rate λ·w spread uniformly over `K` keys, a given user
//! writes a given key at rate λ·w/(U·K), so a read finds its own write within the window `N`
//! with probability 1 − e^(−λ·w·N/(U·K)).

mod common;

use archsim_model::design::*;
use archsim_model::replication::ReadYourWrites;
use archsim_model::users::{UserPick, Users};
use common::*;

const RPS: f64 = 1_000.0;
const WRITES: f64 = 0.2;
const KEYS: u64 = 100;
const WINDOW_MS: f64 = 1_000.0;

/// A client sending 1,000 requests a second (a fifth of them writes) over 100 uniform keys
/// straight to a one-shard database whose two replicas serve the reads, read-your-writes on
/// with a 1 s window; `users` its users population. The first 2 s (twice the window) are
/// warm-up: by then every user's writes have a full window behind them.
fn design_with(users: Option<Users>) -> Design {
    let mut d = design(
        vec![
            client("c", RPS),
            Node {
                id: "db".into(),
                label: "db".into(),
                position: Position::default(),
                spec: NodeKind::Database(DatabaseParams {
                    replicas_per_shard: 2,
                    reads_from: ReadPreference::Replicas,
                    connections: 64,
                    queue_capacity: 10_000,
                    read_time: exp_ms(1.0),
                    write_time: exp_ms(1.0),
                    read_your_writes: Some(ReadYourWrites {
                        window_ms: WINDOW_MS,
                    }),
                    ..DatabaseParams::default()
                }),
            },
        ],
        vec![edge("c", "db")],
        62_000.0,
        2_000.0,
    );
    let NodeKind::Client(c) = &mut d.nodes[0].spec else {
        unreachable!()
    };
    c.keys = KeyDistribution {
        count: KEYS,
        popularity: KeyPopularity::Uniform,
    };
    c.mix = vec![
        RequestClass {
            name: "read".into(),
            weight: 1.0 - WRITES,
            write: false,
        },
        RequestClass {
            name: "write".into(),
            weight: WRITES,
            write: true,
        },
    ];
    c.users = users;
    d
}

/// The fraction of reads read-your-writes sent to the primary.
fn to_primary(users: Option<Users>) -> f64 {
    let report = go(&design_with(users));
    let db = report.nodes["db"].database.clone().unwrap();
    let kept = db.own_write_reads.unwrap().value;
    kept / (kept + db.reads_on_replicas.value)
}

/// 1 − e^(−λ·w·N/(U·K)): the chance a given user wrote a given key in the last N.
fn closed_form(users: u32) -> f64 {
    1.0 - (-RPS * WRITES * (WINDOW_MS / 1_000.0) / (users as f64 * KEYS as f64)).exp()
}

#[test]
fn with_users_picked_at_random_a_read_goes_to_the_primary_as_often_as_its_user_wrote_the_key() {
    for users in [10, 40] {
        let fraction = to_primary(Some(Users {
            count: users,
            pick: UserPick::Random,
        }));
        let expected = closed_form(users);
        // About 48,000 reads: a standard error near 0.002.
        assert!(
            (fraction - expected).abs() < 0.01,
            "{users} users: {fraction} of reads to the primary, expected {expected}"
        );
    }
}

#[test]
fn without_users_the_client_node_is_one_user() {
    // Every read of a key the client wrote in the last second: 1 − e^(−2).
    let fraction = to_primary(None);
    let expected = closed_form(1);
    assert!(
        (fraction - expected).abs() < 0.01,
        "{fraction} of reads to the primary, expected {expected}"
    );
}

#[test]
fn when_each_key_has_one_owner_every_read_of_it_is_by_its_writer() {
    // Key k belongs to user k mod 10: whoever reads a key is the only one who writes it, so
    // the users population changes nothing: 1 − e^(−2), as for one user.
    let fraction = to_primary(Some(Users {
        count: 10,
        pick: UserPick::KeyOwner,
    }));
    let expected = closed_form(1);
    assert!(
        (fraction - expected).abs() < 0.01,
        "{fraction} of reads to the primary, expected {expected}"
    );
}

#[test]
fn a_users_population_moves_no_arrival_or_key() {
    // The users come from a stream of their own: the traffic is the same draw for draw.
    let plain = go(&design_with(None));
    let with = go(&design_with(Some(Users::default())));
    assert_eq!(
        plain.series.nodes["c"].arrivals,
        with.series.nodes["c"].arrivals
    );
    assert_eq!(
        plain.series.nodes["db"].arrivals,
        with.series.nodes["db"].arrivals
    );
    // Only where the reads go differs: a user's own writes are rarer than the node's.
    let own = |r: &archsim_model::report::Report| {
        r.nodes["db"]
            .database
            .clone()
            .unwrap()
            .own_write_reads
            .unwrap()
            .value
    };
    assert!(own(&with) < own(&plain));
}
