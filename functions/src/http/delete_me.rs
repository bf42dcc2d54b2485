//! `DELETE /me`: erases the caller's profile and learned signals → 204.

use std::sync::Arc;

use berth_domain::accounts;
use berth_domain::ports::{Clock, Profiles};
use berth_domain::wiring::PortSource;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub profiles: Arc<dyn Profiles>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        profiles: ports.profiles()?,
        clock: ports.clock(),
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(erase(deps, request).await)
}

#[tracing::instrument(name = "delete_me", skip_all)]
async fn erase(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    accounts::erase(deps.profiles.as_ref(), &caller, deps.clock.now()).await?;
    tracing::info!(user_id = %caller.user_id, "user erased");
    api::no_content()
}
