//! The store as a source of ports: every store port (and the notifier's
//! outbox) over this one database. The platform adds the gateway, the
//! workflow and the bus; the contract tests run on the store alone.

use std::sync::Arc;

use berth_domain::ports::*;
use berth_domain::wiring::PortSource;

use crate::SqliteStore;

impl PortSource for SqliteStore {
    fn property_reader(&self) -> anyhow::Result<Arc<dyn PropertyReader>> {
        Ok(Arc::new(self.clone()))
    }

    fn host_listings(&self) -> anyhow::Result<Arc<dyn HostListings>> {
        Ok(Arc::new(self.clone()))
    }

    fn property_writer(&self) -> anyhow::Result<Arc<dyn PropertyWriter>> {
        Ok(Arc::new(self.clone()))
    }

    fn calendar_reader(&self) -> anyhow::Result<Arc<dyn CalendarReader>> {
        Ok(Arc::new(self.clone()))
    }

    fn calendar_writer(&self) -> anyhow::Result<Arc<dyn CalendarWriter>> {
        Ok(Arc::new(self.clone()))
    }

    fn booking_reader(&self) -> anyhow::Result<Arc<dyn BookingReader>> {
        Ok(Arc::new(self.clone()))
    }

    fn requests(&self) -> anyhow::Result<Arc<dyn BookingRequests>> {
        Ok(Arc::new(self.clone()))
    }

    fn changes(&self) -> anyhow::Result<Arc<dyn BookingChanges>> {
        Ok(Arc::new(self.clone()))
    }

    fn abandoned(&self) -> anyhow::Result<Arc<dyn AbandonedBookings>> {
        Ok(Arc::new(self.clone()))
    }

    fn ledger(&self) -> anyhow::Result<Arc<dyn Ledger>> {
        Ok(Arc::new(self.clone()))
    }

    fn ledger_migrations(&self) -> anyhow::Result<Arc<dyn LedgerMigrations>> {
        Ok(Arc::new(self.clone()))
    }

    fn audit(&self) -> anyhow::Result<Arc<dyn AuditLog>> {
        Ok(Arc::new(self.clone()))
    }

    fn notifier(&self) -> anyhow::Result<Arc<dyn Notifier>> {
        Ok(Arc::new(self.clone()))
    }

    fn profiles(&self) -> anyhow::Result<Arc<dyn Profiles>> {
        Ok(Arc::new(self.clone()))
    }

    fn signals(&self) -> anyhow::Result<Arc<dyn SignalStore>> {
        Ok(Arc::new(self.clone()))
    }

    fn personal_data(&self) -> anyhow::Result<Arc<dyn PersonalData>> {
        Ok(Arc::new(self.clone()))
    }

    fn feeds(&self) -> anyhow::Result<Arc<dyn FeedStore>> {
        Ok(Arc::new(self.clone()))
    }

    fn feed_nights(&self) -> anyhow::Result<Arc<dyn FeedNights>> {
        Ok(Arc::new(self.clone()))
    }

    fn conflicts(&self) -> anyhow::Result<Arc<dyn CalendarConflicts>> {
        Ok(Arc::new(self.clone()))
    }

    fn export_links(&self) -> anyhow::Result<Arc<dyn ExportLinks>> {
        Ok(Arc::new(self.clone()))
    }
}
