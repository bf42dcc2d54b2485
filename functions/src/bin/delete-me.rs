//! Lambda entry point: `DELETE /me`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::DELETE_ME).await
}
