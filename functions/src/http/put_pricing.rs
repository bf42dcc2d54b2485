//! `PUT /properties/{id}/pricing`: its host replaces the pricing document.

use std::sync::Arc;

use berth_domain::catalog;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{Clock, PropertyReader, PropertyWriter};
use berth_domain::pricing::PricingDocument;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
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

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(put(deps, request).await)
}

#[tracing::instrument(name = "put_pricing", skip_all)]
async fn put(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    // The document's own shape (types, unknown fields) is checked here; its
    // rules, against the property's currency, by the domain.
    let document: PricingDocument = api::json_body(&request)?;
    let property = catalog::set_pricing(
        deps.reader.as_ref(),
        deps.writer.as_ref(),
        &caller,
        &id,
        document,
        deps.clock.now(),
    )
    .await?;
    api::json(StatusCode::OK, &property.pricing)
}
