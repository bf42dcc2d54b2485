//! `PUT /me/preferences`: replaces the caller's preferences.

use std::sync::Arc;

use berth_domain::accounts;
use berth_domain::error::InvalidInput;
use berth_domain::ports::{Clock, Profiles};
use berth_domain::user::Preferences;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferencesBody {
    currency: Option<String>,
    #[serde(default)]
    cities: Vec<String>,
    #[serde(default)]
    amenities: Vec<String>,
    language: Option<String>,
}

impl PreferencesBody {
    fn try_into_domain(self) -> Result<Preferences, InvalidInput> {
        Preferences::new(self.currency, self.cities, self.amenities, self.language)
    }
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(put(deps, request).await)
}

async fn put(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let preferences = api::json_body::<PreferencesBody>(&request)?.try_into_domain()?;
    let profile = accounts::save_preferences(
        deps.profiles.as_ref(),
        &caller,
        preferences,
        deps.clock.now(),
    )
    .await?;
    api::json(StatusCode::OK, &profile)
}
