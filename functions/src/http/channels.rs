//! What the calendar sync routes share: the ports a sync runs on, and the
//! export link as the caller reaches this API.

use std::sync::Arc;

use berth_domain::calendar_sync::Syncing;
use berth_domain::channels::ExportToken;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{
    BookingReader, CalendarConflicts, CalendarReader, Clock, ExportLinks, FeedNights, FeedReader,
    FeedStore, PropertyReader,
};
use berth_domain::wiring::PortSource;
use lambda_http::{Request, RequestExt};

use crate::api;

/// The ports of the export link's routes.
pub struct ExportDeps {
    pub properties: Arc<dyn PropertyReader>,
    pub links: Arc<dyn ExportLinks>,
    /// The API's public address, when requests do not name it.
    pub public_url: Option<String>,
}

impl ExportDeps {
    pub fn build(ports: &impl PortSource) -> anyhow::Result<Self> {
        Ok(Self {
            properties: ports.property_reader()?,
            links: ports.export_links()?,
            public_url: ports.public_url()?,
        })
    }

    /// The export link of `id` with `token`, as the caller reaches the API.
    pub fn url(&self, request: &Request, id: &PropertyId, token: &ExportToken) -> String {
        export_url(self.public_url.as_deref(), request, id, token)
    }
}

/// The export link: on the API's public address when there is one (behind
/// CloudFront, requests name the API's own domain, which answers only
/// the edge), else on the scheme and host the request came in on.
fn export_url(
    public_url: Option<&str>,
    request: &Request,
    id: &PropertyId,
    token: &ExportToken,
) -> String {
    let base = match public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => request_base(request),
    };
    format!(
        "{base}/properties/{id}/calendar.ics?token={}",
        token.as_str()
    )
}

/// The ports of a feed's sync, and of the host's routes around it.
pub struct SyncDeps {
    pub properties: Arc<dyn PropertyReader>,
    pub calendar: Arc<dyn CalendarReader>,
    pub feeds: Arc<dyn FeedStore>,
    pub nights: Arc<dyn FeedNights>,
    pub conflicts: Arc<dyn CalendarConflicts>,
    pub bookings: Arc<dyn BookingReader>,
    pub reader: Arc<dyn FeedReader>,
    pub clock: Arc<dyn Clock>,
}

impl SyncDeps {
    pub fn build(ports: &impl PortSource) -> anyhow::Result<Self> {
        Ok(Self {
            properties: ports.property_reader()?,
            calendar: ports.calendar_reader()?,
            feeds: ports.feeds()?,
            nights: ports.feed_nights()?,
            conflicts: ports.conflicts()?,
            bookings: ports.booking_reader()?,
            reader: ports.feed_reader()?,
            clock: ports.clock(),
        })
    }

    pub fn syncing(&self) -> Syncing<'_> {
        Syncing {
            calendar: self.calendar.as_ref(),
            feeds: self.feeds.as_ref(),
            nights: self.nights.as_ref(),
            conflicts: self.conflicts.as_ref(),
            bookings: self.bookings.as_ref(),
            reader: self.reader.as_ref(),
        }
    }
}

/// The scheme and host the request came in on (API Gateway's domain name
/// and its `X-Forwarded-Proto`).
fn request_base(request: &Request) -> String {
    let host = request
        .request_context_ref()
        .and_then(|context| match context {
            lambda_http::request::RequestContext::ApiGatewayV2(v2) => v2.domain_name.clone(),
            _ => None,
        })
        .or_else(|| api::header(request, "host").map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    let scheme = match api::header(request, "x-forwarded-proto") {
        Some("http") => "http",
        Some(_) => "https",
        None if host.starts_with("127.") || host.starts_with("localhost") => "http",
        None => "https",
    };
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(event: &str) -> Request {
        let path = format!("{}/../events/{event}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).expect("a sample event");
        lambda_http::request::from_str(&text).expect("an API Gateway request")
    }

    #[test]
    fn the_export_link_names_the_domain_and_scheme_the_request_came_in_on() {
        let id = PropertyId::parse("prop_de400000000000000000000000000001").unwrap();
        let token = ExportToken::generate();
        let request = request("get-calendar-export");
        let path = format!("/properties/{id}/calendar.ics?token={}", token.as_str());
        assert_eq!(
            export_url(None, &request, &id, &token),
            format!("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com{path}")
        );
        assert_eq!(
            export_url(
                Some("https://d111111abcdef8.cloudfront.net/"),
                &request,
                &id,
                &token
            ),
            format!("https://d111111abcdef8.cloudfront.net{path}"),
            "behind the edge, the public address"
        );
    }
}
