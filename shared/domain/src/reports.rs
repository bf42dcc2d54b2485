//! Host reports, read from the ledger.

use serde::{Deserialize, Serialize};

use crate::dates::DateRange;
use crate::ids::UserId;
use crate::ports::{Earnings, Ledger};
use crate::user::Caller;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarningsReport {
    pub host_id: UserId,
    pub from: crate::dates::Date,
    pub to: crate::dates::Date,
    /// One line per currency the host earned in.
    pub earnings: Vec<Earnings>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("only hosts have earnings")]
    Forbidden,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub async fn earnings(
    ledger: &dyn Ledger,
    caller: &Caller,
    range: DateRange,
) -> Result<EarningsReport, ReportError> {
    if !caller.is_host() {
        return Err(ReportError::Forbidden);
    }
    Ok(EarningsReport {
        host_id: caller.user_id.clone(),
        from: range.from,
        to: range.to,
        earnings: ledger.earnings(&caller.user_id, range).await?,
    })
}
