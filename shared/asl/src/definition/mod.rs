//! The loaded state machine: a definition parsed, substituted and validated
//! once, with transitions resolved to indexes so that running it never looks
//! at JSON keys or state names again.

pub(crate) mod error;
pub(crate) mod fields;
pub(crate) mod iteration;
mod parse;
mod recovery;
mod substitute;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::choice::Rule;
use crate::dataflow::{ResultPath, Selector};
use crate::path::ReferencePath;
use crate::payload::Template;
use error::{LoadError, LoadProblem, child};
use fields::{Fields, invalid};
pub(crate) use recovery::Catcher;

pub(crate) use iteration::{Concurrency, MapState, Parallel, Tolerance};
pub(crate) use recovery::Retrier;

/// A validated state machine, ready to run any number of executions.
#[derive(Debug)]
pub struct StateMachine {
    name: Arc<str>,
    top: Branch,
    timeout: Option<Duration>,
}

/// States and where they start: the machine itself, a Parallel branch or a
/// Map's item processor. Transitions are indexes into `states`.
#[derive(Debug)]
pub(crate) struct Branch {
    pub(crate) start_at: usize,
    pub(crate) states: Vec<State>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) name: Arc<str>,
    pub(crate) kind: StateKind,
    /// `Assign`: variables set when the state completes.
    pub(crate) assign: Option<Template>,
}

#[derive(Debug)]
pub(crate) enum StateKind {
    Task(Task),
    Pass(Pass),
    Choice(Choice),
    Wait(Wait),
    Succeed(Io),
    Fail(Fail),
    Parallel(Parallel),
    Map(MapState),
}

#[derive(Debug)]
pub(crate) struct Io {
    pub(crate) input_path: Selector,
    pub(crate) output_path: Selector,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Transition {
    Next(usize),
    End,
}

#[derive(Debug)]
pub(crate) struct Task {
    pub(crate) io: Io,
    pub(crate) resource: Arc<str>,
    pub(crate) integration: Integration,
    /// `.waitForTaskToken`: the result comes from SendTaskSuccess.
    pub(crate) wait_for_token: bool,
    pub(crate) heartbeat: Option<Duration>,
    pub(crate) parameters: Option<Template>,
    pub(crate) result_selector: Option<Template>,
    pub(crate) result_path: ResultPath,
    pub(crate) retry: Vec<Retrier>,
    pub(crate) catch: Vec<Catcher>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) transition: Transition,
}

/// How a Task reaches its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Integration {
    /// `Resource` names the work itself (a function's ARN).
    Direct,
    /// `arn:aws:states:::lambda:invoke`: Parameters name the function and
    /// its `Payload`; the result wraps the function's answer.
    LambdaInvoke,
}

#[derive(Debug)]
pub(crate) struct Pass {
    pub(crate) io: Io,
    pub(crate) parameters: Option<Template>,
    pub(crate) result: Option<Arc<Value>>,
    pub(crate) result_path: ResultPath,
    pub(crate) transition: Transition,
}

#[derive(Debug)]
pub(crate) struct Choice {
    pub(crate) io: Io,
    pub(crate) choices: Vec<ChoiceRule>,
    pub(crate) default: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct ChoiceRule {
    pub(crate) rule: Rule,
    pub(crate) next: usize,
    pub(crate) assign: Option<Template>,
}

#[derive(Debug)]
pub(crate) struct Wait {
    pub(crate) io: Io,
    pub(crate) until: WaitFor,
    pub(crate) transition: Transition,
}

#[derive(Debug)]
pub(crate) enum WaitFor {
    Seconds(u64),
    Timestamp(DateTime<Utc>),
    SecondsPath(ReferencePath),
    TimestampPath(ReferencePath),
}

#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) error: Option<Template>,
    pub(crate) cause: Option<Template>,
}

