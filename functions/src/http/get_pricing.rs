//! `GET /properties/{id}/pricing`: a property's pricing document, for anyone.

use std::sync::Arc;

use berth_domain::catalog;
use berth_domain::ids::PropertyId;
use berth_domain::ports::PropertyReader;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(get(deps, request).await)
}

async fn get(deps: &Deps, request: Request) -> Answer {
    let id = api::path(&request, "id", PropertyId::parse)?;
    let property = catalog::property(deps.properties.as_ref(), &id).await?;
    api::json(StatusCode::OK, &property.pricing)
}
