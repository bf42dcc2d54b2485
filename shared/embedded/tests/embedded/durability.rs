//! What SQLite must show beyond the contract: data survives reopening, and
//! many concurrent writers are all committed.

use std::sync::Arc;

use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::UserId;
use berth_domain::ports::{PropertyReader, PropertyWriter};
use berth_domain::property::Property;
use berth_embedded::{Db, SqliteStore};
use chrono::Utc;

fn listing() -> berth_domain::property::Listing {
    berth_contract::fixtures::listing("Porto")
}

#[tokio::test]
async fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let property = Property::list(UserId::parse("host").unwrap(), listing(), Utc::now());
    {
        let store = SqliteStore::new(Db::open(dir.path()).unwrap());
        let event = DomainEvent::new(
            Change::PropertyCreated {
                property: property.clone(),
            },
            Utc::now(),
        );
        store.insert_property(&property, &event).await.unwrap();
    }
    let reopened = SqliteStore::new(Db::open(dir.path()).unwrap());
    assert_eq!(
        reopened.property(&property.id).await.unwrap(),
        Some(property)
    );
    assert_eq!(
        reopened.last_event_seq().unwrap(),
        1,
        "the event survived with it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_all_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::new(Db::open(dir.path()).unwrap()));
    let writes = (0..500).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let property = Property::list(UserId::parse("host").unwrap(), listing(), Utc::now());
            let event = DomainEvent::new(
                Change::PropertyCreated {
                    property: property.clone(),
                },
                Utc::now(),
            );
            store
                .insert_property(&property, &event)
                .await
                .map(|()| property.id)
        })
    });
    let ids = futures::future::join_all(writes).await;
    for id in ids {
        let id = id.unwrap().unwrap();
        assert!(
            store.property(&id).await.unwrap().is_some(),
            "{id} committed"
        );
    }
    assert_eq!(store.last_event_seq().unwrap(), 500);
}
