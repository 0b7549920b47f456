//! The query parameters the endpoints take: `trace` and `fields`.

use super::problem::{ApiError, Code};
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use serde::Deserialize;
use skill_subsidy::FieldMode;
use utoipa::{IntoParams, ToSchema};

/// `strict`: a member that is not a claim field makes the claim invalid; `lenient`: it is
/// ignored. The default is strict for JSON and JSON Lines, lenient for CSV.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = FieldMode)]
pub enum Fields {
    Strict,
    Lenient,
}

/// Options of a request.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// Include each claim's explanation (batches; `/v1/assess` always includes it).
    pub trace: Option<bool>,
    /// How members that are not claim fields are treated.
    pub fields: Option<Fields>,
}

impl Params {
    /// The parameters, or `bad_query` (without repeating what was sent).
    pub fn read(query: Result<Query<Params>, QueryRejection>) -> Result<Params, ApiError> {
        query.map(|Query(p)| p).map_err(|_| {
            ApiError::new(
                Code::BadQuery,
                "the query takes trace=true|false and fields=strict|lenient only",
                "查询参数只能是 trace=true|false 与 fields=strict|lenient",
            )
        })
    }

    /// The field mode asked for, if any.
    pub fn field_mode(&self) -> Option<FieldMode> {
        self.fields.map(|f| match f {
            Fields::Strict => FieldMode::Strict,
            Fields::Lenient => FieldMode::Lenient,
        })
    }
}
