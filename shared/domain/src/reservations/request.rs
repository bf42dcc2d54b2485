//! A guest asks for a booking: validated, priced, stored PENDING under their
//! Idempotency-Key, and handed to the workflow.

use chrono::Duration;
use sha2::{Digest, Sha256};

use super::BookingError;
use crate::booking::{Booking, PaymentMethod};
use crate::dates::{Date, Stay, Timestamp};
use crate::error::InvalidInput;
use crate::events::{Change, DomainEvent};
use crate::ids::{BookingId, PropertyId};
use crate::ports::{
    BookingReader, BookingRequests, BookingWorkflow, ClaimOutcome, IdempotencyKey,
    IdempotencyRecord, Page, PageRequest, PropertyReader, RequestClaim, RequestState, Role,
};
use crate::pricing;
use crate::user::Caller;

/// A guest's booking request, each field valid on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingOrder {
    pub property_id: PropertyId,
    pub check_in: Date,
    pub check_out: Date,
    pub guests: u32,
    pub payment_method: PaymentMethod,
}

impl BookingOrder {
    /// A digest that tells this request from any other.
    pub fn fingerprint(&self) -> String {
        let text = format!(
            "{}|{}|{}|{}|{}",
            self.property_id,
            self.check_in,
            self.check_out,
            self.guests,
            self.payment_method.as_str()
        );
        format!("{:x}", Sha256::digest(text.as_bytes()))
    }
}

/// How long things last around a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTimes {
    /// How long a booking's nights stay held (and how long it may stay unsettled).
    pub hold: Duration,
    /// How long a claimed key waits for its request before another may finish it.
    pub lease: Duration,
    /// How long a key keeps answering with its booking.
    pub key_ttl: Duration,
}

impl Default for RequestTimes {
    fn default() -> Self {
        Self::with_hold(HoldMinutes::default())
    }
}

impl RequestTimes {
    /// The default times, with nights held for `hold`.
    pub fn with_hold(hold: HoldMinutes) -> Self {
        Self {
            hold: hold.duration(),
            lease: Duration::seconds(30),
            key_ttl: Duration::hours(24),
        }
    }
}

/// How long a booking's nights stay held while it is paid for, in minutes.
/// The one definition of its bounds: `HOLD_MINUTES` in AWS and
/// `berth serve --hold-minutes` parse it, and template.yaml's `HoldMinutes`
/// parameter is tested against it. An hour is ample for paying, and longer
/// holds keep nights from other guests for nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldMinutes(u32);

impl HoldMinutes {
    pub const MIN: u32 = 1;
    pub const MAX: u32 = 60;
    pub const DEFAULT: u32 = 15;

    pub fn new(minutes: u32) -> Result<Self, InvalidInput> {
        if (Self::MIN..=Self::MAX).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(Self::out_of_bounds(minutes))
        }
    }

    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        text.trim()
            .parse::<u32>()
            .map_err(|_| Self::out_of_bounds(text))
            .and_then(Self::new)
    }

    fn out_of_bounds(value: impl std::fmt::Display) -> InvalidInput {
        InvalidInput::new(
            "hold_minutes",
            format!(
                "must be a whole number of minutes from {} to {}, not {value}",
                Self::MIN,
                Self::MAX
            ),
        )
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    pub fn duration(self) -> Duration {
        Duration::minutes(i64::from(self.0))
    }
}

impl Default for HoldMinutes {
    fn default() -> Self {
        Self(Self::DEFAULT)
    }
}

