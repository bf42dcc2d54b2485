//! The domain's [`FeedReader`] port: a feed fetched safely ([`crate::fetch`])
//! and read ([`crate::import`]). Every reason a feed is not imported comes
//! back in words for the feed's `last_error`.

use async_trait::async_trait;
use berth_domain::channels::FeedEvent;
use berth_domain::dates::DateRange;
use berth_domain::ports::{FeedReadError, FeedReader};

use crate::fetch::{self, Limits};
use crate::import::read_feed;

/// Feeds fetched within `limits`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeedClient {
    limits: Limits,
}

impl FeedClient {
    pub fn new(limits: Limits) -> Self {
        Self { limits }
    }
}

#[async_trait]
impl FeedReader for FeedClient {
    async fn check(&self, url: &str) -> Result<(), FeedReadError> {
        fetch::check_url(url, self.limits)
            .await
            .map(|_| ())
            .map_err(|error| FeedReadError::Refused(error.to_string()))
    }

    async fn events(&self, url: &str, window: DateRange) -> Result<Vec<FeedEvent>, FeedReadError> {
        let text = fetch::fetch(url, self.limits)
            .await
            .map_err(|error| FeedReadError::Failed(error.to_string()))?;
        read_feed(&text, window).map_err(|error| FeedReadError::Failed(error.to_string()))
    }
}
