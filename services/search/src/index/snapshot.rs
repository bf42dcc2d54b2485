//! Snapshots: the whole index as bytes (postcard), with the feed positions
//! it stands at, so a new replica starts from it and replays only the rest.

use serde::{Deserialize, Serialize};

use super::{
    BookingVersions, CityOrders, Holds, Index, Listings, NightRows, ORDERED_SCAN_FROM, Positions,
    build,
};

const MAGIC: &[u8; 8] = b"BERTHIX3";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("not a search index snapshot (or one of another format)")]
    Format,
    #[error("the snapshot is damaged: {0}")]
    Damaged(#[from] postcard::Error),
}

#[derive(Serialize)]
struct SnapshotRef<'a> {
    positions: &'a Positions,
    listings: &'a Listings,
    nights: &'a NightRows,
    holds: &'a Holds,
    bookings: &'a BookingVersions,
}

#[derive(Deserialize)]
struct Snapshot {
    positions: Positions,
    listings: Listings,
    nights: NightRows,
    holds: Holds,
    bookings: BookingVersions,
}

impl Index {
    /// The index as bytes, its feed positions included.
    pub fn snapshot(&self) -> Vec<u8> {
        let body = SnapshotRef {
            positions: &self.positions,
            listings: &self.listings,
            nights: &self.nights,
            holds: &self.holds,
            bookings: &self.bookings,
        };
        let mut bytes = MAGIC.to_vec();
        // Serialising plain in-memory data into a Vec cannot fail.
        bytes.extend(postcard::to_stdvec(&body).expect("index serialises"));
        bytes
    }

    /// An index from [`Index::snapshot`] bytes, its slots laid out afresh.
    pub fn restore(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or(SnapshotError::Format)?;
        let Snapshot {
            positions,
            mut listings,
            nights,
            holds,
            bookings,
        } = postcard::from_bytes(body)?;
        listings.reindex();
        if nights.rows() != listings.len() {
            return Err(SnapshotError::Format);
        }
        let mut index = Self {
            positions,
            listings,
            nights,
            holds,
            orders: CityOrders::default(),
            bookings,
            ordered_scan_from: ORDERED_SCAN_FROM,
        };
        build::cluster(&mut index);
        Ok(index)
    }
}