impl std::str::FromStr for HoldMinutes {
    type Err = InvalidInput;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl std::fmt::Display for HoldMinutes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Requests a booking, or answers the booking this key already stands for.
/// Replays never charge or book twice.
#[allow(clippy::too_many_arguments)]
pub async fn request_booking(
    properties: &dyn PropertyReader,
    requests: &dyn BookingRequests,
    workflow: &dyn BookingWorkflow,
    caller: &Caller,
    key: IdempotencyKey,
    order: BookingOrder,
    times: RequestTimes,
    now: Timestamp,
) -> Result<Booking, BookingError> {
    let fingerprint = order.fingerprint();
    if let Some(record) = requests.record(&caller.user_id, &key, now).await? {
        return replay(requests, workflow, caller, &key, &fingerprint, record, now).await;
    }
    let property = properties
        .property(&order.property_id)
        .await?
        .ok_or_else(|| BookingError::PropertyNotFound(order.property_id.clone()))?;
    let stay = Stay::new(order.check_in, order.check_out, Date::of(now))?;
    let quote = pricing::quote(&property, stay, order.guests, Date::of(now))?;
    let booking = Booking::request(
        caller.user_id.clone(),
        &property,
        quote,
        order.payment_method,
        now,
        now + times.hold,
    );
    let claim = RequestClaim {
        now,
        user: caller.user_id.clone(),
        key: key.clone(),
        fingerprint: fingerprint.clone(),
        lease_until: now + times.lease,
        expires_at: now + times.key_ttl,
    };
    let event = DomainEvent::new(
        Change::BookingRequested {
            booking: booking.clone(),
        },
        now,
    );
    match requests.claim(&claim, &booking, &event).await? {
        ClaimOutcome::Claimed => {
            finish(requests, workflow, caller, &key, &booking.id).await?;
            Ok(booking)
        }
        ClaimOutcome::Existing(record) => {
            replay(requests, workflow, caller, &key, &fingerprint, *record, now).await
        }
    }
}

async fn replay(
    requests: &dyn BookingRequests,
    workflow: &dyn BookingWorkflow,
    caller: &Caller,
    key: &IdempotencyKey,
    fingerprint: &str,
    record: IdempotencyRecord,
    now: Timestamp,
) -> Result<Booking, BookingError> {
    if record.fingerprint != fingerprint {
        return Err(BookingError::KeyReused);
    }
    match record.state {
        RequestState::Completed => Ok(record.booking),
        RequestState::InProgress { lease_until } if lease_until > now => {
            Err(BookingError::InProgress)
        }
        // Whoever claimed the key stopped before finishing: finish for them.
        // Both steps are idempotent, so a late original does no harm.
        RequestState::InProgress { .. } => {
            finish(requests, workflow, caller, key, &record.booking.id).await?;
            Ok(record.booking)
        }
    }
}

async fn finish(
    requests: &dyn BookingRequests,
    workflow: &dyn BookingWorkflow,
    caller: &Caller,
    key: &IdempotencyKey,
    booking: &BookingId,
) -> Result<(), BookingError> {
    workflow.start(booking).await?;
    requests.complete(&caller.user_id, key).await?;
    Ok(())
}

/// One booking, for its guest, its host or an admin.
pub async fn booking_of(
    reader: &dyn BookingReader,
    caller: &Caller,
    id: &BookingId,
) -> Result<Booking, BookingError> {
    let booking = reader
        .booking(id)
        .await?
        .ok_or_else(|| BookingError::NotFound(id.clone()))?;
    if !booking.is_party(&caller.user_id) && !caller.is_admin() {
        return Err(BookingError::Forbidden(
            "only the booking's guest or host may see it",
        ));
    }
    Ok(booking)
}

/// The caller's own bookings, as guest or as host.
pub async fn list_bookings(
    reader: &dyn BookingReader,
    caller: &Caller,
    role: Role,
    page: PageRequest,
) -> Result<Page<Booking>, BookingError> {
    Ok(reader.bookings_of(&caller.user_id, role, &page).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_minutes_take_one_to_sixty() {
        assert_eq!(HoldMinutes::default().minutes(), 15);
        assert_eq!(
            HoldMinutes::parse("1").unwrap().duration(),
            Duration::minutes(1)
        );
        assert_eq!(HoldMinutes::parse("60").unwrap().minutes(), 60);
        for bad in ["0", "61", "1440", "-5", "ten", ""] {
            let error = HoldMinutes::parse(bad).unwrap_err();
            assert_eq!(error.field, "hold_minutes", "{bad}");
        }
    }
}
