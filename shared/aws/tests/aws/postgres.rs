//! The ledger's SQL on a real PostgreSQL (the engine Aurora runs), through
//! the RDS Data adapter unchanged: a Data API stub hands each statement the
//! adapter sends to PostgreSQL as the Data API would, its `:name`
//! parameters bound as typed `$n` ones (`stringValue` as text, `longValue`
//! as bigint) and its results answered as Data API fields. SQLite forgives
//! what PostgreSQL refuses (types in comparisons and sums, ON CONFLICT
//! targets), so the shared SQL is proven on both.
//!
//! `BERTH_POSTGRES_URL` names a server (scripts/emulators.sh starts one);
//! every test makes a database of its own on it.

use std::sync::Arc;
use std::sync::mpsc;

use aws_config::retry::RetryConfig;
use aws_sdk_rdsdata::Client;
use berth_aws::config::emulator_sdk_config;
use berth_aws::ledger::RdsDataLedger;
use postgres::types::{ToSql, Type};
use postgres::{NoTls, Row};
use serde_json::{Value, json};

use crate::stub::{Reply, Stub};
use crate::support;

fn server_url() -> String {
    std::env::var("BERTH_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "BERTH_POSTGRES_URL is not set: run these tests through scripts/emulators.sh run -- cargo test -p berth-aws"
        )
    })
}

type Job = (String, Value, mpsc::Sender<Result<Value, String>>);

/// A fresh database on the server; its client runs on a thread of its own
/// (the `postgres` client blocks, and may not run inside the test's
/// runtime), fed one Data API call at a time.
fn database() -> mpsc::Sender<Job> {
    let url = server_url();
    let (jobs, inbox) = mpsc::channel::<Job>();
    let (ready, connected) = mpsc::channel();
    std::thread::spawn(move || {
        let name = support::unique("ledger").replace('-', "_");
        let mut admin = postgres::Client::connect(&url, NoTls).expect("reaching PostgreSQL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creating a database");
        let (server, _) = url.rsplit_once('/').expect("a database in the URL");
        let mut client =
            postgres::Client::connect(&format!("{server}/{name}"), NoTls).expect("connecting");
        let _ = ready.send(());
        for (route, body, answer) in inbox {
            let _ = answer.send(execute(&mut client, &route, &body).map_err(|e| format!("{e}")));
        }
    });
    connected.recv().expect("the database is ready");
    jobs
}

/// The RDS Data ledger over a fresh PostgreSQL database, its schema
/// applied as the ledger migration applies it.
pub async fn postgres_ledger() -> (RdsDataLedger, Stub) {
    let jobs = Arc::new(std::sync::Mutex::new(database()));
    let stub = Stub::start(move |request| {
        let (answer, reply) = mpsc::channel();
        let sent = jobs
            .lock()
            .unwrap()
            .send((request.route().to_owned(), request.json(), answer));
        match sent.ok().and_then(|()| reply.recv().ok()) {
            Some(Ok(answer)) => Reply::Json(200, answer),
            Some(Err(message)) => Reply::Json(
                400,
                json!({"__type": "BadRequestException", "message": message}),
            ),
            None => Reply::Drop,
        }
    })
    .await;
    let sdk = emulator_sdk_config(&stub.url)
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    let ledger = RdsDataLedger::new(
        Client::new(&sdk),
        "arn:aws:rds:us-east-1:123456789012:cluster:berth-ledger",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:berth-ledger",
        "berth",
    );
    ledger.apply_schema().await.expect("applying the schema");
    (ledger, stub)
}

fn execute(db: &mut postgres::Client, route: &str, body: &Value) -> Result<Value, postgres::Error> {
    match route {
        "/BeginTransaction" => {
            db.batch_execute("BEGIN")?;
            Ok(json!({"transactionId": "tx-1"}))
        }
        "/CommitTransaction" => {
            db.batch_execute("COMMIT")?;
            Ok(json!({"transactionStatus": "Transaction Committed"}))
        }
        "/RollbackTransaction" => {
            db.batch_execute("ROLLBACK")?;
            Ok(json!({"transactionStatus": "Rollback Complete"}))
        }
        "/Execute" => {
            let sql = body["sql"].as_str().unwrap_or_default();
            let records = run(db, sql, &body["parameters"])?;
            Ok(json!({"records": records}))
        }
        "/BatchExecute" => {
            let sql = body["sql"].as_str().unwrap_or_default();
            for set in body["parameterSets"].as_array().into_iter().flatten() {
                run(db, sql, set)?;
            }
            Ok(json!({"updateResults": []}))
        }
        other => panic!("the ledger called {other}"),
    }
}

