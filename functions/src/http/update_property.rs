//! `PATCH /properties/{id}`: its host changes what may change after listing.

use std::sync::Arc;

use berth_domain::catalog;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{Clock, PropertyReader, PropertyWriter};
use berth_domain::property::ListingPatch;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use super::dto::MoneyBody;
use crate::api::{self, Answer, Problem};
use crate::runtime::Handler;

pub struct Deps {
    pub reader: Arc<dyn PropertyReader>,
    pub writer: Arc<dyn PropertyWriter>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        reader: ports.property_reader()?,
        writer: ports.property_writer()?,
        clock: ports.clock(),
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

/// Location, city, country, id and host are fixed: naming them is refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    title: Option<String>,
    description: Option<String>,
    max_guests: Option<u32>,
    bedrooms: Option<u32>,
    amenities: Option<Vec<String>>,
    nightly_price: Option<MoneyBody>,
    cleaning_fee: Option<MoneyBody>,
    min_nights: Option<u32>,
    max_nights: Option<u32>,
    cancellation_policy: Option<String>,
    photos: Option<Vec<String>>,
}

impl From<PatchBody> for ListingPatch {
    fn from(body: PatchBody) -> Self {
        ListingPatch {
            title: body.title,
            description: body.description,
            max_guests: body.max_guests,
            bedrooms: body.bedrooms,
            amenities: body.amenities,
            nightly_price: body.nightly_price.map(MoneyBody::parts),
            cleaning_fee: body.cleaning_fee.map(MoneyBody::parts),
            min_nights: body.min_nights,
            max_nights: body.max_nights,
            cancellation_policy: body.cancellation_policy,
            photos: body.photos,
        }
    }
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(update(deps, request).await)
}

#[tracing::instrument(name = "update_property", skip_all)]
async fn update(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    let patch = ListingPatch::from(api::json_body::<PatchBody>(&request)?);
    if patch.is_empty() {
        return Err(Problem::invalid(berth_domain::error::InvalidInput::new(
            "body",
            "name at least one field to change",
        )));
    }
    let property = catalog::update_property(
        deps.reader.as_ref(),
        deps.writer.as_ref(),
        &caller,
        &id,
        patch,
        deps.clock.now(),
    )
    .await?;
    api::json(StatusCode::OK, &property)
}
