//! Least privilege that works: each function's role, as CloudFormation
//! receives it from `sam deploy` (the SAM-transformed template, policy
//! templates expanded), allows every AWS action its code can call and
//! nothing else, and its environment holds exactly the variables its code
//! reads. What the code calls comes from the code: the ports a function's
//! builder asks the AWS source for, each stating its IAM actions and the
//! variable naming the resource they act on (shared/aws/src/access.rs).
//!
//! Rules of IAM this encodes (AWS documentation):
//! - an action is allowed only by an `Allow` statement naming it (or a
//!   wildcard matching it) on the resource: "Policy evaluation logic",
//!   <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>;
//! - DynamoDB transactions are authorised per item action (`PutItem`,
//!   `DeleteItem`, `UpdateItem`, `ConditionCheckItem`), not as
//!   `TransactWriteItems`: "Using IAM with DynamoDB transactions",
//!   <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html>;
//! - SQS `SendMessageBatch` is authorised as `sqs:SendMessage`: "Amazon SQS
//!   API permissions", <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html>;
//! - the RDS Data API reads the database secret with the caller's
//!   permissions (`secretsmanager:GetSecretValue`): "Authorizing access to
//!   the RDS Data API", <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.access.html>;
//! - an SQS or DynamoDB Streams event source mapping polls with the
//!   function's role (`AWSLambdaSQSQueueExecutionRole`,
//!   `AWSLambdaDynamoDBExecutionRole`) and sends a stream's failed batches
//!   to its on-failure destination with it (`sqs:SendMessage`): "Lambda
//!   execution role", <https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>,
//!   and <https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html>.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use berth_aws::access::{Access, Grant};
use berth_functions::catalogue::{self, FUNCTIONS, Trigger};
use serde_json::Value;

/// Where `scripts/check-template.sh` writes the transformed template.
const TRANSFORMED: &str = "target/transformed/template.json";

/// Managed policies every function's role has: logs and X-Ray, the
/// Lambda service's own needs, not the code's.
const ALWAYS: &[&str] = &["AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"];

/// A permission: an action on a resource, the resource being the logical id
/// a value refers to, or the literal value when it refers to none.
type Permission = (String, String);

/// A code permission's resource when no variable names it: any resource.
const ANY: &str = "*";

fn transformed() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(TRANSFORMED);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{TRANSFORMED} is missing ({e}): run `scripts/check-template.sh` first \
             (it writes the SAM-transformed template there; scripts/test.sh runs it)"
        )
    });
    serde_json::from_str(&text).expect("the transformed template is JSON")
}

/// The resource a CloudFormation value refers to: `Ref`, `Fn::GetAtt`, or
/// the first non-pseudo name of a `Fn::Sub`; else the value as text.
fn resource_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Object(map) => {
            if let Some(name) = map.get("Ref").and_then(Value::as_str) {
                return name.to_owned();
            }
            if let Some(name) = map.get("Fn::GetAtt").and_then(|g| g[0].as_str()) {
                return name.to_owned();
            }
            match map.get("Fn::Sub").and_then(Value::as_str) {
                Some(pattern) => pattern
                    .split("${")
                    .skip(1)
                    .filter_map(|piece| piece.split(['}', '.']).next())
                    .find(|name| !name.starts_with("AWS::"))
                    .unwrap_or(pattern)
                    .to_owned(),
                None => value.to_string(),
            }
        }
        other => other.to_string(),
    }
}

