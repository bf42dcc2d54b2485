//! `GET /me`: the caller's profile, preferences and what Berth learned.

use std::sync::Arc;

use berth_domain::accounts;
use berth_domain::ports::{Profiles, SignalStore};
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub profiles: Arc<dyn Profiles>,
    pub signals: Arc<dyn SignalStore>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        profiles: ports.profiles()?,
        signals: ports.signals()?,
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(me(deps, request).await)
}

async fn me(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let me = accounts::me(deps.profiles.as_ref(), deps.signals.as_ref(), &caller).await?;
    api::json(StatusCode::OK, &me)
}
