//! What answers the Tasks of `berth states run`: mocks first, then Berth's
//! functions over the embedded platform.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use async_trait::async_trait;
use berth_asl::{TaskContext, TaskFailure, TaskInvoker};
use serde::Deserialize;
use serde_json::Value;

use crate::invoke;
use crate::platform::workflow::LocalTasks;

/// A fixed answer, in the shape of the TestState API's `mock`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Mock {
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error_output: Option<MockError>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MockError {
    error: String,
    #[serde(default)]
    cause: String,
}

impl Mock {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mock: Mock = serde_json::from_str(text)
            .context("expected {\"result\": …} or {\"errorOutput\": {\"error\", \"cause\"}}")?;
        if mock.result.is_some() == mock.error_output.is_some() {
            anyhow::bail!("give exactly one of result and errorOutput");
        }
        Ok(mock)
    }

    fn answer(&self) -> Result<Value, TaskFailure> {
        match (&self.result, &self.error_output) {
            (Some(result), _) => Ok(result.clone()),
            (None, Some(error)) => Err(TaskFailure::new(&error.error, &error.cause)),
            (None, None) => Ok(Value::Null),
        }
    }
}

/// The name of the Berth function a resource names, if it names one:
/// `local:function:<name>` or an ARN ending in `:function:<name>`.
pub fn function_of(resource: &str) -> Option<&str> {
    let name = resource
        .strip_prefix("local:function:")
        .or_else(|| resource.rsplit_once(":function:").map(|(_, name)| name))?;
    berth_functions::catalogue::function(name).map(|function| function.name)
}

pub struct StatesTasks {
    mocks: HashMap<String, Mock>,
    functions: Option<LocalTasks>,
}

impl StatesTasks {
    /// Starts the embedded platform over `data_dir` only when `functions`.
    pub async fn new(
        mocks: HashMap<String, Mock>,
        functions: bool,
        data_dir: &Path,
    ) -> anyhow::Result<Self> {
        let functions = if functions {
            let platform = invoke::prepare(data_dir).await?;
            Some(LocalTasks::new(&platform.functions))
        } else {
            None
        };
        Ok(Self { mocks, functions })
    }
}

#[async_trait]
impl TaskInvoker for StatesTasks {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        ctx: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        if let Some(mock) = self.mocks.get(resource) {
            return mock.answer();
        }
        match (function_of(resource), &self.functions) {
            (Some(name), Some(functions)) => {
                let resource = format!("local:function:{name}");
                functions.invoke(&resource, input, ctx).await
            }
            _ => Err(TaskFailure::new(
                "Lambda.ResourceNotFoundException",
                format!("no Berth function and no --mock answers {resource}"),
            )),
        }
    }
}
