//! What a state can read besides its data: the context object (`$$`), the
//! workflow variables in scope (`$name`), and the execution's source of
//! randomness for `States.UUID` and `States.MathRandom`.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use crate::query::Query;

/// The context object (`$$`) as seen by one state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) state_machine: &'a str,
    pub(crate) execution: &'a str,
    pub(crate) execution_input: &'a Value,
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) state: &'a str,
    pub(crate) entered_at: DateTime<Utc>,
    pub(crate) retry_count: u32,
    /// `$$.Map.Item`: the index and value of the item a Map's ItemSelector
    /// is building the input for.
    pub(crate) map_item: Option<(usize, &'a Value)>,
    pub(crate) task_token: Option<&'a str>,
    pub(crate) variables: &'a Scope,
    pub(crate) random: &'a Random,
}

/// The ARNs that `$$.Execution.Id` and `$$.StateMachine.Id` report locally.
pub(crate) fn state_machine_arn(state_machine: &str) -> String {
    format!("arn:aws:states:local:000000000000:stateMachine:{state_machine}")
}

pub(crate) fn execution_arn(state_machine: &str, execution: &str) -> String {
    format!("arn:aws:states:local:000000000000:execution:{state_machine}:{execution}")
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> Value {
    at.to_rfc3339_opts(SecondsFormat::Millis, true).into()
}

/// A `$$…` path: common leaves are read without building the whole object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContextPath {
    leaf: Option<Leaf>,
    /// What follows the leaf, or the whole path when there is no leaf.
    rest: Query,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leaf {
    ExecutionId,
    ExecutionName,
    ExecutionInput,
    ExecutionStartTime,
    StateName,
    StateEnteredTime,
    StateRetryCount,
    StateMachineId,
    StateMachineName,
    TaskToken,
    MapItemIndex,
    MapItemValue,
}

const LEAVES: [(&[&str], Leaf); 12] = [
    (&["Execution", "Id"], Leaf::ExecutionId),
    (&["Execution", "Name"], Leaf::ExecutionName),
    (&["Execution", "Input"], Leaf::ExecutionInput),
    (&["Execution", "StartTime"], Leaf::ExecutionStartTime),
    (&["State", "Name"], Leaf::StateName),
    (&["State", "EnteredTime"], Leaf::StateEnteredTime),
    (&["State", "RetryCount"], Leaf::StateRetryCount),
    (&["StateMachine", "Id"], Leaf::StateMachineId),
    (&["StateMachine", "Name"], Leaf::StateMachineName),
    (&["Task", "Token"], Leaf::TaskToken),
    (&["Map", "Item", "Index"], Leaf::MapItemIndex),
    (&["Map", "Item", "Value"], Leaf::MapItemValue),
];

impl ContextPath {
    pub(crate) fn parse(rest: &str) -> Result<Self, String> {
        let query = Query::parse_steps(rest)?;
        let fields = query.leading_fields();
        for (names, leaf) in LEAVES {
            if fields.len() >= names.len() && fields[..names.len()] == *names {
                return Ok(Self {
                    leaf: Some(leaf),
                    rest: query.skip(names.len()),
                });
            }
        }
        if let Some(first) = fields.first()
            && !["Execution", "State", "StateMachine", "Task", "Map"].contains(first)
        {
            return Err(format!("the context object has no field `{first}`"));
        }
        Ok(Self {
            leaf: None,
            rest: query,
        })
    }

    pub(crate) fn resolve(&self, ctx: &Context<'_>) -> Option<Value> {
        let Some(leaf) = self.leaf else {
            return self.rest.select(&whole(ctx)).map(|v| v.into_owned());
        };
        let value = match leaf {
            Leaf::ExecutionInput => {
                return self
                    .rest
                    .select(ctx.execution_input)
                    .map(|v| v.into_owned());
            }
            Leaf::MapItemValue => return self.rest.select(ctx.map_item?.1).map(|v| v.into_owned()),
            Leaf::ExecutionId => execution_arn(ctx.state_machine, ctx.execution).into(),
            Leaf::ExecutionName => ctx.execution.into(),
            Leaf::ExecutionStartTime => timestamp(ctx.started_at),
            Leaf::StateName => ctx.state.into(),
            Leaf::StateEnteredTime => timestamp(ctx.entered_at),
            Leaf::StateRetryCount => ctx.retry_count.into(),
            Leaf::StateMachineId => state_machine_arn(ctx.state_machine).into(),
            Leaf::StateMachineName => ctx.state_machine.into(),
            Leaf::TaskToken => ctx.task_token?.into(),
            Leaf::MapItemIndex => ctx.map_item?.0.into(),
        };
        self.rest.select(&value).map(|v| v.into_owned())
    }
}

/// The whole context object, for paths that name more than one leaf.
fn whole(ctx: &Context<'_>) -> Value {
    let mut object = json!({
        "Execution": {
            "Id": execution_arn(ctx.state_machine, ctx.execution),
            "Input": ctx.execution_input,
            "Name": ctx.execution,
            "RoleArn": "arn:aws:iam::000000000000:role/local",
            "StartTime": timestamp(ctx.started_at),
            "RedriveCount": 0,
        },
        "State": {
            "EnteredTime": timestamp(ctx.entered_at),
            "Name": ctx.state,
            "RetryCount": ctx.retry_count,
        },
        "StateMachine": {
            "Id": state_machine_arn(ctx.state_machine),
            "Name": ctx.state_machine,
        },
    });
    if let Some(token) = ctx.task_token {
        object["Task"] = json!({ "Token": token });
    }
    if let Some((index, value)) = ctx.map_item {
        object["Map"] = json!({ "Item": { "Index": index, "Value": value } });
    }
    object
}

/// The variables a state sees: its own scope's, then those of the scopes
/// around it (a Map iteration or Parallel branch reads the outer ones but
/// assigns only its own).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Scope {
    frames: Vec<Arc<Map<String, Value>>>,
}

