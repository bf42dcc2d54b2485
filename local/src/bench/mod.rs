//! `berth bench`: measurements, not tests. `booking` drives a running
//! `berth serve` over HTTP and checks the invariants it promises.

mod booking;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Confirmed bookings per second and POST-to-CONFIRMED latency against a
    /// running `berth serve` (start it with --rate-limit 0), with the
    /// invariants checked afterwards.
    Booking(booking::BookingArgs),
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Booking(args) => booking::run(args).await,
    }
}
