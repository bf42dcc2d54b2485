//! Runs the search benchmark: `cargo run --release -p berth-search --example
//! bench -- --properties 1000000 [--queries 300] [--seed 7]
//! [--priced-percent 20]`.

use berth_search::bench::{BenchArgs, run};

fn main() {
    let mut args = BenchArgs::default();
    let mut argv = std::env::args().skip(1);
    while let Some(flag) = argv.next() {
        let value = argv.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--properties", Some(n)) => args.properties = n as usize,
            ("--queries", Some(n)) => args.queries_per_mix = n as usize,
            ("--seed", Some(n)) => args.seed = n,
            ("--priced-percent", Some(n)) => args.priced_percent = n as u32,
            _ => {
                eprintln!(
                    "usage: bench [--properties N] [--queries N] [--seed N] [--priced-percent N]"
                );
                std::process::exit(2);
            }
        }
    }
    println!("{}", run(args));
}
