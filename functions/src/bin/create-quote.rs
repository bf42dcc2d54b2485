//! Lambda entry point: `POST /quotes`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::CREATE_QUOTE).await
}
