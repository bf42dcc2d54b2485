//! The ledger's schema, applied by the stack on every deploy that changes it
//! (the `LedgerSchema` custom resource in template.yaml), before the ledger
//! consumer exists: no confirmation reaches a ledger without its tables.
//! Applying it is idempotent; deleting the resource leaves the ledger alone.

use std::collections::BTreeMap;
use std::sync::Arc;

use berth_domain::ports::{DeployReplies, LedgerMigrations};
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::{RequestType, StackRequest, StackResponse, Status, send};
use crate::runtime::Handler;

/// The resource's physical id: one schema per stack, whatever changes.
pub const PHYSICAL_ID: &str = "berth-ledger-schema";

pub struct Deps {
    pub ledger: Arc<dyn LedgerMigrations>,
    pub replies: Arc<dyn DeployReplies>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        ledger: ports.ledger_migrations()?,
        replies: ports.stack_replies()?,
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "migrate_ledger", skip_all)]
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<StackRequest>,
) -> Result<StackResponse, lambda_runtime::Error> {
    let request = event.payload;
    let outcome = match request.request_type {
        RequestType::Delete => Ok(BTreeMap::new()),
        RequestType::Create | RequestType::Update => match deps.ledger.migrate().await {
            Ok(()) => Ok(BTreeMap::from([(
                "SchemaVersion".to_owned(),
                berth_ledger_sql::schema_version(),
            )])),
            Err(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    "applying the ledger schema failed"
                );
                Err(format!("applying the ledger schema failed: {error:#}"))
            }
        },
    };
    let answer = StackResponse::to(&request, PHYSICAL_ID, outcome);
    if answer.status == Status::Failed {
        tracing::warn!(reason = ?answer.reason, "telling the stack the schema was not applied");
    }
    // Not answering would hold the deploy an hour: a failed send fails the
    // invocation, and Lambda's retry of the stack's asynchronous invoke
    // sends again.
    send(deps.replies.as_ref(), &request.response_url, &answer).await?;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use serde_json::json;

    use super::*;

    #[derive(Default)]
    struct Ledger {
        fails: bool,
        runs: AtomicUsize,
    }

    #[async_trait]
    impl LedgerMigrations for Ledger {
        async fn migrate(&self) -> anyhow::Result<()> {
            self.runs.fetch_add(1, Ordering::SeqCst);
            if self.fails {
                anyhow::bail!("permission denied for schema public")
            }
            Ok(())
        }
    }

    #[derive(Default)]
    struct Stack(Mutex<Vec<(String, StackResponse)>>);

    #[async_trait]
    impl DeployReplies for Stack {
        async fn reply(&self, url: &str, body: &[u8]) -> anyhow::Result<()> {
            let response: StackResponse = serde_json::from_slice(body)?;
            self.0.lock().unwrap().push((url.to_owned(), response));
            Ok(())
        }
    }

    fn request(kind: &str) -> StackRequest {
        serde_json::from_value(json!({
            "RequestType": kind,
            "ResponseURL": "https://example.invalid/response",
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/berth/1",
            "RequestId": "r-1",
            "LogicalResourceId": "LedgerSchema",
            "PhysicalResourceId": "berth-ledger-schema",
            "ResourceType": "Custom::LedgerSchema",
            "ResourceProperties": {"SchemaVersion": "x"},
        }))
        .unwrap()
    }

    async fn run(fails: bool, kind: &str) -> (usize, Vec<(String, StackResponse)>) {
        let ledger = Arc::new(Ledger {
            fails,
            ..Ledger::default()
        });
        let stack = Arc::new(Stack::default());
        let deps = Deps {
            ledger: ledger.clone(),
            replies: stack.clone(),
        };
        let event = LambdaEvent::new(request(kind), lambda_runtime::Context::default());
        handle(&deps, event).await.unwrap();
        let sent = stack.0.lock().unwrap().clone();
        (ledger.runs.load(Ordering::SeqCst), sent)
    }

    #[tokio::test]
    async fn create_and_update_apply_the_schema_and_say_so() {
        for kind in ["Create", "Update"] {
            let (runs, sent) = run(false, kind).await;
            assert_eq!(runs, 1);
            let [(url, answer)] = &sent[..] else {
                panic!("one answer: {sent:?}")
            };
            assert_eq!(url, "https://example.invalid/response");
            assert_eq!(answer.status, Status::Success);
            assert_eq!(answer.physical_resource_id, PHYSICAL_ID);
            assert_eq!(
                answer.data.get("SchemaVersion"),
                Some(&berth_ledger_sql::schema_version())
            );
            assert_eq!(
                (
                    answer.request_id.as_str(),
                    answer.logical_resource_id.as_str()
                ),
                ("r-1", "LedgerSchema")
            );
        }
    }

    #[tokio::test]
    async fn a_failure_is_answered_with_its_reason() {
        let (_, sent) = run(true, "Create").await;
        let answer = &sent[0].1;
        assert_eq!(answer.status, Status::Failed);
        assert!(
            answer
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("permission denied")),
            "{answer:?}"
        );
        let json = serde_json::to_value(answer).unwrap();
        assert_eq!(json["Status"], "FAILED");
        assert_eq!(json["PhysicalResourceId"], PHYSICAL_ID);
    }

    #[tokio::test]
    async fn delete_leaves_the_ledger_alone() {
        let (runs, sent) = run(false, "Delete").await;
        assert_eq!(runs, 0, "the tables outlive the resource");
        assert_eq!(sent[0].1.status, Status::Success);
    }
}
