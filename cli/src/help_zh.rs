//! The command line in Chinese (SPEC §10: "Chinese with `--lang zh`"): the help of every
//! command and option, clap's headings, and usage errors. clap speaks English only, so with
//! `--lang zh` (or a Chinese locale) the command tree is given Chinese texts before parsing, and
//! a usage error is said in Chinese from its kind and its context.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Command;

/// The Chinese help of a command, by its name.
fn about(name: &str) -> Option<&'static str> {
    Some(match name {
        "subsidy" => "职业培训补贴：审核、解释与统计补贴申请",
        "assess" => "将申请作为一个批次审核（先到先得，含限额与专账），每条申请输出一条记录",
        "apprenticeship" => "按双月会审企业新型学徒制申请并安排拨付（预拨、按结果结算、退出追回）",
        "whatif" => "比较现行规则与 --set 修改后的规则下的审核结果",
        "explain" => "逐步解释一条申请的审核过程：文件作为一个批次审核（与 assess 相同，含 --history 与 --applications），并指出起作用的此前申请与已享受补贴记录",
        "demo-data" => "按规则生成一年的示例申请（及已享受补贴记录）",
        "rules" => "检查或导出规则",
        "check" => "严格加载规则文件夹并报告所有问题",
        "export" => "输出解析后的规则（补贴项目、金额、目录、专账……）",
        "ledger" => "按月批次的台账：统计、导出导入已享受补贴记录、登记学徒制结果、查看批次",
        "report" => "台账中全部记录（或某一期间）的统计报告",
        "import" => "导入台账建立之前已发放的补贴（--history 格式），只导入一次",
        "outcomes" => "登记陆续产生的学徒制结果，并重新安排拨付",
        "batches" => "台账中的所有批次：时间、来源、规则与列支金额",
        "schema" => "输出补贴申请的 JSON Schema",
        "serve" => "以 HTTP 服务提供审核（JSON；OpenAPI 3.1 见 /openapi.json），直到 SIGTERM 或 Ctrl-C",
        "columns" => "列出申请、已享受补贴记录、学徒制申请与结果文件的列（中英文名、是否必填、含义）",
        "help" => "显示帮助信息（或某个命令的帮助）",
        _ => return None,
    })
}

