//! Approved projects (项目制培训, 一项一价): a price per trainee for a period.

use super::error::RulesErrorKind;
use super::loader::Loader;
use super::params::{ParamId, ParamKind};
use super::programs::{Calculation, Program};
use super::reader::{is_ident, Cx, Table};
use crate::calendar::Period;

/// One approved project.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Project {
    /// Id used in claims (`XM2021-01`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// The `per_project` program it belongs to.
    pub program: String,
    /// Trainees whose `event_date` falls in this period are paid the price.
    pub period: Period,
    /// Price per trainee.
    pub price: ParamId,
}

pub(crate) fn load_projects(loader: &mut Loader, cx: &mut Cx<'_, '_>, root: &mut Table<'_>, programs: &[Program]) -> Vec<Project> {
    let Some(node) = root.req(cx, "projects") else { return Vec::new() };
    let Some(mut table) = cx.table(&node) else { return Vec::new() };
    let mut out = Vec::new();
    for (id, node) in table.entries(cx) {
        if !is_ident(&id) {
            cx.error_at(RulesErrorKind::InvalidValue, &node, format!("{id:?} is not a project id"));
            continue;
        }
        let Some(mut t) = cx.table(&node) else { continue };
        let name_zh = t.req(cx, "name_zh").and_then(|n| cx.string(&n));
        let program = t.req(cx, "program").and_then(|n| {
            let program = cx.ident(&n)?;
            let per_project = programs.iter().any(|p| p.id == program && p.calculation == Calculation::PerProject);
            // A program that failed to load was reported in programs.toml.
            if !per_project && !cx.failed.programs.covers(&program) {
                cx.error_at(RulesErrorKind::UnknownReference, &n, format!("{program:?} is not a per_project program of programs.toml"));
            }
            Some(program)
        });
        let from = t.req(cx, "effective_from").and_then(|n| cx.date(&n));
        let to = t.req(cx, "effective_to").and_then(|n| cx.date(&n));
        let price = t.req(cx, "price").and_then(|n| loader.param(cx, &n, ParamKind::Money));
        let period = match (from, to) {
            (Some(from), Some(to)) => cx.period(&t.path, t.line, from, to),
            _ => None,
        };
        t.finish(cx);
        if let (Some(name_zh), Some(program), Some(period), Some(price)) = (name_zh, program, period, price) {
            out.push(Project { id, name_zh, program, period, price });
        }
    }
    out
}
