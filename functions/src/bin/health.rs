//! Lambda entry point: `GET /health`.

use berth_functions::http::health::handle;
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    run(service_fn(handle)).await
}
