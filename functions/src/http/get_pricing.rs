//! `GET /properties/{id}/pricing`: a property's pricing document, for anyone.

use std::sync::Arc;

use berth_domain::catalog;
use berth_domain::ids::PropertyId;
use berth_domain::ports::PropertyReader;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_reader()?,
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(get(deps, request).await)
}

async fn get(deps: &Deps, request: Request) -> Answer {
    let id = api::path(&request, "id", PropertyId::parse)?;
    let property = catalog::property(deps.properties.as_ref(), &id).await?;
    api::json(StatusCode::OK, &property.pricing)
}