/// The Chinese help of an option or argument, by the command it is in and its id.
fn arg(command: &str, id: &str) -> Option<&'static str> {
    Some(match (command, id) {
        ("subsidy", "lang") => "提示信息与面向人员的输出所用语言（默认按 LANG 环境变量，否则英文）",
        (_, "lang") => "提示信息所用语言",
        (_, "help") => "显示帮助",
        (_, "version") => "显示版本",
        (_, "rules") => "规则文件夹（默认：内置的无锡 2021 规则）",
        (_, "set") => "假设修改：路径=取值，或 路径[起..止]=取值（可重复）",
        ("apprenticeship", "file") => "学徒制申请：CSV、JSON 或 JSON Lines（字段同 assess --applications）",
        ("import", "file") => "已享受补贴记录：CSV、JSON 或 JSON Lines，字段同 --history",
        ("outcomes", "file") => "学徒制结果：CSV、JSON 或 JSON Lines",
        (_, "file") => "申请文件：.csv、.json（数组）、.jsonl 或 .parquet（或 .parquet 文件夹）；- 表示标准输入",
        (_, "format") => "输入格式（扩展名无法判断时）",
        (_, "strict") => "出现非申请字段即视为信息有误（JSON 默认）",
        (_, "lenient") => "忽略非申请字段（CSV 默认）",
        (_, "encoding") => "输入文件的编码：auto（默认：按字节顺序标记、UTF-8、GB18030 判断）、utf8、gbk、gb18030",
        (_, "sheet") => ".xlsx 输入读取的工作表（默认第一个）",
        (_, "normalised") => "将规范化的取值（日期 2021/3/5、金额 1,930.00元）列入此 CSV：文件、位置、编号、字段、原值、规范值",
        (_, "history") => "已享受补贴记录：CSV、JSON 或 JSON Lines（列见 subsidy columns）",
        ("assess", "out") => "输出文件：.json、.jsonl、.csv、.xlsx 或 .parquet（默认：JSON Lines 输出到标准输出）。所在文件夹须已存在；新文件写完后才替换旧文件；不会覆盖输入文件",
        ("apprenticeship", "out") => "结果、拨付安排、资金流与报告，JSON 格式",
        ("demo-data", "out") => "要写入的申请 CSV；与 --parts 同用时为 Parquet 数据集文件夹",
        ("report", "out") => "报告，JSON 格式",
        ("export", "out") => "要写入的 CSV 文件",
        (_, "out") => "输出文件",
        (_, "bom") => "CSV 以 UTF-8 BOM 开头，Excel 与 WPS 可正确显示中文；供程序读取时用 --bom=false",
        (_, "codes") => "与 --lang zh 同用：审核结果、原因、项目、资金来源、领取对象写代码而非中文（列名仍为中文）",
        (_, "keep") => "带入 CSV 与 .xlsx 记录的申请字段，按名称（person_id,occupation,level,…）或 all（见 subsidy columns）",
        ("whatif", "report") => "现行规则、假设规则及差额，JSON 格式",
        (_, "report") => "统计报告（数量、金额、专账、目标），JSON 格式",
        (_, "changed") => "结果有变化的申请（审核结果或金额），CSV 格式：申请编号、前后的审核结果、金额与原因",
        (_, "trace") => "JSON 输出中包含每条申请的计算过程",
        (_, "csv_formulas") => "CSV 输出：escape 在会被表格软件当作公式的单元格（以 =、+、-、@、制表符或回车开头）前加 '；keep 原样写出，供程序读取",
        (_, "applications") => "企业新型学徒制申请：CSV、JSON 或 JSON Lines（列见 subsidy columns）",
        (_, "outcomes") => "已批准学徒制的结果：application_id、outcome、outcome_date",
        (_, "apprenticeships_out") => "学徒制结果、拨付安排与资金流，JSON 格式",
        (_, "ledger") => "台账（SQLite）：按其中全部记录审核，并在一个事务中记入本批次的决定",
        (_, "wait") => "等待其他进程写入台账的秒数，超时放弃",
        (_, "claim") => "要解释的申请编号",
        (_, "json") => "以 JSON 输出",
        (_, "claims") => "申请条数",
        (_, "year") => "申请所在年份",
        (_, "parts") => "按人员划分写成 Parquet 数据集，每张表 K 个文件（供 Dask 与 Spark 读取）",
        (_, "history_out") => "要写入的已享受补贴记录 CSV",
        (_, "applications_out") => "要写入的学徒制申请 CSV",
        (_, "outcomes_out") => "这些申请的结果 CSV",
        (_, "dir") => "规则文件夹",
        (_, "period") => "月份区间：起..止（2021-03..2021-06）或单月（2021-05）",
        (_, "listen") => "监听地址（0.0.0.0:8080 表示所有网卡；端口 0 自动选择）",
        (_, "max_body") => "/v1/batches 与 /v1/whatif 请求体的最大字节数",
        (_, "timeout") => "请求的时限（秒）",
        (_, "max_batches") => "同时计算的批次数（默认：CPU 核数）",
        (_, "drain") => "收到 SIGTERM 或 Ctrl-C 后，等待进行中请求完成的秒数",
        (_, "openapi") => "输出 OpenAPI 文档后退出",
        (_, "log_format") => "日志格式：JSON 或文本",
        (_, "command") => return None,
        _ => return None,
    })
}

/// Headings and the usage line in Chinese.
const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// `cmd` with Chinese help throughout.
pub fn translate(mut cmd: Command) -> Command {
    cmd.build();
    translate_built(cmd)
}