/// A typed parameter, as the Data API binds it.
enum Bound {
    Text(String),
    Long(i64),
}

impl Bound {
    fn of(field: &Value) -> Self {
        if let Some(s) = field["stringValue"].as_str() {
            Bound::Text(s.to_owned())
        } else if let Some(n) = field["longValue"].as_i64() {
            Bound::Long(n)
        } else {
            panic!("unexpected parameter {field}")
        }
    }

    fn kind(&self) -> Type {
        match self {
            Bound::Text(_) => Type::TEXT,
            Bound::Long(_) => Type::INT8,
        }
    }

    fn value(&self) -> &(dyn ToSql + Sync) {
        match self {
            Bound::Text(s) => s,
            Bound::Long(n) => n,
        }
    }
}

/// `:name` placeholders → `$n`, in order of first use, with their values.
fn positional(sql: &str, parameters: &Value) -> (String, Vec<Bound>) {
    let named: Vec<(&str, &Value)> = parameters
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (p["name"].as_str().unwrap_or_default(), &p["value"]))
        .collect();
    let mut text = String::with_capacity(sql.len());
    let mut order: Vec<&str> = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find(':') {
        text.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let n = match order.iter().position(|o| *o == name) {
            Some(i) => i + 1,
            None => {
                order.push(name);
                order.len()
            }
        };
        text.push_str(&format!("${n}"));
        rest = &tail[end..];
    }
    text.push_str(rest);
    let values = order
        .iter()
        .map(|name| {
            let (_, value) = named
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no parameter {name}"));
            Bound::of(value)
        })
        .collect();
    (text, values)
}

fn run(
    db: &mut postgres::Client,
    sql: &str,
    parameters: &Value,
) -> Result<Vec<Value>, postgres::Error> {
    let (sql, values) = positional(sql, parameters);
    let types: Vec<Type> = values.iter().map(Bound::kind).collect();
    let statement = db.prepare_typed(&sql, &types)?;
    let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(Bound::value).collect();
    let rows = db.query(&statement, &params)?;
    Ok(rows.iter().map(record).collect())
}

/// A row as Data API fields: integers as `longValue`, text as `stringValue`,
/// NUMERIC as text (as the Data API answers it), NULL as `isNull`.
fn record(row: &Row) -> Value {
    let fields = row
        .columns()
        .iter()
        .enumerate()
        .map(|(i, column)| match *column.type_() {
            Type::INT8 | Type::INT4 | Type::INT2 => {
                let n: Option<i64> = match *column.type_() {
                    Type::INT8 => row.get(i),
                    Type::INT4 => row.get::<_, Option<i32>>(i).map(i64::from),
                    _ => row.get::<_, Option<i16>>(i).map(i64::from),
                };
                n.map_or(json!({"isNull": true}), |n| json!({"longValue": n}))
            }
            Type::TEXT | Type::VARCHAR => row
                .get::<_, Option<String>>(i)
                .map_or(json!({"isNull": true}), |s| json!({"stringValue": s})),
            ref other => {
                panic!("the ledger's SQL answered a {other} column; map it as the Data API does")
            }
        })
        .collect();
    Value::Array(fields)
}

#[test]
fn placeholders_become_positional_in_order_of_first_use() {
    let (sql, values) = positional(
        "SELECT * FROM t WHERE a = :a AND b >= :b_2 AND c < :a",
        &json!([
            {"name": "b_2", "value": {"longValue": 7}},
            {"name": "a", "value": {"stringValue": "x"}},
        ]),
    );
    assert_eq!(sql, "SELECT * FROM t WHERE a = $1 AND b >= $2 AND c < $1");
    assert!(matches!(&values[..], [Bound::Text(a), Bound::Long(7)] if a == "x"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_contract_holds_on_postgresql() {
    let (ledger, _stub) = postgres_ledger().await;
    let ports = crate::contract::aws_ports_with(ledger).await;
    berth_contract::records::ledger_records_once_and_sums_per_currency(&ports).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_applies_again_without_harm() {
    let (ledger, _stub) = postgres_ledger().await;
    ledger
        .apply_schema()
        .await
        .expect("a second deploy applies it again");
    ledger.apply_schema().await.expect("and again");
}
