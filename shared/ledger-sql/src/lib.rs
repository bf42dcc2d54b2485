//! The ledger's SQL, written once in the dialect SQLite and PostgreSQL share,
//! with `:name` parameters (what both rusqlite and the RDS Data API take).
//! Dates are `YYYY-MM-DD` text, which sorts as dates do; amounts are integer
//! minor units.

/// The schema, one statement per `;` (the RDS Data API runs one at a time).
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger_entries (
    id TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL,
    host_id TEXT NOT NULL,
    property_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    occurred_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_entries_by_host_day ON ledger_entries (host_id, occurred_on);
";

/// Records one entry; a second insert of the same id changes nothing.
/// Parameters: `:id :booking_id :host_id :property_id :amount :currency :occurred_on :occurred_at`.
pub const INSERT_ENTRY: &str = "INSERT INTO ledger_entries \
    (id, booking_id, host_id, property_id, amount, currency, occurred_on, occurred_at) \
    VALUES (:id, :booking_id, :host_id, :property_id, :amount, :currency, :occurred_on, :occurred_at) \
    ON CONFLICT (id) DO NOTHING";

/// A host's earnings per currency over `[:from, :to)`.
/// Columns: currency, gross, refunds, net, bookings (all integers but currency).
pub const EARNINGS: &str = "SELECT currency, \
    CAST(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS BIGINT) AS gross, \
    CAST(SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END) AS BIGINT) AS refunds, \
    CAST(SUM(amount) AS BIGINT) AS net, \
    CAST(SUM(CASE WHEN amount > 0 THEN 1 ELSE 0 END) AS BIGINT) AS bookings \
    FROM ledger_entries \
    WHERE host_id = :host_id AND occurred_on >= :from AND occurred_on < :to \
    GROUP BY currency ORDER BY currency";

/// Erasure: a host's ledger lines keep their amounts under a pseudonym.
/// Parameters: `:host_id :pseudonym`.
pub const PSEUDONYMISE_HOST: &str =
    "UPDATE ledger_entries SET host_id = :pseudonym WHERE host_id = :host_id";

/// The schema's statements, one by one.
pub fn schema_statements() -> impl Iterator<Item = &'static str> {
    SCHEMA.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// The schema's version: the first 16 hex digits of its SHA-256. The
/// stack's `LedgerSchema` resource names it, so a deploy that changes the
/// schema runs the migration again (a test holds the two in step).
pub fn schema_version() -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(SCHEMA.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
