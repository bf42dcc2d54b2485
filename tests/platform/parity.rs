//! template.yaml (what AWS runs) and the local platform (the function
//! catalogue and the topology it wires itself from) must describe one system
//! (docs/architecture.md, The two runtimes). These tests fail when a function, route, queue, rule, stream,
//! schedule or state machine task exists on one side only, when a function
//! has no binary or sample event, and when a sample event in events/ does not
//! run on the local platform as `berth invoke` runs it.

use std::collections::{BTreeMap, BTreeSet};

use berth_domain::events::Source;
use berth_functions::catalogue::{FUNCTIONS, Function, Trigger};
use berth_local::platform::topology::{
    self, BOOKING_STATE_MACHINE, QUEUES, RULES, SEARCH_STREAM, Target,
};
use serde_yaml_ng::Value;

use crate::stacks::{Stacks, repository};

/// Routes the template serves with something other than a function.
const SERVICE_ROUTES: &[(&str, &str)] = &[("GET", "/search")];

fn read(relative: &str) -> String {
    let path = repository().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The nested stacks' resources (template.yaml's stacks/*.yaml), tags
/// (`!Ref`, `!GetAtt`, `!Sub`) kept, read as one system.
struct Template {
    resources: BTreeMap<String, Value>,
    /// The stack (its logical id in template.yaml) holding each resource.
    stack_of: BTreeMap<String, String>,
    stacks: Stacks,
}

impl Template {
    fn load() -> Self {
        let stacks = Stacks::load();
        let mut resources = BTreeMap::new();
        let mut stack_of = BTreeMap::new();
        for (id, (stack, resource)) in stacks.resources() {
            resources.insert(id.clone(), resource.clone());
            stack_of.insert(id, stack.to_owned());
        }
        Self {
            resources,
            stack_of,
            stacks,
        }
    }

    /// The resource a value held by `holder` refers to, across stacks.
    fn resolve(&self, holder: &str, value: &Value) -> Option<String> {
        self.stacks
            .resolve(&self.stack_of[holder], value)
            .map(|(_, id)| id)
    }

    /// Logical id and properties of every resource of `kind`.
    fn of_type(&self, kind: &str) -> BTreeMap<&str, &Value> {
        self.resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
            .map(|(id, r)| (id.as_str(), r.get("Properties").unwrap_or(&Value::Null)))
            .collect()
    }

    fn ids_of(&self, kind: &str) -> BTreeSet<String> {
        self.of_type(kind)
            .keys()
            .map(|id| (*id).to_owned())
            .collect()
    }

    fn functions(&self) -> BTreeMap<&str, &Value> {
        self.of_type("AWS::Serverless::Function")
    }

    fn function(&self, logical_id: &str) -> &Value {
        self.functions()
            .get(logical_id)
            .copied()
            .unwrap_or_else(|| panic!("template.yaml has no function {logical_id}"))
    }

    /// A function's events of `kind` (SAM's `Events`).
    fn events_of<'a>(&'a self, logical_id: &str, kind: &str) -> Vec<&'a Value> {
        self.function(logical_id)
            .get("Events")
            .and_then(Value::as_mapping)
            .map(|events| {
                events
                    .values()
                    .filter(|e| e.get("Type").and_then(Value::as_str) == Some(kind))
                    .filter_map(|e| e.get("Properties"))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The value under a tag (`!Ref X` → `X`), or the value itself.
fn untagged(value: &Value) -> &Value {
    match value {
        Value::Tagged(tagged) => untagged(&tagged.value),
        other => other,
    }
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).map(untagged).and_then(Value::as_str)
}

fn number(value: &Value, key: &str) -> Option<u64> {
    value
        .get(key)
        .map(untagged)
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
}

/// The resource (or parameter) a `!Ref X`, `!Ref X.Alias` or `!GetAtt
/// X.Attr` names. A parameter named after another stack's resource stands
/// for that resource (`parameters_named_after_a_resource_are_that_resource`).
pub fn target(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" || tagged.tag == "GetAtt" => {
            tagged.value.as_str().and_then(|r| r.split('.').next())
        }
        _ => None,
    }
}

/// Every resource a value refers to, however deep (`!Sub` included).
fn references(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Sub" => {
            let pattern = tagged.value.as_str().unwrap_or_default();
            for piece in pattern.split("${").skip(1) {
                let name = piece.split(['}', '.']).next().unwrap_or_default();
                if !name.starts_with("AWS::") {
                    found.insert(name.to_owned());
                }
            }
        }
        Value::Tagged(tagged) => match target(value) {
            Some(id) => {
                found.insert(id.to_owned());
            }
            None => references(&tagged.value, found),
        },
        Value::Sequence(items) => items.iter().for_each(|v| references(v, found)),
        Value::Mapping(map) => map.values().for_each(|v| references(v, found)),
        _ => {}
    }
}

fn strings(value: Option<&Value>) -> BTreeSet<String> {
    value
        .map(untagged)
        .and_then(Value::as_sequence)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| untagged(v).as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn set<T: Ord + Clone>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    items.into_iter().collect()
}

/// Fails listing what is only in template.yaml or only in the local platform.
fn same<T: Ord + std::fmt::Debug + Clone>(what: &str, template: &BTreeSet<T>, local: &BTreeSet<T>) {
    same_in(
        what,
        ("the stacks (template.yaml, stacks/)", template),
        ("the local platform", local),
    );
}

/// Fails listing what is only on one side.
fn same_in<T: Ord + std::fmt::Debug>(
    what: &str,
    (a, left): (&str, &BTreeSet<T>),
    (b, right): (&str, &BTreeSet<T>),
) {
    let only_left: Vec<_> = left.difference(right).collect();
    let only_right: Vec<_> = right.difference(left).collect();
    assert!(
        only_left.is_empty() && only_right.is_empty(),
        "{what} differ\n  only in {a}: {only_left:?}\n  only in {b}: {only_right:?}"
    );
}

fn catalogue_function(logical_id: &str) -> &'static Function {
    FUNCTIONS
        .iter()
        .find(|f| f.logical_id == logical_id)
        .unwrap_or_else(|| panic!("{logical_id} is not in the catalogue"))
}

#[test]
fn functions_are_the_catalogue() {
    let template = Template::load();
    same(
        "functions",
        &template
            .functions()
            .keys()
            .map(|id| (*id).to_owned())
            .collect(),
        &set(FUNCTIONS.iter().map(|f| f.logical_id.to_owned())),
    );
    for f in FUNCTIONS {
        let metadata = template.resources[f.logical_id]
            .get("Metadata")
            .unwrap_or(&Value::Null);
        assert_eq!(
            text(metadata, "BuildMethod"),
            Some("rust-cargolambda"),
            "{}",
            f.logical_id
        );
        let binary = metadata
            .get("BuildProperties")
            .and_then(|p| text(p, "Binary"));
        assert_eq!(
            binary,
            Some(f.name),
            "{} builds the wrong binary",
            f.logical_id
        );
    }
}

#[test]
fn every_function_has_a_sample_event_and_every_event_a_function() {
    let events: BTreeSet<String> = std::fs::read_dir(repository().join("events"))
        .expect("events/ exists")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .collect();
    same_in(
        "sample events",
        ("events/", &events),
        (
            "the catalogue",
            &set(FUNCTIONS.iter().map(|f| f.name.to_owned())),
        ),
    );
}

/// Each function's Lambda binary: a `[[bin]]` of functions/Cargo.toml whose
/// `main` runs that function's own catalogue entry.
#[test]
fn every_function_has_a_binary_running_its_entry() {
    // Each `[[bin]]` table's first line is its `name = "…"`.
    let manifest = read("functions/Cargo.toml");
    let bins: BTreeSet<String> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(|table| {
            let name = table.trim_start().strip_prefix("name = \"")?;
            Some(name.split('"').next()?.to_owned())
        })
        .collect();
    same_in(
        "binaries",
        ("functions/Cargo.toml", &bins),
        (
            "the catalogue",
            &set(FUNCTIONS.iter().map(|f| f.name.to_owned())),
        ),
    );
    for f in FUNCTIONS {
        let main = read(&format!("functions/src/bin/{}.rs", f.name));
        let entry = format!(
            "catalogue::{}",
            f.name.to_ascii_uppercase().replace('-', "_")
        );
        assert!(
            main.contains(&entry),
            "functions/src/bin/{}.rs must run {entry}",
            f.name
        );
    }
}

/// The function a route's integration invokes: its URI names the live
/// alias as `function:${X}:live`, X being the API stack's own function or a
/// parameter carrying another stack's function name (named after it).
fn invoked_function(template: &Template, api_id: &str, integration: &Value) -> Option<String> {
    let uri = untagged(integration.get("uri")?).as_str()?;
    let name = uri
        .split(":function:${")
        .nth(1)?
        .strip_suffix("}:live/invocations")?;
    template
        .stacks
        .resolve_name(&template.stack_of[api_id], name)
        .map(|(_, function)| function)
}

#[test]
fn routes_are_the_catalogue_routes() {
    let template = Template::load();
    let apis = template.of_type("AWS::Serverless::HttpApi");
    let [(api_id, api)] = apis.iter().collect::<Vec<_>>()[..] else {
        panic!("the stacks have one HTTP API, not {}", apis.len());
    };
    let auth = api.get("Auth").expect("the HTTP API has Auth");
    let authorizers = auth.get("Authorizers").and_then(Value::as_mapping);
    for (id, _) in template.functions() {
        assert!(
            template.events_of(id, "HttpApi").is_empty(),
            "{id}: routes are written in {api_id}'s DefinitionBody (an HttpApi event needs the API in the function's own stack)"
        );
    }
    // (method, path, behind the authorizer, served by)
    let mut served = BTreeSet::new();
    let paths = api
        .get("DefinitionBody")
        .and_then(|b| b.get("paths"))
        .and_then(Value::as_mapping);
    for (path, item) in paths.into_iter().flatten() {
        let path = path.as_str().expect("a path");
        for (method, operation) in item.as_mapping().into_iter().flatten() {
            // A route deployed under a condition: its definition is the Fn::If's first branch.
            let operation = match operation.get("Fn::If").and_then(Value::as_sequence) {
                Some(branches) => branches.get(1).unwrap_or(&Value::Null),
                None => operation,
            };
            let method = method.as_str().expect("a method").to_uppercase();
            let security = operation.get("security").and_then(Value::as_sequence);
            let authorizer = security
                .into_iter()
                .flatten()
                .filter_map(Value::as_mapping)
                .flat_map(|m| m.keys().filter_map(Value::as_str))
                .next()
                .unwrap_or_else(|| panic!("{method} {path} names no authorizer (NONE if public)"));
            if authorizer != "NONE" {
                let jwt = authorizers
                    .and_then(|a| a.get(authorizer))
                    .and_then(|a| a.get("JwtConfiguration"));
                assert!(
                    jwt.is_some(),
                    "{method} {path} uses {authorizer}, which is no JWT authorizer of the API"
                );
            }
            let integration = operation
                .get("x-amazon-apigateway-integration")
                .unwrap_or_else(|| panic!("{method} {path} has no integration"));
            let served_by = match text(integration, "type") {
                Some("aws_proxy") => invoked_function(&template, api_id, integration)
                    .unwrap_or_else(|| panic!("{method} {path} invokes no function of the stacks")),
                // Routes served by something else (the search service).
                _ => format!("service ({api_id} DefinitionBody)"),
            };
            served.insert((method, path.to_owned(), authorizer != "NONE", served_by));
        }
    }
    let mut expected: BTreeSet<_> = FUNCTIONS
        .iter()
        .filter_map(|f| match f.trigger {
            Trigger::Http { method, path, auth } => Some((
                method.to_owned(),
                path.to_owned(),
                auth,
                f.logical_id.to_owned(),
            )),
            _ => None,
        })
        .collect();
    for (method, path) in SERVICE_ROUTES {
        let found = served.iter().find(|(m, p, ..)| m == method && p == path);
        expected.insert(found.cloned().unwrap_or_else(|| {
            panic!("template.yaml does not route {method} {path} to its service")
        }));
    }
    same(
        "routes (method, path, behind the JWT authorizer, function)",
        &served,
        &expected,
    );
    let openapi: serde_json::Value =
        serde_json::from_str(&read("openapi.json")).expect("openapi.json is JSON");
    for (method, path, ..) in &served {
        assert!(
            openapi["paths"][path][method.to_lowercase()].is_object(),
            "template.yaml routes {method} {path}, which openapi.json does not document"
        );
    }
}

#[test]
fn queues_are_the_topology_queues() {
    let template = Template::load();
    let queues = template.of_type("AWS::SQS::Queue");
    let mut expected = BTreeSet::new();
    for spec in QUEUES {
        let queue = queues
            .get(spec.logical_id)
            .unwrap_or_else(|| panic!("template.yaml has no queue {}", spec.logical_id));
        let fifo = |q: &Value| {
            q.get("FifoQueue")
                .map(untagged)
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        assert_eq!(fifo(queue), spec.fifo, "{} FIFO", spec.logical_id);
        assert_eq!(
            number(queue, "VisibilityTimeout"),
            Some(spec.visibility_timeout_seconds.into())
        );
        let redrive = queue
            .get("RedrivePolicy")
            .unwrap_or_else(|| panic!("{} has no DLQ", spec.logical_id));
        assert_eq!(
            redrive.get("deadLetterTargetArn").and_then(target),
            Some(spec.dead_letter)
        );
        assert_eq!(
            number(redrive, "maxReceiveCount"),
            Some(spec.max_receive_count.into())
        );
        let dead_letter = queues
            .get(spec.dead_letter)
            .unwrap_or_else(|| panic!("template.yaml has no queue {}", spec.dead_letter));
        assert_eq!(fifo(dead_letter), spec.fifo, "{} FIFO", spec.dead_letter);
        expected.extend([spec.logical_id.to_owned(), spec.dead_letter.to_owned()]);
    }
    // Failure destinations: of the outbox stream, of rule and schedule targets.
    let mut destinations = BTreeSet::new();
    for (id, _) in template.functions() {
        for stream in template.events_of(id, "DynamoDB") {
            let on_failure = stream
                .get("DestinationConfig")
                .and_then(|d| d.get("OnFailure"));
            destinations.extend(
                on_failure
                    .and_then(|o| o.get("Destination"))
                    .and_then(target)
                    .map(str::to_owned),
            );
        }
    }
    for kind in ["AWS::Events::Rule", "AWS::Scheduler::Schedule"] {
        for (_, properties) in template.of_type(kind) {
            let targets = match properties.get("Targets").and_then(Value::as_sequence) {
                Some(targets) => targets.iter().collect::<Vec<_>>(),
                None => properties.get("Target").into_iter().collect(),
            };
            for t in targets {
                let dlq = t
                    .get("DeadLetterConfig")
                    .and_then(|d| d.get("Arn"))
                    .and_then(target);
                destinations.extend(dlq.map(str::to_owned));
            }
        }
    }
    expected.extend(destinations);
    same(
        "SQS queues",
        &set(queues.keys().map(|id| (*id).to_owned())),
        &expected,
    );
    // Each topology queue is consumed by the function the catalogue says, as the platform consumes it.
    let mut consumed = BTreeSet::new();
    for (id, _) in template.functions() {
        for event in template.events_of(id, "SQS") {
            let queue = event
                .get("Queue")
                .and_then(target)
                .expect("an SQS event names its queue");
            let spec = topology::queue_spec(queue)
                .unwrap_or_else(|| panic!("{id} consumes {queue}, not a topology queue"));
            assert_eq!(
                number(event, "BatchSize"),
                Some(spec.batch_size.into()),
                "{id}'s batch size"
            );
            assert!(
                strings(event.get("FunctionResponseTypes")).contains("ReportBatchItemFailures"),
                "{id} must report partial batch failures"
            );
            consumed.insert((id.to_owned(), queue.to_owned()));
        }
    }
    let consumers = set(FUNCTIONS.iter().filter_map(|f| match f.trigger {
        Trigger::Queue { queue } => Some((f.logical_id.to_owned(), queue.to_owned())),
        _ => None,
    }));
    same("queue consumers (function, queue)", &consumed, &consumers);
}

#[test]
fn buses_rules_and_the_search_stream_are_the_topology() {
    let template = Template::load();
    same(
        "event buses",
        &template.ids_of("AWS::Events::EventBus"),
        &set(Source::ALL.map(|s| topology::bus_logical_id(s).to_owned())),
    );
    same(
        "Kinesis streams",
        &template.ids_of("AWS::Kinesis::Stream"),
        &set([SEARCH_STREAM.to_owned()]),
    );
    let rules = template.of_type("AWS::Events::Rule");
    same(
        "EventBridge rules",
        &template.ids_of("AWS::Events::Rule"),
        &set(RULES.iter().map(|r| r.logical_id.to_owned())),
    );
    for rule in RULES {
        let properties = rules[rule.logical_id];
        let id = rule.logical_id;
        assert_eq!(
            properties.get("EventBusName").and_then(target),
            Some(topology::bus_logical_id(rule.bus)),
            "{id}'s bus"
        );
        let pattern = properties.get("EventPattern").expect("an event pattern");
        assert_eq!(
            strings(pattern.get("source")),
            set([rule.bus.name().to_owned()]),
            "{id}'s source"
        );
        assert_eq!(
            strings(pattern.get("detail-type")),
            set(rule.detail_types.iter().map(|t| (*t).to_owned())),
            "{id}'s detail types"
        );
        let targets = properties
            .get("Targets")
            .and_then(Value::as_sequence)
            .expect("targets");
        let [only] = &targets[..] else {
            panic!("{id} has {} targets, not one", targets.len())
        };
        let arn = only.get("Arn").and_then(target);
        match rule.target {
            Target::Queue(queue) => assert_eq!(arn, Some(queue), "{id}'s target"),
            Target::SearchStream => {
                assert_eq!(arn, Some(SEARCH_STREAM), "{id}'s target");
                let key = only
                    .get("KinesisParameters")
                    .and_then(|k| text(k, "PartitionKeyPath"));
                assert_eq!(
                    key,
                    Some("$.detail.property_id"),
                    "{id} partitions by property"
                );
            }
        }
    }
}

#[test]
fn the_outbox_stream_feeds_the_publisher() {
    let template = Template::load();
    let mut readers = BTreeSet::new();
    for (id, _) in template.functions() {
        for stream in template.events_of(id, "DynamoDB") {
            assert_eq!(
                stream
                    .get("Stream")
                    .and_then(|s| template.resolve(id, s))
                    .as_deref(),
                Some("OutboxTable"),
                "{id} reads another stream"
            );
            assert!(
                strings(stream.get("FunctionResponseTypes")).contains("ReportBatchItemFailures"),
                "{id}"
            );
            assert_eq!(
                stream
                    .get("BisectBatchOnFunctionError")
                    .and_then(Value::as_bool),
                Some(true),
                "{id}"
            );
            assert!(
                number(stream, "MaximumRetryAttempts").is_some(),
                "{id} retries forever"
            );
            readers.insert(id.to_owned());
        }
        assert!(
            template.events_of(id, "Kinesis").is_empty(),
            "{id} reads Kinesis"
        );
    }
    let expected = set(FUNCTIONS
        .iter()
        .filter(|f| f.trigger == Trigger::OutboxStream)
        .map(|f| f.logical_id.to_owned()));
    same("outbox stream readers", &readers, &expected);
    let outbox = template.of_type("AWS::DynamoDB::Table")["OutboxTable"];
    let view = outbox
        .get("StreamSpecification")
        .and_then(|s| text(s, "StreamViewType"));
    assert_eq!(view, Some("NEW_IMAGE"));
}

#[test]
fn the_schedules_are_the_catalogue_schedules() {
    let template = Template::load();
    let schedules = template.of_type("AWS::Scheduler::Schedule");
    same(
        "schedules",
        &template.ids_of("AWS::Scheduler::Schedule"),
        &set(FUNCTIONS.iter().filter_map(|f| match f.trigger {
            Trigger::Schedule { schedule, .. } => Some(schedule.to_owned()),
            _ => None,
        })),
    );
    let mut scheduled = BTreeSet::new();
    for (id, schedule) in schedules {
        let function = schedule
            .get("Target")
            .and_then(|t| t.get("Arn"))
            .and_then(target)
            .expect("a target");
        let expression = text(schedule, "ScheduleExpression").expect("an expression");
        scheduled.insert((id.to_owned(), function.to_owned(), expression.to_owned()));
    }
    for (id, _) in template.functions() {
        for kind in ["Schedule", "ScheduleV2"] {
            assert!(
                template.events_of(id, kind).is_empty(),
                "{id}: schedules are AWS::Scheduler::Schedule resources"
            );
        }
    }
    let expected = set(FUNCTIONS.iter().filter_map(|f| match f.trigger {
        Trigger::Schedule {
            schedule,
            expression,
        } => Some((
            schedule.to_owned(),
            f.logical_id.to_owned(),
            expression.to_owned(),
        )),
        _ => None,
    }));
    same(
        "schedules (schedule, function, expression)",
        &scheduled,
        &expected,
    );
    for (schedule, _, expression) in &expected {
        assert!(
            berth_local::platform::scheduler::period(expression).is_some(),
            "{schedule}: the local platform cannot run {expression}"
        );
    }
}

#[test]
fn rates_read_as_eventbridge_scheduler_reads_them() {
    use berth_local::platform::scheduler::period;
    use std::time::Duration;
    assert_eq!(period("rate(1 minute)"), Some(Duration::from_secs(60)));
    assert_eq!(period("rate(15 minutes)"), Some(Duration::from_secs(900)));
    assert_eq!(period("rate(2 hours)"), Some(Duration::from_secs(7_200)));
    assert_eq!(period("rate(0 minutes)"), None);
    assert_eq!(period("cron(0 * * * ? *)"), None);
}

#[test]
fn the_state_machine_runs_the_catalogue_tasks() {
    let template = Template::load();
    let machines = template.of_type("AWS::Serverless::StateMachine");
    same(
        "state machines",
        &template.ids_of("AWS::Serverless::StateMachine"),
        &set([BOOKING_STATE_MACHINE.to_owned()]),
    );
    let machine = machines[BOOKING_STATE_MACHINE];
    let uri = text(machine, "DefinitionUri").expect("a DefinitionUri");
    assert_eq!(text(machine, "Type"), Some("STANDARD"));
    let stack = &template.stacks.nested[&template.stack_of[BOOKING_STATE_MACHINE]];
    let file = stack.path_of(uri);
    let definition = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    let placeholders: BTreeSet<String> = definition
        .split("${")
        .skip(1)
        .filter_map(|piece| piece.split_once('}').map(|(name, _)| name.to_owned()))
        .collect();
    let substitutions: BTreeMap<String, String> = machine
        .get("DefinitionSubstitutions")
        .and_then(Value::as_mapping)
        .expect("DefinitionSubstitutions")
        .iter()
        .map(|(k, v)| {
            let function = target(v).unwrap_or_else(|| panic!("{k:?} names no resource"));
            (k.as_str().expect("a key").to_owned(), function.to_owned())
        })
        .collect();
    let tasks: BTreeMap<String, String> = FUNCTIONS
        .iter()
        .filter_map(|f| match f.trigger {
            Trigger::Task { substitution } => {
                Some((substitution.to_owned(), f.logical_id.to_owned()))
            }
            _ => None,
        })
        .collect();
    same(
        "task substitutions (template ↔ catalogue)",
        &set(substitutions.clone()),
        &set(tasks.clone()),
    );
    same(
        "task substitutions (definition ↔ catalogue)",
        &placeholders,
        &set(tasks.keys().cloned()),
    );
    // The workflow may invoke exactly its task functions.
    let mut invoked = BTreeSet::new();
    for policy in machine
        .get("Policies")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        for statement in policy
            .get("Statement")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            if strings(statement.get("Action")).contains("lambda:InvokeFunction")
                || text(statement, "Action") == Some("lambda:InvokeFunction")
            {
                references(
                    statement.get("Resource").unwrap_or(&Value::Null),
                    &mut invoked,
                );
            }
        }
    }
    same(
        "functions the workflow may invoke",
        &invoked,
        &set(tasks.values().cloned()),
    );
    for function in tasks.values() {
        assert!(matches!(
            catalogue_function(function).trigger,
            Trigger::Task { .. }
        ));
    }
}

/// The stack runs each deploy-time function through its custom resource,
/// the ledger's schema among them: named by the schema's version, so a
/// deploy that changes the schema runs the migration again, and before the
/// ledger consumer reads its queue.
#[test]
fn the_stack_applies_the_ledger_schema_on_deploy() {
    let template = Template::load();
    let custom: BTreeMap<String, &Value> = template
        .resources
        .iter()
        .filter(|(_, r)| {
            r.get("Type").and_then(Value::as_str).is_some_and(|t| {
                t.starts_with("Custom::") || t == "AWS::CloudFormation::CustomResource"
            })
        })
        .map(|(id, r)| (id.clone(), r))
        .collect();
    let mut ran = BTreeSet::new();
    for (id, resource) in &custom {
        let token = resource
            .get("Properties")
            .and_then(|p| p.get("ServiceToken"))
            .and_then(target)
            .unwrap_or_else(|| panic!("{id}: a ServiceToken naming a function"));
        ran.insert((id.clone(), token.to_owned()));
    }
    let expected = set(FUNCTIONS.iter().filter_map(|f| match f.trigger {
        Trigger::Deploy { resource } => Some((resource.to_owned(), f.logical_id.to_owned())),
        _ => None,
    }));
    same("custom resources (resource, function)", &ran, &expected);
    let schema = custom
        .get("LedgerSchema")
        .and_then(|r| r.get("Properties"))
        .expect("a LedgerSchema resource");
    assert_eq!(
        text(schema, "SchemaVersion"),
        Some(berth_ledger_sql::schema_version().as_str()),
        "LedgerSchema's SchemaVersion must be the schema's version, or a deploy that changes the schema would not apply it"
    );
    let consumer = &template.resources["RecordLedgerFunction"];
    assert!(
        strings(consumer.get("DependsOn")).contains("LedgerSchema")
            || text(consumer, "DependsOn") == Some("LedgerSchema"),
        "the ledger consumer is made after the schema"
    );
}

/// Errors that mean the event did not reach the function's logic: it did not
/// parse, the store failed, or it names nothing the demo data has.
fn platform_error(error: &str) -> bool {
    error.starts_with("Runtime.") || error == "Retryable" || error == "BookingNotFound"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_events_run_on_the_local_platform() {
    let mut failures = Vec::new();
    for f in FUNCTIONS {
        let event: serde_json::Value =
            serde_json::from_str(&read(&format!("events/{}.json", f.name)))
                .unwrap_or_else(|e| panic!("events/{}.json is not JSON: {e}", f.name));
        if let Trigger::Http { method, path, auth } = f.trigger {
            assert_eq!(
                event["routeKey"],
                format!("{method} {path}"),
                "events/{}.json's routeKey",
                f.name
            );
            let claims = &event["requestContext"]["authorizer"]["jwt"]["claims"];
            assert_eq!(
                claims["sub"].is_string(),
                auth,
                "events/{}.json: claims iff the route is protected",
                f.name
            );
        }
        let data_dir = tempfile::tempdir().expect("a temporary directory");
        let platform = berth_local::invoke::prepare(data_dir.path())
            .await
            .expect("the platform starts");
        let handler = platform
            .functions
            .json
            .get(f.name)
            .unwrap_or_else(|| panic!("{} is not wired", f.name));
        match (handler(event).await, f.trigger) {
            (Ok(answer), Trigger::Http { .. }) => {
                let status = answer["statusCode"].as_u64().unwrap_or(0);
                if !(100..500).contains(&status) {
                    failures.push(format!("{}: HTTP {status}: {}", f.name, answer["body"]));
                }
            }
            (Ok(answer), _) => {
                if answer["batchItemFailures"]
                    .as_array()
                    .is_some_and(|failed| !failed.is_empty())
                {
                    failures.push(format!(
                        "{}: failed items {}",
                        f.name, answer["batchItemFailures"]
                    ));
                }
            }
            (Err(failure), _) if !platform_error(&failure.error) => {}
            (Err(failure), _) => {
                failures.push(format!("{}: {}: {}", f.name, failure.error, failure.cause))
            }
        }
    }
    assert!(
        failures.is_empty(),
        "sample events that fail on the local platform:\n{}",
        failures.join("\n")
    );
}

/// The workflow's sample events, in the order the state machine runs them on
/// the demo booking, take it to CONFIRMED.
#[tokio::test]
async fn the_task_events_confirm_the_demo_booking_in_workflow_order() {
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    let platform = berth_local::invoke::prepare(data_dir.path())
        .await
        .expect("the platform starts");
    for name in [
        "quote-stay",
        "reserve-nights",
        "charge-payment",
        "confirm-booking",
    ] {
        let event: serde_json::Value =
            serde_json::from_str(&read(&format!("events/{name}.json"))).expect("a JSON event");
        if let Err(failure) = platform.functions.json[name](event).await {
            panic!("{name}: {}: {}", failure.error, failure.cause);
        }
    }
    let booking = platform.functions.json["get-booking"](
        serde_json::from_str(&read("events/get-booking.json")).expect("a JSON event"),
    )
    .await
    .unwrap_or_else(|failure| panic!("get-booking: {}", failure.error));
    let body: serde_json::Value =
        serde_json::from_str(booking["body"].as_str().unwrap_or_default()).expect("a booking");
    assert_eq!(body["status"], "CONFIRMED", "{body}");
}

/// A nested stack's parameter named after another stack's resource is that
/// resource (template.yaml wires the output giving it), so the tests above
/// may read `!Ref LedgerDeadLetterQueue` in the ledger stack as the shared
/// stack's queue.
#[test]
fn parameters_named_after_a_resource_are_that_resource() {
    let template = Template::load();
    let mut checked = 0;
    for (stack, nested) in &template.stacks.nested {
        for (name, _) in nested.template["Parameters"]
            .as_mapping()
            .into_iter()
            .flatten()
        {
            let name = name.as_str().expect("a parameter name");
            let Some(owner) = template.stack_of.get(name) else {
                continue;
            };
            assert_ne!(owner, stack, "{stack} declares {name} twice");
            assert_eq!(
                template.stacks.resolve_name(stack, name),
                Some((owner.clone(), name.to_owned())),
                "{stack}'s parameter {name} is not given {owner}'s {name}"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} parameters name a resource");
}

/// `sam build` reads a function's CodeUri relative to its own template: in
/// every stack it is the cargo workspace the functions build in.
#[test]
fn every_stack_builds_its_functions_from_the_workspace() {
    let stacks = Stacks::load();
    let workspace = repository().canonicalize().expect("the repository");
    for (id, stack) in &stacks.nested {
        let functions = stack.template["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
            .count();
        if functions == 0 {
            continue;
        }
        let code = text(&stack.template["Globals"]["Function"], "CodeUri")
            .unwrap_or_else(|| panic!("{id}: Globals.Function.CodeUri"));
        let dir = stack.path_of(code).canonicalize().expect("CodeUri exists");
        assert_eq!(dir, workspace, "{id}'s CodeUri {code} is not the workspace");
    }
}
