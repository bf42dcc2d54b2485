//! The opaque cursor of GET /search: where the last page ended, as its sort
//! key and property id (keyset pagination), tied to the query that made it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The fingerprint of the query that made it.
    pub fingerprint: u64,
    /// The last hit's sort key and property key: the next page starts after them.
    pub key: u64,
    pub id: u128,
    /// Where distances were measured from on the first page, so that every
    /// page measures from the same point even as a city's centroid moves.
    pub origin: Option<(f64, f64)>,
}

impl Cursor {
    pub fn encode(&self) -> String {
        // Serialising a plain struct into a Vec cannot fail.
        URL_SAFE_NO_PAD.encode(postcard::to_stdvec(self).expect("cursor serialises"))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        postcard::from_bytes(&bytes).ok()
    }
}

/// FNV-1a: a hash that is the same on every replica and every build.
pub fn fingerprint(canonical: &str) -> u64 {
    canonical.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            fingerprint: 7,
            key: 12_000,
            id: u128::MAX - 3,
            origin: Some((38.7, -9.1)),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("not a cursor!"), None);
        assert_eq!(Cursor::decode(""), None);
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fingerprint("city=lisbon"), fingerprint("city=porto"));
    }
}
