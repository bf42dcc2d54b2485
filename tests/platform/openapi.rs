//! The OpenAPI document is served and covers every route the platform serves.

use berth_functions::catalogue::{FUNCTIONS, Trigger};

use crate::support::spawn;

#[tokio::test]
async fn every_route_is_documented() {
    let app = spawn().await;
    let served = app.api.get("/openapi.json", None).await.unwrap();
    assert_eq!(served.status.as_u16(), 200);
    let document = served.body;
    assert!(
        document["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3."),
        "an OpenAPI 3 document"
    );
    let paths = document["paths"].as_object().expect("paths");
    let mut routes: Vec<(String, String)> = FUNCTIONS
        .iter()
        .filter_map(|f| match f.trigger {
            Trigger::Http { method, path, .. } => Some((method.to_lowercase(), path.to_owned())),
            _ => None,
        })
        .collect();
    routes.extend(
        [
            ("get", "/search"),
            ("get", "/openapi.json"),
            ("post", "/local/token"),
        ]
        .map(|(m, p)| (m.to_owned(), p.to_owned())),
    );
    for (method, path) in &routes {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not in openapi.json"
        );
    }
    for (path, operations) in paths {
        for method in operations
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "parameters")
        {
            assert!(
                routes.iter().any(|(m, p)| m == method && p == path),
                "openapi.json documents {method} {path}, which is not served"
            );
        }
    }
}
