//! `POST /quotes`: the price of a stay, for anyone.

use std::sync::Arc;

use berth_domain::catalog;
use berth_domain::dates::{Date, Stay};
use berth_domain::error::InvalidInput;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{Clock, PropertyReader};
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_reader()?,
        clock: ports.clock(),
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StayBody {
    pub property_id: String,
    pub check_in: String,
    pub check_out: String,
    pub guests: u32,
}

impl StayBody {
    /// The property and a stay that starts today or later.
    pub fn try_into_domain(&self, today: Date) -> Result<(PropertyId, Stay), InvalidInput> {
        let property = PropertyId::parse(&self.property_id).map_err(|e| e.named("property_id"))?;
        let check_in = Date::parse(&self.check_in).map_err(|e| e.named("check_in"))?;
        let check_out = Date::parse(&self.check_out).map_err(|e| e.named("check_out"))?;
        Ok((property, Stay::new(check_in, check_out, today)?))
    }
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(quote(deps, request).await)
}

async fn quote(deps: &Deps, request: Request) -> Answer {
    let body: StayBody = api::json_body(&request)?;
    let now = deps.clock.now();
    let (property, stay) = body.try_into_domain(Date::of(now))?;
    let quote = catalog::quote(deps.properties.as_ref(), &property, stay, body.guests, now).await?;
    api::json(StatusCode::OK, &quote)
}
