//! The RDS Data API ledger. moto's RDS Data only replays canned results, so
//! the adapter is proven two ways: its exact requests are asserted here, and
//! the contract suite's ledger check runs it against a stub of the Data API
//! that executes the statements it sends on SQLite.

use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_sdk_rdsdata::Client;
use berth_aws::config::emulator_sdk_config;
use berth_aws::ledger::RdsDataLedger;
use berth_domain::dates::{Date, DateRange};
use berth_domain::ids::{BookingId, PropertyId, UserId};
use berth_domain::money::{Currency, Money};
use berth_domain::ports::{Earnings, Ledger, LedgerEntry};
use chrono::{TimeZone, Utc};
use rusqlite::types::Value as Sql;
use serde_json::{Value, json};

use crate::stub::{Reply, Stub};

const CLUSTER: &str = "arn:aws:rds:us-east-1:123456789012:cluster:berth-ledger";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:berth-ledger";

fn ledger(stub: &Stub) -> RdsDataLedger {
    let sdk = emulator_sdk_config(&stub.url)
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    RdsDataLedger::new(Client::new(&sdk), CLUSTER, SECRET, "berth")
}

/// A Data API over one SQLite connection: the SQL the adapter sends, run as sent.
pub async fn sqlite_ledger() -> (RdsDataLedger, Stub) {
    let db = Arc::new(Mutex::new(rusqlite::Connection::open_in_memory().unwrap()));
    let stub = Stub::start(move |request| {
        let db = db.lock().unwrap();
        match execute(&db, request.route(), &request.json()) {
            Ok(answer) => Reply::Json(200, answer),
            Err(e) => Reply::Json(
                400,
                json!({"__type": "BadRequestException", "message": e.to_string()}),
            ),
        }
    })
    .await;
    let ledger = ledger(&stub);
    ledger
        .apply_schema()
        .await
        .expect("applying the ledger schema");
    (ledger, stub)
}

fn execute(db: &rusqlite::Connection, route: &str, body: &Value) -> rusqlite::Result<Value> {
    match route {
        "/BeginTransaction" => {
            db.execute_batch("BEGIN")?;
            Ok(json!({"transactionId": "tx-1"}))
        }
        "/CommitTransaction" => {
            db.execute_batch("COMMIT")?;
            Ok(json!({"transactionStatus": "Transaction Committed"}))
        }
        "/RollbackTransaction" => {
            db.execute_batch("ROLLBACK")?;
            Ok(json!({"transactionStatus": "Rollback Complete"}))
        }
        "/Execute" => {
            let records = run(db, body["sql"].as_str().unwrap(), &body["parameters"])?;
            Ok(json!({"records": records}))
        }
        "/BatchExecute" => {
            for set in body["parameterSets"].as_array().unwrap() {
                run(db, body["sql"].as_str().unwrap(), set)?;
            }
            Ok(json!({"updateResults": []}))
        }
        other => panic!("the ledger called {other}"),
    }
}

