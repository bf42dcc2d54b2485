//! `berth invoke <function> <event-file>`: one function, in-process, over
//! the embedded platform (the data directory of `berth serve`), with an event
//! from a file. It prints the function's answer, as `cargo lambda invoke` or
//! `sam local invoke` would.

use std::path::Path;

use anyhow::Context;
use berth_domain::reservations::RequestTimes;
use berth_functions::catalogue::FUNCTIONS;

use crate::platform::{Background, Platform, PlatformConfig, workflow};
use crate::seed;

/// The embedded platform over `data_dir`, without background work; a new
/// data directory first gets the demo listings and the demo booking, so
/// every sample event in events/ has something to act on.
pub async fn prepare(data_dir: &Path) -> anyhow::Result<Platform> {
    let platform = Platform::start(
        PlatformConfig {
            data_dir: data_dir.to_owned(),
            time_scale: 1.0,
            times: RequestTimes::default(),
            definition: workflow::booking_definition(Path::new(".")),
            aws: None,
            allow_private_feeds: false,
        },
        Background::None,
    )
    .await?;
    if platform.store.last_event_seq()? == 0 {
        seed::seed(&platform.store, seed::DEMO_LISTINGS).await?;
        seed::seed_demo_booking(&platform.store, &platform.store).await?;
    }
    Ok(platform)
}

pub async fn run(
    function: Option<&str>,
    event: Option<&Path>,
    data_dir: &Path,
    list: bool,
) -> anyhow::Result<()> {
    if list || function.is_none() {
        for f in FUNCTIONS {
            println!("{:<22} {}", f.name, crate::catalogue::describe(f.trigger));
        }
        return Ok(());
    }
    let name = function.unwrap_or_default();
    berth_functions::catalogue::function(name)
        .with_context(|| format!("no function named {name:?}; `berth invoke --list` lists them"))?;
    let event = event.context("give an event file, such as events/<function>.json")?;
    let text =
        std::fs::read_to_string(event).with_context(|| format!("reading {}", event.display()))?;
    let event: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", event.display()))?;
    let platform = prepare(data_dir).await?;
    let handler = platform
        .functions
        .json
        .get(name)
        .with_context(|| format!("{name} is not wired in the local platform"))?;
    match handler(event).await {
        Ok(answer) => {
            println!("{}", serde_json::to_string_pretty(&answer)?);
            Ok(())
        }
        Err(failure) => {
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"errorType": failure.error, "errorMessage": failure.cause})
                )?
            );
            anyhow::bail!("{name} failed with {}", failure.error)
        }
    }
}