fn translate_built(cmd: Command) -> Command {
    let name = cmd.get_name().to_string();
    let mut cmd = cmd.help_template(TEMPLATE).subcommand_help_heading("命令").subcommand_value_name("命令");
    if let Some(text) = about(&name) {
        cmd = cmd.about(text).long_about(None);
    }
    if name == "subsidy" {
        cmd = cmd.after_help("退出码：0 完成；1 输入有误（申请信息有误、文件无法读取、规则或假设修改有误）；2 用法错误。");
    }
    let usage = cmd.render_usage().to_string();
    let usage = usage.trim().strip_prefix("Usage: ").unwrap_or(usage.trim());
    cmd = cmd.override_usage(usage.replace("[OPTIONS]", "[选项]").replace("<COMMAND>", "<命令>").replace("[COMMAND]", "[命令]"));
    let ids: Vec<(String, bool)> = cmd.get_arguments().map(|a| (a.get_id().to_string(), a.is_positional())).collect();
    for (id, positional) in ids {
        let text = arg(&name, &id);
        cmd = cmd.mut_arg(id, |a| {
            // The values' own descriptions are English doc comments: list the values alone.
            let values: Vec<String> =
                a.get_possible_values().iter().filter(|v| !v.is_hide_set()).map(|v| v.get_name().to_string()).collect();
            let a = a.help_heading(if positional { "参数" } else { "选项" }).hide_possible_values(true);
            match (text, values.is_empty()) {
                (Some(t), true) => a.help(t).long_help(None),
                (Some(t), false) => a.help(format!("{t}（可选：{}）", values.join("、"))).long_help(None),
                (None, _) => a,
            }
        });
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for sub in names {
        cmd = cmd.mut_subcommand(sub, translate_built);
    }
    cmd
}

/// A usage error said in Chinese: what is wrong, the usage, and where to read more.
pub fn usage_error(e: &clap::Error, cmd: &Command) -> String {
    let value = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect::<Vec<_>>().join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let argument = value(ContextKind::InvalidArg);
    let what = match e.kind() {
        ErrorKind::InvalidValue => {
            let valid = value(ContextKind::ValidValue);
            let valid = if valid.is_empty() { String::new() } else { format!("；可选：{valid}") };
            format!("“{}”不是 {argument} 的有效取值{valid}", value(ContextKind::InvalidValue))
        }
        ErrorKind::UnknownArgument => {
            let suggested = value(ContextKind::SuggestedArg);
            let tip = if suggested.is_empty() { String::new() } else { format!("；是否想用 {suggested}？") };
            format!("不认识的参数 {argument}{tip}")
        }
        ErrorKind::InvalidSubcommand => {
            let suggested = value(ContextKind::SuggestedSubcommand);
            let tip = if suggested.is_empty() { String::new() } else { format!("；是否想用 {suggested}？") };
            format!("不认识的命令 {}{tip}", value(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{argument}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => "缺少命令".to_string(),
        ErrorKind::ArgumentConflict => format!("参数 {argument} 不能与 {} 同时使用", value(ContextKind::PriorArg)),
        ErrorKind::NoEquals => format!("参数 {argument} 须写成 {argument}=取值"),
        ErrorKind::ValueValidation => format!(
            "{argument} 的取值“{}”有误：{}",
            value(ContextKind::InvalidValue),
            std::error::Error::source(e).map(ToString::to_string).unwrap_or_default()
        ),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => format!("参数 {argument} 的取值个数不对"),
        _ => format!("用法错误：{}", e.kind()),
    };
    let usage = match value(ContextKind::Usage) {
        u if u.is_empty() => cmd.clone().render_usage().to_string(),
        u => u,
    };
    let usage = usage.trim().strip_prefix("Usage: ").unwrap_or(usage.trim());
    format!("错误：{what}\n\n用法：{usage}\n\n更多信息请用 --help 查看。\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command and every option has its Chinese help: a new option without one fails here.
    #[test]
    fn every_command_and_option_has_chinese_help() {
        fn walk(cmd: &Command, missing: &mut Vec<String>) {
            let name = cmd.get_name();
            if about(name).is_none() {
                missing.push(format!("command {name}"));
            }
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if arg(name, id).is_none() {
                    missing.push(format!("{name} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, missing);
            }
        }
        let mut cmd = crate::Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, &mut missing);
        assert!(missing.is_empty(), "no Chinese help for: {missing:?}");
    }
}