/// Runs one statement with Data API parameters; answers Data API records.
fn run(db: &rusqlite::Connection, sql: &str, parameters: &Value) -> rusqlite::Result<Vec<Value>> {
    let named: Vec<(String, Sql)> = parameters
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        format!(":{}", p["name"].as_str().unwrap()),
                        sql_value(&p["value"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let params: Vec<(&str, &dyn rusqlite::ToSql)> = named
        .iter()
        .map(|(k, v)| (k.as_str(), v as &dyn rusqlite::ToSql))
        .collect();
    let mut statement = db.prepare(sql)?;
    let columns = statement.column_count();
    let mut rows = statement.query(params.as_slice())?;
    let mut records = Vec::new();
    while let Some(row) = rows.next()? {
        let record = (0..columns)
            .map(|i| {
                Ok(match row.get::<_, Sql>(i)? {
                    Sql::Integer(n) => json!({"longValue": n}),
                    Sql::Text(s) => json!({"stringValue": s}),
                    Sql::Null => json!({"isNull": true}),
                    other => panic!("unexpected column {other:?}"),
                })
            })
            .collect::<rusqlite::Result<Vec<Value>>>()?;
        records.push(Value::Array(record));
    }
    Ok(records)
}

fn sql_value(field: &Value) -> Sql {
    if let Some(s) = field["stringValue"].as_str() {
        Sql::Text(s.to_owned())
    } else if let Some(n) = field["longValue"].as_i64() {
        Sql::Integer(n)
    } else {
        panic!("unexpected parameter {field}")
    }
}

fn entry(id: &str, amount: i64) -> LedgerEntry {
    LedgerEntry {
        id: id.into(),
        booking_id: BookingId::parse("bk_0190a0b0c0d07000800000000000000a").unwrap(),
        host_id: UserId::parse("host-1").unwrap(),
        property_id: PropertyId::parse("prop_0190a0b0c0d07000800000000000000b").unwrap(),
        amount: Money::new(amount, Currency::parse("EUR").unwrap()),
        occurred_at: Utc.with_ymd_and_hms(2027, 3, 4, 5, 6, 7).unwrap(),
    }
}

fn insert_parameters(id: &str, amount: i64) -> Value {
    let text = |name: &str, v: &str| json!({"name": name, "value": {"stringValue": v}});
    json!([
        text("id", id),
        text("booking_id", "bk_0190a0b0c0d07000800000000000000a"),
        text("host_id", "host-1"),
        text("property_id", "prop_0190a0b0c0d07000800000000000000b"),
        {"name": "amount", "value": {"longValue": amount}},
        text("currency", "EUR"),
        text("occurred_on", "2027-03-04"),
        text("occurred_at", "2027-03-04T05:06:07+00:00"),
    ])
}

/// A stub answering `answers` per route, recording what was asked.
async fn recording(answers: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Stub {
    Stub::start(move |request| answers(request.route())).await
}

fn routes(stub: &Stub) -> Vec<String> {
    stub.requests()
        .iter()
        .map(|r| r.route().to_owned())
        .collect()
}

#[tokio::test]
async fn one_entry_is_one_insert_with_typed_parameters() {
    let stub = recording(|_| Reply::Json(200, json!({"numberOfRecordsUpdated": 1}))).await;
    ledger(&stub).record(&[entry("e1", 12_000)]).await.unwrap();
    let requests = stub.requests();
    assert_eq!(routes(&stub), ["/Execute"]);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].json(),
        json!({
            "resourceArn": CLUSTER,
            "secretArn": SECRET,
            "database": "berth",
            "sql": berth_ledger_sql::INSERT_ENTRY,
            "parameters": insert_parameters("e1", 12_000),
        })
    );
    ledger(&stub).record(&[]).await.unwrap();
    assert_eq!(stub.requests().len(), 1, "nothing to record sends nothing");
}

#[tokio::test]
async fn several_entries_are_one_transaction() {
    let stub = recording(|route| match route {
        "/BeginTransaction" => Reply::Json(200, json!({"transactionId": "tx-42"})),
        _ => Reply::Json(200, json!({})),
    })
    .await;
    ledger(&stub)
        .record(&[entry("e1", 12_000), entry("e2", -2_000)])
        .await
        .unwrap();
    assert_eq!(
        routes(&stub),
        ["/BeginTransaction", "/BatchExecute", "/CommitTransaction"]
    );
    let requests = stub.requests();
    assert_eq!(
        requests[0].json(),
        json!({"resourceArn": CLUSTER, "secretArn": SECRET, "database": "berth"})
    );
    assert_eq!(
        requests[1].json(),
        json!({
            "resourceArn": CLUSTER,
            "secretArn": SECRET,
            "database": "berth",
            "transactionId": "tx-42",
            "sql": berth_ledger_sql::INSERT_ENTRY,
            "parameterSets": [insert_parameters("e1", 12_000), insert_parameters("e2", -2_000)],
        })
    );
    assert_eq!(
        requests[2].json(),
        json!({"resourceArn": CLUSTER, "secretArn": SECRET, "transactionId": "tx-42"})
    );
}

#[tokio::test]
async fn a_failed_insert_rolls_the_transaction_back() {
    let stub = recording(|route| match route {
        "/BeginTransaction" => Reply::Json(200, json!({"transactionId": "tx-7"})),
        "/BatchExecute" => Reply::Json(
            400,
            json!({"__type": "BadRequestException", "message": "no"}),
        ),
        _ => Reply::Json(200, json!({})),
    })
    .await;
    let result = ledger(&stub)
        .record(&[entry("e1", 1), entry("e2", 2)])
        .await;
    assert!(result.is_err());
    assert_eq!(
        routes(&stub),
        ["/BeginTransaction", "/BatchExecute", "/RollbackTransaction"]
    );
    assert_eq!(stub.requests()[2].json()["transactionId"], "tx-7");
}

#[tokio::test]
async fn earnings_send_the_shared_query_and_read_typed_rows() {
    let stub = recording(|_| {
        Reply::Json(
            200,
            json!({"records": [[
                {"stringValue": "EUR"}, {"longValue": 15000}, {"longValue": 2500},
                {"longValue": 12500}, {"longValue": 2}
            ], [
                {"stringValue": "GBP"}, {"stringValue": "7000"}, {"longValue": 0},
                {"longValue": 7000}, {"longValue": 1}
            ]]}),
        )
    })
    .await;
    let range = DateRange::new(
        Date::parse("2027-03-01").unwrap(),
        Date::parse("2027-04-01").unwrap(),
        366,
    )
    .unwrap();
    let earnings = ledger(&stub)
        .earnings(&UserId::parse("host-1").unwrap(), range)
        .await
        .unwrap();
    let text = |name: &str, v: &str| json!({"name": name, "value": {"stringValue": v}});
    assert_eq!(
        stub.requests()[0].json(),
        json!({
            "resourceArn": CLUSTER,
            "secretArn": SECRET,
            "database": "berth",
            "sql": berth_ledger_sql::EARNINGS,
            "parameters": [text("host_id", "host-1"), text("from", "2027-03-01"), text("to", "2027-04-01")],
        })
    );
    let eur = Currency::parse("EUR").unwrap();
    assert_eq!(
        earnings[0],
        Earnings {
            currency: eur,
            gross: 15_000,
            refunds: 2_500,
            net: 12_500,
            bookings: 2
        }
    );
    assert_eq!(
        (earnings[1].currency.as_str(), earnings[1].gross),
        ("GBP", 7_000)
    );
}

#[tokio::test]
async fn the_schema_is_applied_one_statement_at_a_time() {
    let stub = recording(|_| Reply::Json(200, json!({}))).await;
    ledger(&stub).apply_schema().await.unwrap();
    let sent: Vec<Value> = stub
        .requests()
        .iter()
        .map(|r| r.json()["sql"].clone())
        .collect();
    let expected: Vec<Value> = berth_ledger_sql::schema_statements()
        .map(Value::from)
        .collect();
    assert_eq!(sent, expected);
    assert!(
        stub.requests()
            .iter()
            .all(|r| r.json().get("parameters").is_none())
    );
}

#[tokio::test]
async fn a_migration_waits_for_a_resuming_cluster() {
    let resuming = Arc::new(Mutex::new(2));
    let left = resuming.clone();
    let stub = recording(move |_| {
        let mut left = left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            Reply::Json(
                400,
                json!({"__type": "DatabaseResumingException", "message": "The database is resuming."}),
            )
        } else {
            Reply::Json(200, json!({}))
        }
    })
    .await;
    let ledger = ledger(&stub).with_resume_pause(std::time::Duration::from_millis(10));
    berth_domain::ports::LedgerMigrations::migrate(&ledger)
        .await
        .expect("migrated once the cluster answers");
    let statements = berth_ledger_sql::schema_statements().count();
    assert_eq!(
        stub.requests().len(),
        2 + statements,
        "two refusals, then every statement"
    );

    let refusing = recording(|_| {
        Reply::Json(
            400,
            json!({"__type": "BadRequestException", "message": "syntax error"}),
        )
    })
    .await;
    let failed = berth_domain::ports::LedgerMigrations::migrate(&ledger_of(&refusing)).await;
    assert!(failed.is_err());
    assert_eq!(refusing.requests().len(), 1, "other errors are not retried");
}

fn ledger_of(stub: &Stub) -> RdsDataLedger {
    ledger(stub).with_resume_pause(std::time::Duration::from_millis(10))
}
