//! The OpenAPI 3.1 document (`GET /openapi.json`), generated from the handlers' annotations
//! and the types of [`super::wire`], [`super::problem`] and [`super::params`].

use super::{assess, batches, documents, params, problem, whatif};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "skill-subsidy",
        description = "Chinese vocational-training subsidies (职业培训补贴), computed exactly and explained: one claim with its trace, batches with the limits and the special account, what-if runs, the rules. Money is a decimal string of yuan; dates are YYYY-MM-DD. Errors are RFC 9457 problem details (application/problem+json) with a stable `code`; `Accept-Language: zh` gives their title and detail in Chinese.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    paths(assess::handle, batches::handle, whatif::handle, documents::rules, documents::schema, documents::health, documents::openapi),
    // Referenced from the query parameters and problems, which utoipa does not collect.
    components(schemas(params::Fields, problem::ProblemItem)),
    tags(
        (name = "claims", description = "Assess claims (审核补贴申请)"),
        (name = "rules", description = "The rules served (补贴规则)"),
        (name = "service", description = "The service itself"),
    )
)]
struct ApiDoc;

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
