//! Lambda entry point: `GET /health`.

use berth_functions::http::health::handle;
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    berth_functions::runtime::http((), |_, request| handle(request)).await
}
