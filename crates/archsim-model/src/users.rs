//! The people behind a client's requests: a population of end users, so that
//! read-your-writes can follow each user (a person reading the profile they just saved)
//! rather than the whole client node (which would send every read of a key any user of the
//! node just wrote to the primary). What each field means for a person is in
//! `docs/design-format.md`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A client's users: `count` people, each request sent by one of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Users {
    /// Distinct users, 1 or more.
    pub count: u32,
    /// Which user sends a request.
    pub pick: UserPick,
}

impl Default for Users {
    fn default() -> Self {
        Users {
            count: 1_000,
            pick: UserPick::Random,
        }
    }
}

/// Which user sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserPick {
    /// Any user, uniformly at random and independently of the request's key (people working on
    /// shared data: documents, a catalogue). A user re-reads a key it wrote only by chance.
    #[default]
    Random,
    /// The key's owner: key `k` belongs to user `k mod count` (each person's own data: a cart,
    /// a profile), so every read of a key is by the user who writes it.
    KeyOwner,
}
