//! `berth states run|validate`: Step Functions on the developer's machine,
//! without Java or Docker. A definition runs in-process on Berth's executor
//! and the outcome prints as one JSON object; `validate` only loads it.
//!
//! Task resources that name Berth's functions (`${…FunctionArn}`
//! substitutions, `local:function:<name>`, or a Lambda ARN ending in
//! `:function:<name>`) run those functions over the embedded platform's data
//! directory; `--mock RESOURCE=FILE` answers any other resource with a fixed
//! result or error, as the TestState API's mocks do. Anything else is refused
//! when the definition loads.

mod history;
mod tasks;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use berth_asl::{
    ExecutionStatus, Executor, InMemoryJournal, StartOutcome, StateMachine, TaskInvoker, TokioTimer,
};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::platform::workflow;
use tasks::{Mock, StatesTasks};

#[derive(Debug, Subcommand)]
pub enum StatesCommand {
    /// Run a state machine in-process; print {"status", "output"} or
    /// {"status", "error", "cause"}. Exits 0 when it ran, whatever the
    /// outcome, and 2 when the definition is refused.
    Run(RunArgs),
    /// Check a definition without running it. Exits 2 when it is refused.
    Validate(DefinitionArgs),
}

#[derive(Debug, Args)]
pub struct DefinitionArgs {
    /// The state machine definition (Amazon States Language, JSONPath).
    definition: PathBuf,
    /// A definition substitution, as SAM's DefinitionSubstitutions.
    #[arg(long = "sub", value_name = "NAME=VALUE")]
    subs: Vec<String>,
    /// Answer a Task resource with the result or error in FILE:
    /// {"result": …} or {"errorOutput": {"error": …, "cause": …}}.
    #[arg(long = "mock", value_name = "RESOURCE=FILE")]
    mocks: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    definition: DefinitionArgs,
    /// The execution's input: a JSON file, or `-` for standard input.
    #[arg(long)]
    input: Option<String>,
    /// Add the event history, in the shape of GetExecutionHistory.
    #[arg(long)]
    history: bool,
    /// How long waits last: 0.01 turns a 10 s Wait into 100 ms.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Makes States.UUID and States.MathRandom repeat from run to run.
    #[arg(long)]
    seed: Option<u64>,
    /// The execution's name ($$.Execution.Name).
    #[arg(long, default_value = "local")]
    name: String,
    /// The embedded platform's data directory, for Tasks that run Berth's
    /// functions.
    #[arg(long, default_value = ".berth")]
    data_dir: PathBuf,
}

/// Runs the command; the answer is the process's exit code.
pub async fn run(command: StatesCommand) -> anyhow::Result<i32> {
    match command {
        StatesCommand::Validate(args) => {
            let mocks = mocks(&args.mocks)?;
            Ok(match load(&args, &mocks)? {
                Ok(_) => {
                    println!("{}", json!({ "valid": true }));
                    0
                }
                Err(refusal) => refused(&refusal),
            })
        }
        StatesCommand::Run(args) => run_machine(args).await,
    }
}

async fn run_machine(args: RunArgs) -> anyhow::Result<i32> {
    let mocks = mocks(&args.definition.mocks)?;
    let machine = match load(&args.definition, &mocks)? {
        Ok(machine) => machine,
        Err(refusal) => return Ok(refused(&refusal)),
    };
    let input = read_input(args.input.as_deref())?;
    let functions = needs_functions(&machine, &mocks);
    let invoker = StatesTasks::new(mocks, functions, &args.data_dir).await?;
    let timer = TokioTimer::scaled(args.time_scale)?;
    let mut executor = Executor::new(
        Arc::new(machine),
        Arc::new(invoker) as Arc<dyn TaskInvoker>,
        Arc::new(InMemoryJournal::new()),
        Arc::new(timer),
    );
    if let Some(seed) = args.seed {
        executor = executor.with_seed(seed);
    }
    let StartOutcome::Started(handle) = executor.start(&args.name, input).await? else {
        anyhow::bail!("an execution named {} exists already", args.name);
    };
    handle.finished().await?;
    let record = executor
        .describe(&args.name)
        .await?
        .context("the execution's record is missing")?;
    let mut answer = outcome(&record);
    if args.history {
        let definition = read_definition(&args.definition.definition)?;
        answer["history"] = history::of(&record, &definition);
    }
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(0)
}

fn outcome(record: &berth_asl::ExecutionRecord) -> Value {
    match record.status {
        ExecutionStatus::Succeeded => json!({ "status": "SUCCEEDED", "output": record.output() }),
        ExecutionStatus::Failed => {
            let (error, cause) = record.failure().unwrap_or((None, None));
            json!({ "status": "FAILED", "error": error, "cause": cause })
        }
        ExecutionStatus::TimedOut => json!({ "status": "TIMED_OUT" }),
        ExecutionStatus::Aborted => json!({ "status": "ABORTED" }),
        ExecutionStatus::Running => json!({ "status": "RUNNING" }),
    }
}

fn refused(refusal: &berth_asl::LoadError) -> i32 {
    eprintln!("{}: {}", refusal.path, refusal.problem);
    2
}

fn read_definition(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Loads the definition: `Ok(Err(_))` when it is refused.
fn load(
    args: &DefinitionArgs,
    mocks: &HashMap<String, Mock>,
) -> anyhow::Result<Result<StateMachine, berth_asl::LoadError>> {
    let text = read_definition(&args.definition)?;
    let mut substitutions = workflow::function_substitutions();
    for sub in &args.subs {
        let (name, value) = sub
            .split_once('=')
            .with_context(|| format!("--sub {sub:?}: expected NAME=VALUE"))?;
        substitutions.insert(name.to_owned(), value.to_owned());
    }
    let name = args
        .definition
        .file_stem()
        .and_then(|stem| stem.to_str())
        .map(|stem| stem.trim_end_matches(".asl").to_owned())
        .unwrap_or_else(|| "local".to_owned());
    let resolves =
        |resource: &str| mocks.contains_key(resource) || tasks::function_of(resource).is_some();
    Ok(StateMachine::load(&name, &text, &substitutions, &resolves))
}

fn mocks(specs: &[String]) -> anyhow::Result<HashMap<String, Mock>> {
    specs
        .iter()
        .map(|spec| {
            let (resource, file) = spec
                .rsplit_once('=')
                .with_context(|| format!("--mock {spec:?}: expected RESOURCE=FILE"))?;
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
            let mock = Mock::parse(&text).with_context(|| format!("--mock {file}"))?;
            Ok((resource.to_owned(), mock))
        })
        .collect()
}

/// Whether any Task resource runs one of Berth's functions (which needs the
/// embedded platform).
fn needs_functions(machine: &StateMachine, mocks: &HashMap<String, Mock>) -> bool {
    machine
        .resources()
        .iter()
        .any(|resource| !mocks.contains_key(*resource) && tasks::function_of(resource).is_some())
        || machine
            .resources()
            .contains(&"arn:aws:states:::lambda:invoke")
}

fn read_input(input: Option<&str>) -> anyhow::Result<Value> {
    let text = match input {
        None => return Ok(json!({})),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            text
        }
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
    };
    serde_json::from_str(&text).context("the input is not JSON")
}
