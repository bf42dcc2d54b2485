//! Domain events. They are written in the same atomic change as the state they
//! describe (an outbox), and published from there: never sent beside a write
//! that might fail.

use serde::{Deserialize, Serialize};

use crate::booking::Booking;
use crate::channels::Conflict;
use crate::dates::{Date, Timestamp};
use crate::ids::{EventId, PropertyId, UserId};
use crate::money::Money;
use crate::property::Property;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    pub id: EventId,
    pub occurred_at: Timestamp,
    #[serde(flatten)]
    pub change: Change,
}

/// What happened. Serialised with `type` (the EventBridge detail-type) and
/// `detail` (the EventBridge detail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "detail")]
pub enum Change {
    PropertyCreated {
        property: Property,
    },
    PropertyUpdated {
        property: Property,
    },
    /// The host replaced the property's pricing document (`property.pricing`).
    PricingChanged {
        property: Property,
    },
    /// A host blocked or unblocked these nights, or an imported feed
    /// closed or opened them.
    CalendarChanged {
        property_id: PropertyId,
        blocked: bool,
        dates: Vec<Date>,
    },
    BookingRequested {
        booking: Booking,
    },
    BookingHeld {
        booking: Booking,
    },
    BookingPaid {
        booking: Booking,
    },
    BookingConfirmed {
        booking: Booking,
    },
    BookingFailed {
        booking: Booking,
    },
    BookingCancelled {
        booking: Booking,
    },
    BookingExpired {
        booking: Booking,
    },
    PaymentRefunded {
        booking: Booking,
        refund: Money,
    },
    /// An imported feed closes a night this booking holds or has booked: the
    /// booking keeps it, and its host is told.
    CalendarConflict {
        conflict: Conflict,
        booking: Booking,
    },
    UserErased {
        user_id: UserId,
        /// What replaces `user_id` in the records that must stay.
        #[serde(default = "UserId::pseudonym")]
        pseudonym: UserId,
    },
}

/// The EventBridge bus (and event source) each domain's events travel on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Properties,
    Bookings,
    Users,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Properties, Source::Bookings, Source::Users];

    pub fn name(self) -> &'static str {
        match self {
            Source::Properties => "berth.properties",
            Source::Bookings => "berth.bookings",
            Source::Users => "berth.users",
        }
    }
}

impl DomainEvent {
    pub fn new(change: Change, now: Timestamp) -> Self {
        Self {
            id: EventId::generate(),
            occurred_at: now,
            change,
        }
    }