impl StateMachine {
    /// Loads a definition as SAM would deploy it: `${Name}` placeholders are
    /// replaced from `substitutions` (`${!Name}` stays a literal `${Name}`),
    /// then the result is parsed and validated. `resolver` says whether a
    /// Task `Resource` is mapped to a handler; an unmapped one is refused here
    /// rather than failing a run later. Anything unsupported is refused too.
    pub fn load(
        name: &str,
        json: &str,
        substitutions: &HashMap<String, String>,
        resolver: &dyn Fn(&str) -> bool,
    ) -> Result<Self, LoadError> {
        let mut definition: Value = serde_json::from_str(json)
            .map_err(|e| LoadError::new("$", LoadProblem::InvalidJson(e.to_string())))?;
        substitute::apply(&mut definition, substitutions, "$")?;

        let mut top = Fields::new(&definition, "$".to_owned())?;
        top.string("Comment")?;
        if let Some(version) = top.string("Version")?
            && version != "1.0"
        {
            return Err(invalid(&top.at("Version"), "only Version \"1.0\" exists"));
        }
        parse::query_language(&mut top)?;
        let timeout = parse::timeout_seconds(&mut top)?;
        let start_at = top.required_string("StartAt")?;
        let states_at = top.at("States");
        let Value::Object(definitions) = top.required("States")? else {
            return Err(invalid(&states_at, "expected an object of states"));
        };
        top.finish()?;

        let top = parse::branch(start_at, definitions, &states_at, resolver)?;
        let mut seen = std::collections::HashSet::new();
        if let Some(name) = top.names().find(|name| !seen.insert(*name)) {
            return Err(invalid(
                &states_at,
                &format!(
                    "the state name {name:?} is used twice: names are unique in a state machine"
                ),
            ));
        }
        Ok(Self {
            name: name.into(),
            top,
            timeout,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `Resource` of every Task state, for checking a deployment's wiring.
    pub fn resources(&self) -> Vec<&str> {
        let mut resources = Vec::new();
        self.top.resources(&mut resources);
        resources
    }

    pub(crate) fn top(&self) -> &Branch {
        &self.top
    }

    pub(crate) fn start_at(&self) -> usize {
        self.top.start_at
    }

    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    pub(crate) fn state(&self, index: usize) -> &State {
        &self.top.states[index]
    }

    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.top
            .states
            .iter()
            .position(|state| &*state.name == name)
    }
}

impl Branch {
    /// Every state name, nested branches' included.
    fn names(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.states.iter().flat_map(|state| {
            let nested: Box<dyn Iterator<Item = &str>> = match &state.kind {
                StateKind::Parallel(parallel) => {
                    Box::new(parallel.branches.iter().flat_map(Branch::names))
                }
                StateKind::Map(map) => map.processor.names(),
                _ => Box::new(std::iter::empty()),
            };
            std::iter::once(&*state.name).chain(nested)
        }))
    }

    fn resources<'a>(&'a self, out: &mut Vec<&'a str>) {
        for state in &self.states {
            match &state.kind {
                StateKind::Task(task) => out.push(&task.resource),
                StateKind::Parallel(parallel) => {
                    parallel.branches.iter().for_each(|b| b.resources(out));
                }
                StateKind::Map(map) => map.processor.resources(out),
                _ => {}
            }
        }
    }

    pub(crate) fn check_reachable(&self, states_at: &str) -> Result<(), LoadError> {
        let mut reached = vec![false; self.states.len()];
        let mut queue = VecDeque::from([self.start_at]);
        reached[self.start_at] = true;
        while let Some(index) = queue.pop_front() {
            for next in self.states[index].kind.successors() {
                if !std::mem::replace(&mut reached[next], true) {
                    queue.push_back(next);
                }
            }
        }
        match reached.iter().position(|reached| !reached) {
            Some(index) => Err(LoadError::new(
                child(states_at, &self.states[index].name),
                LoadProblem::UnreachableState,
            )),
            None => Ok(()),
        }
    }
}

impl StateKind {
    fn successors(&self) -> Vec<usize> {
        let next = |transition: &Transition| match transition {
            Transition::Next(next) => Some(*next),
            Transition::End => None,
        };
        match self {
            StateKind::Task(task) => next(&task.transition)
                .into_iter()
                .chain(task.catch.iter().map(|catcher| catcher.next))
                .collect(),
            StateKind::Pass(pass) => next(&pass.transition).into_iter().collect(),
            StateKind::Wait(wait) => next(&wait.transition).into_iter().collect(),
            StateKind::Choice(choice) => choice
                .choices
                .iter()
                .map(|rule| rule.next)
                .chain(choice.default)
                .collect(),
            StateKind::Parallel(Parallel { recovery, .. })
            | StateKind::Map(MapState { recovery, .. }) => next(&recovery.transition)
                .into_iter()
                .chain(recovery.catch.iter().map(|catcher| catcher.next))
                .collect(),
            StateKind::Succeed(_) | StateKind::Fail(_) => Vec::new(),
        }
    }

    /// Whether entering the state is worth a checkpoint: it calls out or
    /// waits. The others finish instantly and deterministically, so they are
    /// recorded with the next checkpoint or with the execution's end.
    pub(crate) fn is_durable(&self) -> bool {
        matches!(
            self,
            StateKind::Task(_) | StateKind::Wait(_) | StateKind::Parallel(_) | StateKind::Map(_)
        )
    }
}
