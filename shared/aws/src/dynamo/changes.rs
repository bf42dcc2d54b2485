//! The booking workflow's atomic steps (docs/architecture.md, "The booking
//! protocol"): one TransactWriteItems over the booking (conditioned on its
//! status), the nights of its stay (conditioned by the night rules, see
//! [`nights`]) and its events.
//!
//! Actions are ordered booking, nights (in date order), events, so a refusal
//! names what failed: the booking's status first, else the first night taken.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::TransactWriteItem;
use berth_domain::booking::BookingStatus;
use berth_domain::calendar::NightState;
use berth_domain::dates::Date;
use berth_domain::ports::{BookingChange, BookingChanges, ChangeError, NightsChange};

use crate::access::{Access, on};
use crate::config::vars;
use crate::dynamo::actions::{Condition, delete, put};
use crate::dynamo::bookings::{self, DynamoBookings, status_of};
use crate::dynamo::item::s;
use crate::dynamo::nights;
use crate::dynamo::outbox;
use crate::dynamo::transact::{Check, TransactError, transact};

/// The stored booking's status is one of `from`.
fn status_in(from: &[BookingStatus]) -> Condition {
    let placeholders: Vec<String> = (0..from.len()).map(|i| format!(":from{i}")).collect();
    let condition = Condition::new(format!("#status IN ({})", placeholders.join(", ")))
        .name("#status", "status");
    from.iter()
        .zip(&placeholders)
        .fold(condition, |c, (status, p)| c.value(p, s(status.as_str())))
}

/// What a refused change means; `nights` are the dates of actions 1..
fn refusal(checks: &[Check], nights: &[Date]) -> ChangeError {
    if let Some((_, old)) = TransactError::first_failed(checks, 0..1) {
        return ChangeError::StatusChanged(old.and_then(status_of));
    }
    match TransactError::first_failed(checks, 1..1 + nights.len()) {
        Some((i, _)) => ChangeError::NightTaken(nights[i - 1]),
        None => ChangeError::Unexpected(anyhow::anyhow!(
            "an event of this change is recorded already"
        )),
    }
}

impl DynamoBookings {
    /// Booking, then one action per night, then the events.
    fn actions(
        &self,
        change: &BookingChange<'_>,
        nights: Vec<TransactWriteItem>,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut actions = vec![put(
            &self.tables.bookings,
            bookings::item(change.booking)?,
            &status_in(change.from),
        )?];
        actions.extend(nights);
        actions.extend(outbox::record_all(&self.tables.outbox, change.events)?);
        Ok(actions)
    }

    async fn commit(
        &self,
        change: &BookingChange<'_>,
        dates: &[Date],
        nights: Vec<TransactWriteItem>,
    ) -> Result<(), ChangeError> {
        match transact(&self.client, self.actions(change, nights)?).await {
            Ok(()) => Ok(()),
            Err(TransactError::Refused(checks)) => Err(refusal(&checks, dates)),
            Err(TransactError::Unexpected(e)) => Err(e.context("changing a booking").into()),
        }
    }