    pub fn detail_type(&self) -> &'static str {
        match &self.change {
            Change::PropertyCreated { .. } => "PropertyCreated",
            Change::PropertyUpdated { .. } => "PropertyUpdated",
            Change::PricingChanged { .. } => "PricingChanged",
            Change::CalendarChanged { .. } => "CalendarChanged",
            Change::BookingRequested { .. } => "BookingRequested",
            Change::BookingHeld { .. } => "BookingHeld",
            Change::BookingPaid { .. } => "BookingPaid",
            Change::BookingConfirmed { .. } => "BookingConfirmed",
            Change::BookingFailed { .. } => "BookingFailed",
            Change::BookingCancelled { .. } => "BookingCancelled",
            Change::BookingExpired { .. } => "BookingExpired",
            Change::PaymentRefunded { .. } => "PaymentRefunded",
            Change::CalendarConflict { .. } => "CalendarConflict",
            Change::UserErased { .. } => "UserErased",
        }
    }

    pub fn source(&self) -> Source {
        match &self.change {
            Change::PropertyCreated { .. }
            | Change::PropertyUpdated { .. }
            | Change::PricingChanged { .. }
            | Change::CalendarChanged { .. } => Source::Properties,
            Change::UserErased { .. } => Source::Users,
            _ => Source::Bookings,
        }
    }

    /// The booking this event is about, if any.
    pub fn booking(&self) -> Option<&Booking> {
        match &self.change {
            Change::BookingRequested { booking }
            | Change::BookingHeld { booking }
            | Change::BookingPaid { booking }
            | Change::BookingConfirmed { booking }
            | Change::BookingFailed { booking }
            | Change::BookingCancelled { booking }
            | Change::BookingExpired { booking }
            | Change::PaymentRefunded { booking, .. }
            | Change::CalendarConflict { booking, .. } => Some(booking),
            _ => None,
        }
    }

    /// The version its aggregate (a booking, or a property's listing) has
    /// after this event, if it is about one. Read models keep the newest
    /// version they applied and skip older events, so the order events
    /// arrive in does not matter (see [`crate::projections::is_current`]).
    pub fn version(&self) -> Option<u64> {
        match &self.change {
            Change::PropertyCreated { property } | Change::PropertyUpdated { property } => {
                Some(property.version)
            }
            _ => self.booking().map(|b| b.version()),
        }
    }

    /// The property whose state or availability this event changes, if any.
    /// Consumers that need order (the search index) order by it.
    pub fn property_id(&self) -> Option<&PropertyId> {
        match &self.change {
            Change::PropertyCreated { property }
            | Change::PropertyUpdated { property }
            | Change::PricingChanged { property } => Some(&property.id),
            Change::CalendarChanged { property_id, .. } => Some(property_id),
            _ => self.booking().map(|b| &b.property_id),
        }
    }

    /// The detail as EventBridge carries it: the change's fields plus
    /// `event_id` and `occurred_at` (consumers deduplicate by Berth's id, not
    /// EventBridge's), `property_id` where there is one (the search
    /// stream's partition key) and the aggregate's `version` where there is
    /// one (for consumers that read the detail without this crate).
    pub fn detail(&self) -> serde_json::Value {
        let mut detail = match serde_json::to_value(&self.change) {
            Ok(serde_json::Value::Object(mut map)) => match map.remove("detail") {
                Some(serde_json::Value::Object(detail)) => detail,
                _ => serde_json::Map::new(),
            },
            _ => serde_json::Map::new(),
        };
        detail.insert("event_id".into(), self.id.to_string().into());
        detail.insert("occurred_at".into(), self.occurred_at.to_rfc3339().into());
        if let Some(property_id) = self.property_id() {
            detail.insert("property_id".into(), property_id.to_string().into());
        }
        if let Some(version) = self.version() {
            detail.insert("version".into(), version.into());
        }
        serde_json::Value::Object(detail)
    }

    /// Rebuilds an event from an EventBridge detail-type and detail.
    pub fn from_bus(
        detail_type: &str,
        detail: serde_json::Value,
    ) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        struct Envelope {
            event_id: EventId,
            occurred_at: Timestamp,
        }
        let envelope = Envelope::deserialize(&detail)?;
        let change =
            serde_json::from_value(serde_json::json!({"type": detail_type, "detail": detail}))?;
        Ok(Self {
            id: envelope.event_id,
            occurred_at: envelope.occurred_at,
            change,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_survive_the_eventbridge_round_trip() {
        let user_id = UserId::parse("alice").unwrap();
        let event = DomainEvent::new(
            Change::UserErased {
                user_id,
                pseudonym: UserId::pseudonym(),
            },
            chrono::Utc::now(),
        );
        assert_eq!(event.detail_type(), "UserErased");
        assert_eq!(event.source().name(), "berth.users");
        let detail = event.detail();
        assert_eq!(detail["event_id"], event.id.to_string());
        let back = DomainEvent::from_bus(event.detail_type(), detail.clone()).unwrap();
        assert_eq!(back, event);
        assert!(DomainEvent::from_bus("Nonsense", detail).is_err());
    }

    #[test]
    fn stored_form_is_type_and_detail() {
        let event = DomainEvent::new(
            Change::CalendarChanged {
                property_id: PropertyId::generate(),
                blocked: true,
                dates: vec![Date::parse("2027-01-01").unwrap()],
            },
            chrono::Utc::now(),
        );
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "CalendarChanged");
        assert_eq!(json["detail"]["dates"][0], "2027-01-01");
        assert_eq!(
            serde_json::from_value::<DomainEvent>(json.clone()).unwrap(),
            event
        );
        assert_eq!(event.source(), Source::Properties);
        assert_eq!(event.detail()["property_id"], json["detail"]["property_id"]);
    }
}
