//! A Kinesis record as EventBridge writes it: the whole EventBridge event as
//! JSON (`id`, `detail-type`, `source`, `time`, `detail`), whose detail is a
//! domain event's detail (carrying Berth's own event id and time).

use berth_domain::events::{DomainEvent, Source};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("the record is not an EventBridge event: {0}")]
    NotAnEvent(serde_json::Error),
    #[error("event {id}: {detail_type} detail does not fit the domain event: {error}")]
    BadDetail {
        id: String,
        detail_type: String,
        error: serde_json::Error,
    },
}

#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    source: String,
    detail: serde_json::Value,
}

/// Detail types the domain defines; other events on the bus are not ours.
const DETAIL_TYPES: [&str; 13] = [
    "PropertyCreated",
    "PropertyUpdated",
    "PricingChanged",
    "CalendarChanged",
    "BookingRequested",
    "BookingHeld",
    "BookingPaid",
    "BookingConfirmed",
    "BookingFailed",
    "BookingCancelled",
    "BookingExpired",
    "PaymentRefunded",
    "UserErased",
];

/// The domain event in a record, or `None` for an event that is not Berth's.
pub fn parse_record(data: &[u8]) -> Result<Option<DomainEvent>, RecordError> {
    let envelope: Envelope = serde_json::from_slice(data).map_err(RecordError::NotAnEvent)?;
    let ours = Source::ALL.iter().any(|s| s.name() == envelope.source);
    if !ours || !DETAIL_TYPES.contains(&envelope.detail_type.as_str()) {
        return Ok(None);
    }
    DomainEvent::from_bus(&envelope.detail_type, envelope.detail)
        .map(Some)
        .map_err(|error| RecordError::BadDetail {
            id: envelope.id,
            detail_type: envelope.detail_type,
            error,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_domain::dates::Date;
    use berth_domain::events::Change;
    use berth_domain::ids::PropertyId;
    use serde_json::json;

    fn calendar_event() -> DomainEvent {
        DomainEvent::new(
            Change::CalendarChanged {
                property_id: PropertyId::generate(),
                blocked: true,
                dates: vec![Date::parse("2027-05-01").unwrap()],
            },
            "2027-04-01T10:00:00Z".parse().unwrap(),
        )
    }

    fn envelope(event: &DomainEvent, id: &str, source: &str) -> Vec<u8> {
        json!({
            "version": "0", "id": id, "detail-type": event.detail_type(), "source": source,
            "account": "123456789012", "time": "2027-04-01T10:00:00Z", "region": "eu-west-1",
            "resources": [], "detail": event.detail(),
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn an_eventbridge_record_becomes_the_domain_event() {
        let event = calendar_event();
        let data = envelope(
            &event,
            "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "berth.properties",
        );
        assert_eq!(
            parse_record(&data).unwrap().unwrap(),
            event,
            "Berth's id and time come through"
        );
    }

    #[test]
    fn foreign_events_are_skipped_and_broken_ones_reported() {
        let event = calendar_event();
        let foreign = envelope(&event, "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "aws.ec2");
        assert!(parse_record(&foreign).unwrap().is_none());
        assert!(matches!(
            parse_record(b"{not json"),
            Err(RecordError::NotAnEvent(_))
        ));
        let mut broken: serde_json::Value = serde_json::from_slice(&envelope(
            &event,
            "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "berth.properties",
        ))
        .unwrap();
        broken["detail"]["dates"] = json!("soon");
        let broken = broken.to_string().into_bytes();
        assert!(matches!(
            parse_record(&broken),
            Err(RecordError::BadDetail { .. })
        ));
    }
}
