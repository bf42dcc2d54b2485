//! Use cases of listings: create, read and change properties, block nights,
//! show availability and price stays.

use crate::calendar::{self, Availability, CalendarPlan, Night};
use crate::dates::{Date, DateRange, Stay, Timestamp};
use crate::error::InvalidInput;
use crate::events::{Change, DomainEvent};
use crate::ids::PropertyId;
use crate::ports::{
    CalendarReader, CalendarWriter, HostListings, Page, PageRequest, PropertyReader,
    PropertyWriter, WriteError,
};
use crate::pricing::{self, Pricing, PricingDocument, Quote};
use crate::property::{Listing, ListingPatch, Property};
use crate::retry::{self, Attempt};
use crate::user::Caller;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("property {0} not found")]
    NotFound(PropertyId),
    #[error("calendar feed {0} not found")]
    FeedNotFound(crate::ids::FeedId),
    /// A host tried to block nights guests hold or have booked.
    #[error("nights already held or booked by guests: {}", join(.0))]
    NightsTaken(Vec<Date>),
    #[error("the property kept changing; try again")]
    Contended,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

fn join(dates: &[Date]) -> String {
    dates
        .iter()
        .map(Date::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<WriteError> for CatalogError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Conflict => CatalogError::Contended,
            WriteError::Unexpected(e) => CatalogError::Unexpected(e),
        }
    }
}

pub async fn create_property(
    store: &dyn PropertyWriter,
    caller: &Caller,
    listing: Listing,
    now: Timestamp,
) -> Result<Property, CatalogError> {
    if !caller.is_host() {
        return Err(CatalogError::Forbidden("only hosts may list properties"));
    }
    let property = Property::list(caller.user_id.clone(), listing, now);
    let event = DomainEvent::new(
        Change::PropertyCreated {
            property: property.clone(),
        },
        now,
    );
    store.insert_property(&property, &event).await?;
    Ok(property)
}

pub async fn property(
    reader: &dyn PropertyReader,
    id: &PropertyId,
) -> Result<Property, CatalogError> {
    reader
        .property(id)
        .await?
        .ok_or_else(|| CatalogError::NotFound(id.clone()))
}

/// The caller's own listings, newest first: only ever the caller's, so a
/// guest (who lists nothing) gets an empty page rather than a refusal.
pub async fn my_listings(
    listings: &dyn HostListings,
    caller: &Caller,
    page: PageRequest<PropertyId>,
) -> Result<Page<Property, PropertyId>, CatalogError> {
    Ok(listings.listings_of(&caller.user_id, &page).await?)
}

/// The nights of property `id` over `range` that are not free, for its host
/// (or an admin): held or booked by which booking, blocked by the host, or
/// closed by another calendar. A lapsed hold is as good as free, so it is
/// left out.
pub async fn host_calendar(
    properties: &dyn PropertyReader,
    calendar: &dyn CalendarReader,
    caller: &Caller,
    id: &PropertyId,
    range: DateRange,
    now: Timestamp,
) -> Result<Vec<Night>, CatalogError> {
    let property = property(properties, id).await?;
    if property.host_id != caller.user_id && !caller.is_admin() {
        return Err(CatalogError::Forbidden(
            "only the property's host may see its calendar",
        ));
    }
    let nights = calendar.nights(id, range).await?;
    Ok(nights
        .into_iter()
        .filter(|night| night.state.is_taken(now))
        .collect())
}

/// The property, if `caller` may manage it: its host or an admin.
pub(crate) async fn managed_property(
    reader: &dyn PropertyReader,
    caller: &Caller,
    id: &PropertyId,
) -> Result<Property, CatalogError> {
    let property = property(reader, id).await?;
    if property.host_id != caller.user_id && !caller.is_admin() {
        return Err(CatalogError::Forbidden(
            "only the property's host may change it",
        ));
    }
    Ok(property)
}

