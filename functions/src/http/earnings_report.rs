//! `GET /reports/earnings?from&to`: a host's earnings from the ledger.

use std::sync::Arc;

use berth_domain::dates::{Date, DateRange, MAX_RANGE_DAYS};
use berth_domain::ports::Ledger;
use berth_domain::reports;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub ledger: Arc<dyn Ledger>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        ledger: ports.ledger()?,
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(report(deps, request).await)
}

async fn report(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let from = api::required_query(&request, "from", Date::parse)?;
    let to = api::required_query(&request, "to", Date::parse)?;
    let range = DateRange::new(from, to, MAX_RANGE_DAYS)?;
    let report = reports::earnings(deps.ledger.as_ref(), &caller, range).await?;
    api::json(StatusCode::OK, &report)
}