impl Scope {
    pub(crate) fn new(own: Arc<Map<String, Value>>) -> Self {
        Self { frames: vec![own] }
    }

    /// A new, empty scope inside this one.
    pub(crate) fn inner(&self) -> Self {
        let mut frames = self.frames.clone();
        frames.push(Arc::new(Map::new()));
        Self { frames }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.frames.iter().rev().find_map(|frame| frame.get(name))
    }

    pub(crate) fn own(&self) -> Arc<Map<String, Value>> {
        self.frames.last().cloned().unwrap_or_default()
    }

    /// Sets variables of the innermost scope, all at once.
    pub(crate) fn assign(&mut self, values: Map<String, Value>) {
        if values.is_empty() {
            return;
        }
        if self.frames.is_empty() {
            self.frames.push(Arc::default());
        }
        if let Some(own) = self.frames.last_mut() {
            Arc::make_mut(own).extend(values);
        }
    }
}

/// Where `States.UUID` and `States.MathRandom` draw from: seeded, an
/// execution draws the same values on every run.
#[derive(Debug)]
pub(crate) struct Random {
    rng: Mutex<StdRng>,
}

impl Random {
    pub(crate) fn new(seed: Option<u64>, execution: &str) -> Self {
        let rng = match seed {
            Some(seed) => {
                let salt = execution
                    .bytes()
                    .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
                    });
                StdRng::seed_from_u64(seed ^ salt)
            }
            None => StdRng::from_os_rng(),
        };
        Self {
            rng: Mutex::new(rng),
        }
    }

    pub(crate) fn with<T>(&self, draw: impl FnOnce(&mut StdRng) -> T) -> T {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        draw(&mut rng)
    }

    pub(crate) fn uuid(&self) -> String {
        let bytes: [u8; 16] = self.with(|rng| rng.random());
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}