pub async fn update_property(
    reader: &dyn PropertyReader,
    writer: &dyn PropertyWriter,
    caller: &Caller,
    id: &PropertyId,
    patch: ListingPatch,
    now: Timestamp,
) -> Result<Property, CatalogError> {
    let patch = &patch;
    let attempt = || async move {
        let current = managed_property(reader, caller, id).await?;
        let listing = current
            .listing
            .patched(patch.clone())
            .map_err(CatalogError::from)?;
        let next = current.revised(listing, now);
        let currency = next.listing.nightly_price.currency;
        if next.pricing.currency().is_some_and(|c| c != currency) {
            return Err(Attempt::Failed(CatalogError::from(InvalidInput::new(
                "nightly_price.currency",
                "must stay the pricing document's currency: replace the pricing document first",
            ))));
        }
        let event = Change::PropertyUpdated {
            property: next.clone(),
        };
        revise(writer, next, event, now).await
    };
    retry::on_conflict(attempt, || CatalogError::Contended).await
}

/// Writes the next version of a property with the event saying so.
async fn revise(
    writer: &dyn PropertyWriter,
    next: Property,
    change: Change,
    now: Timestamp,
) -> Result<Property, Attempt<CatalogError>> {
    let event = DomainEvent::new(change, now);
    writer
        .update_property(&next, &event)
        .await
        .map_err(written)?;
    Ok(next)
}

/// A write that lost a race is retried; any other failure is final.
fn written(error: WriteError) -> Attempt<CatalogError> {
    match error {
        WriteError::Conflict => Attempt::Conflict,
        WriteError::Unexpected(e) => Attempt::Failed(e.into()),
    }
}

/// A host's request to block (or unblock) every night of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocking<'a> {
    pub property: &'a PropertyId,
    pub range: DateRange,
    pub blocked: bool,
}

/// Blocks or unblocks every night of the range. Answers the nights that changed.
pub async fn set_blocked(
    properties: &dyn PropertyReader,
    reader: &dyn CalendarReader,
    writer: &dyn CalendarWriter,
    caller: &Caller,
    request: Blocking<'_>,
    now: Timestamp,
) -> Result<Vec<Date>, CatalogError> {
    let Blocking {
        property: id,
        range,
        blocked,
    } = request;
    managed_property(properties, caller, id).await?;
    let attempt = || async move {
        let nights = reader.nights(id, range).await.map_err(CatalogError::from)?;
        let dates = match calendar::plan_blocking(range, blocked, &nights, now) {
            CalendarPlan::Taken(dates) => return Err(CatalogError::NightsTaken(dates).into()),
            CalendarPlan::Change(dates) if dates.is_empty() => return Ok(dates),
            CalendarPlan::Change(dates) => dates,
        };
        let event = DomainEvent::new(
            Change::CalendarChanged {
                property_id: id.clone(),
                blocked,
                dates: dates.clone(),
            },
            now,
        );
        writer
            .set_blocked(id, &dates, blocked, now, &event)
            .await
            .map_err(written)?;
        Ok(dates)
    };
    retry::on_conflict(attempt, || CatalogError::Contended).await
}

pub async fn availability(
    properties: &dyn PropertyReader,
    calendar: &dyn CalendarReader,
    id: &PropertyId,
    range: DateRange,
    now: Timestamp,
) -> Result<Vec<(Date, Availability)>, CatalogError> {
    property(properties, id).await?;
    let nights = calendar.nights(id, range).await?;
    Ok(calendar::availability(range, &nights, now))
}

/// Replaces a property's pricing document with `document`, checked
/// against the property's currency. Answers the property as it now is.
pub async fn set_pricing(
    reader: &dyn PropertyReader,
    writer: &dyn PropertyWriter,
    caller: &Caller,
    id: &PropertyId,
    document: PricingDocument,
    now: Timestamp,
) -> Result<Property, CatalogError> {
    let document = &document;
    let attempt = || async move {
        let current = managed_property(reader, caller, id).await?;
        let currency = current.listing.nightly_price.currency;
        let pricing = Pricing::parse(document.clone(), currency).map_err(CatalogError::from)?;
        let next = current.repriced(pricing, now);
        let event = Change::PricingChanged {
            property: next.clone(),
        };
        revise(writer, next, event, now).await
    };
    retry::on_conflict(attempt, || CatalogError::Contended).await
}

/// The price of `stay` for `guests`, as of `now`.
pub async fn quote(
    properties: &dyn PropertyReader,
    id: &PropertyId,
    stay: Stay,
    guests: u32,
    now: Timestamp,
) -> Result<Quote, CatalogError> {
    let property = property(properties, id).await?;
    Ok(pricing::quote(&property, stay, guests, Date::of(now))?)
}
