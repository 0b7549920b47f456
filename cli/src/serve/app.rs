//! The router and what every request goes through: an id, a time limit, problem documents in
//! the request's language, and one log line.

use super::problem::{ApiError, Code, Lang};
use super::{assess, batches, documents, whatif, Limits};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use skill_subsidy::Engine;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What the handlers share: the engine, the documents made once, the limits, and the turns
/// for batches.
pub struct State {
    pub engine: Arc<Engine>,
    pub documents: documents::Documents,
    pub limits: Limits,
    /// One permit per batch or what-if run computing at once.
    pub batch_turns: Arc<Semaphore>,
    requests: AtomicU64,
    /// Distinguishes request ids across restarts.
    started: u64,
}

pub type Shared = Arc<State>;

impl State {
    pub fn new(engine: Engine, limits: Limits) -> Shared {
        let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Arc::new(State {
            documents: documents::Documents::new(&engine),
            engine: Arc::new(engine),
            limits,
            batch_turns: Arc::new(Semaphore::new(limits.max_batches)),
            requests: AtomicU64::new(0),
            started,
        })
    }

    /// Waits for a turn to read and decide a batch or what-if run, and logs its start (such a
    /// request may wait and take a while). The turn ends when the permit is dropped.
    pub async fn batch_turn(&self, RequestId(id): &RequestId, route: &'static str) -> Result<OwnedSemaphorePermit, ApiError> {
        let turn = Arc::clone(&self.batch_turns)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::new(Code::Internal, "the service is stopping and takes no batch", "服务正在停止，不再受理批次"))?;
        tracing::info!(request_id = %id, route, "batch started");
        Ok(turn)
    }

    fn next_request_id(&self) -> String {
        format!("{:x}-{}", self.started, self.requests.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

/// The request's id, for handlers that log more than the request's own line.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// What a handler tells the request's log line (how many claims a batch held).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogNote {
    pub claims: Option<usize>,
    pub applications: Option<usize>,
}

/// The service's routes.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/v1/assess", post(assess::handle))
        .route("/v1/batches", post(batches::handle))
        .route("/v1/whatif", post(whatif::handle))
        .route("/v1/rules", get(documents::rules))
        .route("/v1/schema", get(documents::schema))
        .route("/healthz", get(documents::health))
        .route("/openapi.json", get(documents::openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Bodies are limited by each handler (`--max-body`, 64 KiB for one claim), not by axum's
        // default of 2 MB.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(Arc::clone(&state), every_request))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(
        Code::NotFound,
        "no endpoint at this path; the endpoints are listed at /openapi.json",
        "该路径没有接口，接口列表见 /openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(Code::MethodNotAllowed, "this endpoint does not take this method", "该接口不接受此请求方法")
}

/// Gives the request an id, applies the time limit, renders a handler's [`ApiError`] as a
/// problem document, and logs one line.
async fn every_request(axum::extract::State(state): axum::extract::State<Shared>, mut request: Request, next: Next) -> Response {
    let id = state.next_request_id();
    request.extensions_mut().insert(RequestId(id.clone()));
    let lang = Lang::of(request.headers());
    let method = request.method().clone();
    // The route's template, never the path as sent (a path may carry anything, a person id too).
    let route = request.extensions().get::<MatchedPath>().map_or("-", |p| p.as_str()).to_string();
    let start = Instant::now();
    let mut response = match tokio::time::timeout(state.limits.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => problem_response(
            ApiError::new(
                Code::Timeout,
                format!("the request took longer than {} s; send a smaller batch or try again later", state.limits.timeout.as_secs()),
                format!("请求处理超过 {} 秒；请减少批量或稍后重试", state.limits.timeout.as_secs()),
            ),
            lang,
            &id,
        ),
    };
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        response = problem_response(error, lang, &id);
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status();
    let note = response.extensions().get::<LogNote>().copied().unwrap_or_default();
    let code = response.extensions().get::<Code>().map(|c| c.code());
    let duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    if status.is_server_error() {
        tracing::error!(request_id = %id, %method, route, status = status.as_u16(), duration_ms, code, claims = note.claims, "request");
    } else {
        tracing::info!(
            request_id = %id,
            %method,
            route,
            status = status.as_u16(),
            duration_ms,
            code,
            claims = note.claims,
            applications = note.applications,
            "request"
        );
    }
    response
}

fn problem_response(error: ApiError, lang: Lang, id: &str) -> Response {
    let code = error.code;
    let mut response = error.into_problem(lang, id).into_response();
    response.extensions_mut().insert(code);
    response
}
