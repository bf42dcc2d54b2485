//! `DELETE /me`: erases the caller's profile and learned signals → 204.

use std::sync::Arc;

use berth_domain::accounts;
use berth_domain::ports::{Clock, Profiles};
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};

pub struct Deps {
    pub profiles: Arc<dyn Profiles>,
    pub clock: Arc<dyn Clock>,
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
