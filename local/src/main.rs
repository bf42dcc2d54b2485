//! `berth`: run Berth on one machine, and the tools around it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "berth",
    version,
    about = "Berth, a booking platform for short stays: its local platform and developer tools."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole platform on this machine: the HTTP API, the booking
    /// workflow, events, queues, schedules and search, over one data directory.
    Serve(berth_local::serve::ServeArgs),
    /// Walk through one booking end to end against a running `berth serve`.
    Demo {
        /// Where `berth serve` listens.
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
    },
    /// Measure a running `berth serve` (booking) or the search index (search).
    #[command(subcommand)]
    Bench(berth_local::bench::BenchCommand),
    /// Run or check Step Functions state machines in-process, without AWS.
    #[command(subcommand)]
    States(berth_local::states::StatesCommand),
    /// Run one function in-process against the embedded platform with an
    /// event from a file (see events/), and print its answer.
    Invoke {
        /// The function's name, such as create-property (see `berth invoke --list`).
        function: Option<String>,
        /// A JSON event file.
        event: Option<PathBuf>,
        /// The data directory of the embedded platform.
        #[arg(long, default_value = ".berth")]
        data_dir: PathBuf,
        /// List every function.
        #[arg(long)]
        list: bool,
    },
    /// List every function with its trigger and what its code needs in AWS:
    /// the environment variables and IAM actions of the ports it builds.
    Catalogue {
        /// As JSON: name, logical_id, trigger, environment, actions, ports.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let code = runtime.block_on(async move {
        match cli.command {
            Command::States(command) => return berth_local::states::run(command).await,
            Command::Serve(args) => berth_local::serve::run(args).await,
            Command::Demo { url } => berth_local::demo::run(&url).await,
            Command::Bench(command) => berth_local::bench::run(command).await,
            Command::Invoke {
                function,
                event,
                data_dir,
                list,
            } => {
                berth_local::invoke::run(function.as_deref(), event.as_deref(), &data_dir, list)
                    .await
            }
            Command::Catalogue { json } => berth_local::catalogue::run(json),
        }
        .map(|()| 0)
    })?;
    std::process::exit(code)
}