fn strings(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

/// What one function's role and configuration say, read from the
/// transformed template.
#[derive(Debug, Default)]
struct Deployed {
    /// Variable → the resource its value refers to.
    environment: BTreeMap<String, String>,
    allowed: BTreeSet<Permission>,
    managed: BTreeSet<String>,
    /// Statements this check cannot read (`NotAction`, `NotResource`).
    unreadable: Vec<String>,
}

impl Deployed {
    fn of(template: &Value, logical_id: &str) -> Self {
        let resources = &template["Resources"];
        let function = &resources[logical_id]["Properties"];
        let role = resource_of(&function["Role"]);
        let role = &resources[role.as_str()]["Properties"];
        let mut deployed = Self {
            environment: function["Environment"]["Variables"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, value)| (name.clone(), resource_of(value)))
                .collect(),
            managed: strings(role.get("ManagedPolicyArns"))
                .into_iter()
                .map(|arn| {
                    resource_of(arn)
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect(),
            ..Self::default()
        };
        for policy in strings(role.get("Policies")) {
            for statement in strings(policy["PolicyDocument"].get("Statement")) {
                deployed.read(statement);
            }
        }
        deployed
    }

    fn read(&mut self, statement: &Value) {
        if statement["Effect"] != "Allow" {
            return;
        }
        if statement.get("NotAction").is_some() || statement.get("NotResource").is_some() {
            self.unreadable.push(statement.to_string());
            return;
        }
        for action in strings(statement.get("Action")) {
            for resource in strings(statement.get("Resource")) {
                let action = action.as_str().unwrap_or_default().to_owned();
                self.allowed.insert((action, resource_of(resource)));
            }
        }
    }
}

/// What a function's code needs: its ports' grants, with each variable
/// resolved to the resource the deployment gives it, and its trigger's.
#[derive(Debug, Default)]
struct Needed {
    environment: BTreeSet<String>,
    calls: BTreeSet<Permission>,
    managed: BTreeSet<String>,
}

impl Needed {
    fn of(accessed: &[Access], trigger: Trigger, deployed: &Deployed) -> Self {
        let mut needed = Self {
            managed: ALWAYS.iter().map(|m| (*m).to_owned()).collect(),
            environment: berth_functions::runtime::environment(trigger)
                .iter()
                .map(|v| (*v).to_owned())
                .collect(),
            ..Self::default()
        };
        for access in accessed {
            needed
                .environment
                .extend(access.env.iter().map(|v| (*v).to_owned()));
            for grant in access.grants {
                needed.grant(grant, deployed);
            }
        }
        match trigger {
            Trigger::Queue { .. } => {
                needed
                    .managed
                    .insert("AWSLambdaSQSQueueExecutionRole".to_owned());
            }
            Trigger::OutboxStream => {
                needed
                    .managed
                    .insert("AWSLambdaDynamoDBExecutionRole".to_owned());
                needed
                    .calls
                    .insert(("sqs:SendMessage".to_owned(), ANY.to_owned()));
            }
            Trigger::Http { .. }
            | Trigger::Task { .. }
            | Trigger::Schedule { .. }
            | Trigger::Deploy { .. } => {}
        }
        needed
    }

    fn grant(&mut self, grant: &Grant, deployed: &Deployed) {
        let resource = match grant.on {
            Some(variable) => deployed
                .environment
                .get(variable)
                .cloned()
                .unwrap_or_else(|| format!("(the resource {variable} would name)")),
            None => ANY.to_owned(),
        };
        for action in grant.actions {
            self.calls.insert(((*action).to_owned(), resource.clone()));
        }
    }
}

/// Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive)
/// matches an action.
fn matches(pattern: &str, action: &str) -> bool {
    fn walk(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => walk(&p[1..], a) || (!a.is_empty() && walk(p, &a[1..])),
            (Some(b'?'), Some(_)) => walk(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => walk(&p[1..], &a[1..]),
            _ => false,
        }
    }
    walk(pattern.as_bytes(), action.as_bytes())
}

/// Every way `deployed` differs from what `needed`: an empty list when the
/// role allows exactly what the code calls.
fn mismatches(needed: &Needed, deployed: &Deployed) -> Vec<String> {
    let mut found = Vec::new();
    for (action, resource) in &needed.calls {
        let allowed = deployed.allowed.iter().any(|(pattern, on)| {
            matches(pattern, action) && (resource == ANY || on == resource || on == "*")
        });
        if !allowed {
            found.push(format!(
                "the role does not allow {action} on {resource}, which the code calls"
            ));
        }
    }
    for (pattern, on) in &deployed.allowed {
        let called = !pattern.contains(['*', '?'])
            && needed
                .calls
                .iter()
                .any(|(action, resource)| action == pattern && (resource == ANY || resource == on));
        if !called {
            found.push(format!(
                "the role allows {pattern} on {on}, which the code never calls"
            ));
        }
    }
    for statement in &deployed.unreadable {
        found.push(format!("a statement this check cannot read: {statement}"));
    }
    let deployed_env: BTreeSet<String> = deployed.environment.keys().cloned().collect();
    for missing in needed.environment.difference(&deployed_env) {
        found.push(format!("{missing} is unset, and the code reads it"));
    }
    for extra in deployed_env.difference(&needed.environment) {
        found.push(format!("{extra} is set, and the code never reads it"));
    }
    for missing in needed.managed.difference(&deployed.managed) {
        found.push(format!("the role lacks the managed policy {missing}"));
    }
    for extra in deployed.managed.difference(&needed.managed) {
        found.push(format!(
            "the role has the managed policy {extra}, which nothing needs"
        ));
    }
    found
}

#[test]
fn each_role_allows_what_its_code_calls_and_nothing_else() {
    let template = transformed();
    let mut failures = Vec::new();
    for f in FUNCTIONS {
        let accessed = catalogue::accessed(f).unwrap_or_else(|e| panic!("{}: {e:#}", f.name));
        let deployed = Deployed::of(&template, f.logical_id);
        let needed = Needed::of(&accessed, f.trigger, &deployed);
        for mismatch in mismatches(&needed, &deployed) {
            failures.push(format!("{}: {mismatch}", f.logical_id));
        }
    }
    assert!(
        failures.is_empty(),
        "roles and environments differ from what the code needs \
         (`berth catalogue` lists what it needs):\n{}",
        failures.join("\n")
    );
}

/// The search pods' policy (a replica, not a function) allows exactly what
/// a replica calls: the Kinesis feed's reads on the stream and reading the
/// published snapshot, as berth-search's adapters state them.
#[test]
fn the_search_service_policy_allows_what_a_replica_calls() {
    use berth_search::feed::kinesis::aws as kinesis;
    use berth_search::snapshots::s3;
    let template = transformed();
    let policy = &template["Resources"]["SearchServicePolicy"]["Properties"]["PolicyDocument"];
    let mut deployed = Deployed::default();
    for statement in strings(policy.get("Statement")) {
        deployed.read(statement);
    }
    let on = |actions: &[&str], resource: &str| -> Vec<Permission> {
        actions
            .iter()
            .map(|action| ((*action).to_owned(), resource.to_owned()))
            .collect()
    };
    let expected: BTreeSet<Permission> = on(kinesis::ACTIONS, "SearchEventsStream")
        .into_iter()
        .chain(on(s3::READ_ACTIONS, "SearchSnapshotBucket"))
        .collect();
    assert_eq!(deployed.allowed, expected);
    assert!(deployed.unreadable.is_empty(), "{:?}", deployed.unreadable);
}

mod checker {
    //! The comparison itself, on a known-bad role.

    use serde_json::json;

    use super::*;

    const TABLE_READER: Access = Access {
        port: "Reader",
        grants: &[Grant {
            actions: &["dynamodb:GetItem", "dynamodb:Query"],
            on: Some("THINGS_TABLE"),
        }],
        env: &["THINGS_TABLE"],
    };

    /// A function whose role allows `actions` on the things table, with
    /// `variables` in its environment.
    fn template(actions: Value, variables: Value) -> Value {
        json!({"Resources": {
            "Fn": {"Properties": {
                "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
                "Environment": {"Variables": variables},
            }},
            "FnRole": {"Properties": {
                "ManagedPolicyArns": [
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
                ],
                "Policies": [{"PolicyName": "FnRolePolicy0", "PolicyDocument": {"Statement": [
                    {"Effect": "Allow", "Action": actions,
                     "Resource": {"Fn::GetAtt": ["ThingsTable", "Arn"]}},
                ]}}],
            }},
        }})
    }

    fn check(template: &Value) -> Vec<String> {
        let deployed = Deployed::of(template, "Fn");
        let trigger = Trigger::Task {
            substitution: "FnArn",
        };
        mismatches(&Needed::of(&[TABLE_READER], trigger, &deployed), &deployed)
    }

    fn things() -> Value {
        json!({"THINGS_TABLE": {"Ref": "ThingsTable"}, "BERTH_EMULATOR_ENDPOINT": ""})
    }

    #[test]
    fn accepts_a_role_that_allows_exactly_the_calls() {
        let exact = template(json!(["dynamodb:GetItem", "dynamodb:Query"]), things());
        assert_eq!(check(&exact), Vec::<String>::new());
    }

    #[test]
    fn rejects_a_role_missing_an_action() {
        let missing = template(json!("dynamodb:GetItem"), things());
        assert_eq!(
            check(&missing),
            ["the role does not allow dynamodb:Query on ThingsTable, which the code calls"]
        );
    }

    #[test]
    fn rejects_a_role_with_an_action_never_called() {
        let extra = template(
            json!(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DeleteItem"]),
            things(),
        );
        assert_eq!(
            check(&extra),
            ["the role allows dynamodb:DeleteItem on ThingsTable, which the code never calls"]
        );
    }

    #[test]
    fn rejects_a_wildcard_and_an_action_on_another_resource() {
        let wildcard = template(json!("dynamodb:*"), things());
        assert_eq!(
            check(&wildcard),
            ["the role allows dynamodb:* on ThingsTable, which the code never calls"]
        );
        let elsewhere = template(
            json!(["dynamodb:GetItem", "dynamodb:Query"]),
            json!({"THINGS_TABLE": {"Ref": "OtherTable"}, "BERTH_EMULATOR_ENDPOINT": ""}),
        );
        assert_eq!(check(&elsewhere).len(), 4, "{:?}", check(&elsewhere));
    }

    #[test]
    fn rejects_environment_variables_missing_or_unread() {
        let env = json!({"OTHER": "x", "BERTH_EMULATOR_ENDPOINT": ""});
        let found = check(&template(
            json!(["dynamodb:GetItem", "dynamodb:Query"]),
            env,
        ));
        assert!(found.contains(&"THINGS_TABLE is unset, and the code reads it".to_owned()));
        assert!(found.contains(&"OTHER is set, and the code never reads it".to_owned()));
    }

    #[test]
    fn rejects_a_managed_policy_nothing_needs() {
        let mut role = template(json!(["dynamodb:GetItem", "dynamodb:Query"]), things());
        role["Resources"]["FnRole"]["Properties"]["ManagedPolicyArns"]
            .as_array_mut()
            .expect("a list")
            .push(json!("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"));
        assert_eq!(
            check(&role),
            ["the role has the managed policy AmazonDynamoDBFullAccess, which nothing needs"]
        );
    }

    #[test]
    fn wildcards_match_as_iam_matches_them() {
        assert!(matches("dynamodb:*", "dynamodb:GetItem"));
        assert!(matches("dynamodb:Get*", "dynamodb:getitem"));
        assert!(matches("s3:Get?bject", "s3:GetObject"));
        assert!(!matches("dynamodb:Get*", "dynamodb:PutItem"));
    }
}
