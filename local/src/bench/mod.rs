//! `berth bench`: measurements, not tests. `booking` drives a running
//! `berth serve` over HTTP and checks the invariants it promises; `search`
//! measures the search index on generated data.

mod booking;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Confirmed bookings per second and POST-to-CONFIRMED latency against a
    /// running `berth serve` (start it with --rate-limit 0), with the
    /// invariants checked afterwards.
    Booking(booking::BookingArgs),
    /// Search latency (p50/p99 per query mix, single thread), index build
    /// time and memory over generated data with 30% of nights booked and
    /// 20% of properties with pricing documents.
    Search(SearchArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct SearchArgs {
    /// Properties to generate.
    #[arg(long, default_value_t = 100_000)]
    pub properties: usize,
    /// Queries timed per mix.
    #[arg(long, default_value_t = 300)]
    pub queries: usize,
    /// Seed for the generated data.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Percent of properties given a pricing document (seasons, weekend
    /// prices, discounts, fees, taxes); 0 for flat prices only.
    #[arg(long, default_value_t = 20)]
    pub priced_percent: u32,
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Booking(args) => booking::run(args).await,
        BenchCommand::Search(args) => {
            let report = tokio::task::spawn_blocking(move || {
                berth_search::bench::run(berth_search::bench::BenchArgs {
                    properties: args.properties,
                    queries_per_mix: args.queries,
                    seed: args.seed,
                    priced_percent: args.priced_percent,
                })
            })
            .await?;
            println!("{report}");
            Ok(())
        }
    }
}
