//! `berth catalogue`: every function with its trigger, and what it needs in
//! AWS as its code builds it (the ports its builder asks for): environment
//! variables and IAM actions. `--json` for tools; the parity tests compare
//! the same with the SAM-transformed template.

use std::collections::BTreeSet;

use berth_aws::access::Access;
use berth_functions::catalogue::{self, FUNCTIONS, Function, Trigger};
use serde::Serialize;

/// One function as `berth catalogue --json` prints it.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub name: &'static str,
    pub logical_id: &'static str,
    pub trigger: Trigger,
    /// Every environment variable its adapters and its runtime read.
    pub environment: BTreeSet<&'static str>,
    /// Every IAM action its ports call.
    pub actions: BTreeSet<&'static str>,
    /// The ports it asks for, each with its grants.
    pub ports: Vec<Access>,
}

impl Entry {
    pub fn of(function: &Function) -> anyhow::Result<Self> {
        let ports = catalogue::accessed(function)?;
        Ok(Self {
            name: function.name,
            logical_id: function.logical_id,
            trigger: function.trigger,
            environment: ports
                .iter()
                .flat_map(|a| a.env)
                .chain(berth_functions::runtime::environment(function.trigger))
                .copied()
                .collect(),
            actions: ports
                .iter()
                .flat_map(|a| a.grants)
                .flat_map(|g| g.actions)
                .copied()
                .collect(),
            ports,
        })
    }
}

pub fn run(json: bool) -> anyhow::Result<()> {
    let entries = FUNCTIONS
        .iter()
        .map(Entry::of)
        .collect::<anyhow::Result<Vec<_>>>()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    for entry in entries {
        println!(
            "{} ({}): {}",
            entry.name,
            entry.logical_id,
            describe(entry.trigger)
        );
        let list = |items: BTreeSet<&str>| items.into_iter().collect::<Vec<_>>().join(" ");
        println!("    environment: {}", list(entry.environment));
        println!("    actions:     {}", list(entry.actions));
    }
    Ok(())
}

/// A trigger in words, as `berth invoke --list` prints it.
pub fn describe(trigger: Trigger) -> String {
    match trigger {
        Trigger::Http { method, path, .. } => format!("{method} {path}"),
        Trigger::Task { substitution } => format!("workflow task ({substitution})"),
        Trigger::Queue { queue } => format!("SQS {queue}"),
        Trigger::OutboxStream => "DynamoDB stream of the outbox".to_owned(),
        Trigger::Schedule { expression, .. } => format!("schedule {expression}"),
        Trigger::Deploy { resource } => format!("deploy ({resource})"),
    }
}
