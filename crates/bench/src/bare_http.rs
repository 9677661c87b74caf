//! `portico-bench bare-http`: a fixed JSON body of a given size from a bare axum handler, the
//! HTTP stack's own ceiling that `scripts/bench-http.sh` compares Portico's answers with.

use tokio::net::TcpListener;

/// Serves a fixed JSON body of about `bytes` bytes on `listen` until stopped.
pub async fn serve(listen: &str, bytes: usize) -> anyhow::Result<()> {
    let body = serde_json::json!({"responseStatus": "SUCCESS", "data": {"padding": "x".repeat(bytes.saturating_sub(50))}}).to_string();
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let body = body.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
            }
        }),
    );
    let listener = TcpListener::bind(listen).await?;
    println!("bare axum handler on http://{}", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(())
}
