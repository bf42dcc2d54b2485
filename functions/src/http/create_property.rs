//! `POST /properties`: a host lists a property → 201 with its id and host.

use std::sync::Arc;

use berth_domain::catalog;
use berth_domain::error::InvalidInput;
use berth_domain::ports::{Clock, PropertyWriter};
use berth_domain::property::{Listing, ListingFields};
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use super::dto::{LocationBody, MoneyBody};
use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyWriter>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_writer()?,
        clock: ports.clock(),
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPropertyBody {
    title: String,
    #[serde(default)]
    description: String,
    city: String,
    country: String,
    location: LocationBody,
    max_guests: u32,
    bedrooms: u32,
    #[serde(default)]
    amenities: Vec<String>,
    nightly_price: MoneyBody,
    cleaning_fee: MoneyBody,
    min_nights: u32,
    max_nights: u32,
    cancellation_policy: String,
    #[serde(default)]
    photos: Vec<String>,
}

impl NewPropertyBody {
    fn try_into_domain(self) -> Result<Listing, InvalidInput> {
        Listing::new(ListingFields {
            title: self.title,
            description: self.description,
            city: self.city,
            country: self.country,
            lat: self.location.lat,
            lon: self.location.lon,
            max_guests: self.max_guests,
            bedrooms: self.bedrooms,
            amenities: self.amenities,
            nightly_price: self.nightly_price.parts(),
            cleaning_fee: self.cleaning_fee.parts(),
            min_nights: self.min_nights,
            max_nights: self.max_nights,
            cancellation_policy: self.cancellation_policy,
            photos: self.photos,
        })
    }
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(create(deps, request).await)
}

#[tracing::instrument(name = "create_property", skip_all)]
async fn create(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let listing = api::json_body::<NewPropertyBody>(&request)?.try_into_domain()?;
    let property =
        catalog::create_property(deps.properties.as_ref(), &caller, listing, deps.clock.now())
            .await?;
    tracing::info!(property_id = %property.id, user_id = %caller.user_id, "property listed");
    api::json(StatusCode::CREATED, &property)
}