    /// Frees the nights this booking holds or has booked. A night that stops
    /// being ours between the read and the write is dropped, and the rest tried
    /// again: another booking's night is never deleted.
    async fn release(&self, change: &BookingChange<'_>) -> Result<(), ChangeError> {
        let booking = change.booking;
        let mine = nights::read(
            &self.client,
            &self.tables.calendar,
            &booking.property_id,
            booking.stay().range(),
        )
        .await?;
        let mut dates: Vec<Date> = mine
            .into_iter()
            .filter(|n| n.state.booking() == Some(&booking.id))
            .map(|n| n.date)
            .collect();
        let condition = nights::may_release(&booking.id);
        loop {
            let deletes = dates
                .iter()
                .map(|d| {
                    delete(
                        &self.tables.calendar,
                        nights::key(&booking.property_id, *d),
                        &condition,
                    )
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let checks = match transact(&self.client, self.actions(change, deletes)?).await {
                Ok(()) => return Ok(()),
                Err(TransactError::Refused(checks)) => checks,
                Err(TransactError::Unexpected(e)) => {
                    return Err(e.context("releasing nights").into());
                }
            };
            let lost: Vec<Date> = dates
                .iter()
                .enumerate()
                .filter(|(i, _)| matches!(checks.get(i + 1), Some(Check::Failed(_))))
                .map(|(_, d)| *d)
                .collect();
            if lost.is_empty() || TransactError::first_failed(&checks, 0..1).is_some() {
                return Err(refusal(&checks, &dates));
            }
            dates.retain(|d| !lost.contains(d));
        }
    }
}

/// [`BookingChanges`]: a transaction putting the booking, putting or
/// deleting its nights and putting its events; the booking's status
/// (`GetItem`) when it refuses; the booking's nights (`Query`) on release.
pub const BOOKING_CHANGES: Access = Access {
    port: "BookingChanges",
    grants: &[
        on(
            vars::BOOKINGS_TABLE,
            &["dynamodb:GetItem", "dynamodb:PutItem"],
        ),
        on(
            vars::CALENDAR_TABLE,
            &["dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        ),
        on(vars::OUTBOX_TABLE, &["dynamodb:PutItem"]),
    ],
    env: super::bookings::BOOKINGS_ENV,
};

#[async_trait]
impl BookingChanges for DynamoBookings {
    async fn apply(&self, change: &BookingChange<'_>) -> Result<(), ChangeError> {
        let booking = change.booking;
        if change.from.is_empty() {
            return Err(ChangeError::StatusChanged(self.status(&booking.id).await?));
        }
        let dates: Vec<Date> = booking.stay().dates().collect();
        let each_night = |state: &NightState, condition: &Condition| {
            dates
                .iter()
                .map(|d| {
                    put(
                        &self.tables.calendar,
                        nights::item(&booking.property_id, *d, state),
                        condition,
                    )
                })
                .collect::<anyhow::Result<Vec<_>>>()
        };
        match change.nights {
            NightsChange::Keep => self.commit(change, &[], vec![]).await,
            NightsChange::Hold { until, now } => {
                let held = NightState::Held {
                    booking_id: booking.id.clone(),
                    expires_at: until,
                };
                let actions = each_night(&held, &nights::may_hold(&booking.id, now))?;
                self.commit(change, &dates, actions).await
            }
            NightsChange::Book => {
                let booked = NightState::Booked {
                    booking_id: booking.id.clone(),
                };
                let actions = each_night(&booked, &nights::may_book(&booking.id))?;
                self.commit(change, &dates, actions).await
            }
            NightsChange::Release => self.release(change).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::item::Item;

    #[test]
    fn status_conditions_list_every_allowed_status() {
        let condition = status_in(&[BookingStatus::Pending, BookingStatus::Held]);
        assert_eq!(condition.expression, "#status IN (:from0, :from1)");
        let values = condition.values().unwrap();
        assert_eq!(values[":from1"], s("HELD"));
    }

    #[test]
    fn a_refusal_names_the_status_before_any_night() {
        let d = |t: &str| Date::parse(t).unwrap();
        let dates = [d("2027-01-01"), d("2027-01-02")];
        let old: Item = [("status".to_owned(), s("FAILED"))].into();
        let both = [Check::Failed(Some(old)), Check::Passed, Check::Failed(None)];
        assert!(matches!(
            refusal(&both, &dates),
            ChangeError::StatusChanged(Some(BookingStatus::Failed))
        ));
        let night = [Check::Passed, Check::Passed, Check::Failed(None)];
        assert!(matches!(refusal(&night, &dates), ChangeError::NightTaken(x) if x == dates[1]));
        let gone = [Check::Failed(None)];
        assert!(matches!(
            refusal(&gone, &[]),
            ChangeError::StatusChanged(None)
        ));
    }
}
