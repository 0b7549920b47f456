//! The language of messages on the terminal and of records meant for people (SPEC §10: messages
//! in English by default, Chinese with `--lang zh`, or when the locale is Chinese).

use std::ffi::OsString;

/// English (default) or Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// 中文.
    Zh,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// The language of a run, decided before the arguments are parsed (help and usage errors
    /// need it): the last `--lang zh|en` (or `--lang=…`) given, else the locale (`LC_ALL`,
    /// `LC_MESSAGES`, `LANG`, the first one set, as POSIX orders them), else English.
    pub fn of_run(args: &[OsString]) -> Lang {
        let mut chosen = None;
        for (i, arg) in args.iter().enumerate() {
            let value = match arg.to_str() {
                Some("--") => break,
                Some("--lang") => args.get(i + 1).and_then(|v| v.to_str()),
                Some(a) => a.strip_prefix("--lang="),
                None => None,
            };
            match value {
                Some("zh") => chosen = Some(Lang::Zh),
                Some("en") => chosen = Some(Lang::En),
                _ => {}
            }
        }
        chosen.unwrap_or_else(|| {
            let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
            match locale {
                Some(l) if l.starts_with("zh") => Lang::Zh,
                _ => Lang::En,
            }
        })
    }
}

/// Where a row is, in words: `line 12` / `第 12 行`, `record 3` / `第 3 条记录`.
pub fn location(at: crate::input::Location, lang: Lang) -> String {
    match lang {
        Lang::Zh => at.zh(),
        Lang::En => at.to_string(),
    }
}

/// The line that ends a list cut short: `… and 5 more` / `… 另有 5 条`.
pub fn and_more(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("… and {n} more"),
        Lang::Zh => format!("… 另有 {n} 条"),
    }
}

/// What went wrong with a file, in the run's language: the operating system's words in
/// English, the same reason in Chinese.
pub fn io_error(e: &std::io::Error, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match os_error_zh(e.raw_os_error()) {
        Some(zh) => zh.to_string(),
        None => e.to_string(),
    }
}

/// The Chinese for the operating system's file errors a command meets.
fn os_error_zh(code: Option<i32>) -> Option<&'static str> {
    Some(match code? {
        1 => "不允许的操作",
        2 => "没有那个文件或目录",
        5 => "输入/输出错误",
        13 => "权限不够",
        17 => "文件已存在",
        20 => "不是目录",
        21 => "是一个目录",
        24 => "打开的文件过多",
        27 => "文件过大",
        28 => "设备上没有空间",
        30 => "只读文件系统",
        36 => "文件名过长",
        40 => "符号链接的层数过多",
        122 => "超出磁盘限额",
        _ => return None,
    })
}

/// A failure's text in Chinese where it holds English built where the language was not at hand:
/// the operating system's words (`path: No such file or directory (os error 2)`), the input's
/// header errors, `line N` as `第 N 行`.
pub fn localize(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    let mut out = text.to_string();
    for code in [1, 2, 5, 13, 17, 20, 21, 24, 27, 28, 30, 36, 40, 122] {
        let english = std::io::Error::from_raw_os_error(code).to_string();
        if let (true, Some(zh)) = (out.contains(&english), os_error_zh(Some(code))) {
            out = out.replace(&english, zh);
        }
    }
    for (en, zh) in PHRASES_ZH {
        if out.contains(en) {
            out = out.replace(en, zh);
        }
    }
    let out = replace_numbered(&out, "line ", |n| format!("第 {n} 行"));
    replace_numbered(&out, "record ", |n| format!("第 {n} 条记录"))
}

/// The fixed words of the input's errors (input.rs, built where the language is not at hand:
/// a reader of files and of request bodies alike), in Chinese. Values between them (a column's
/// name, a count) are kept.
const PHRASES_ZH: [(&str, &str); 10] = [
    ("the file is empty; a CSV starts with a header row", "文件为空；CSV 文件的第一行须为列名"),
    ("the header's quotes do not balance", "表头的引号不配对"),
    ("the header is not UTF-8", "表头不是 UTF-8 文本"),
    ("a carriage return inside the header: lines must end with LF or CRLF, not CR alone", "表头中有单独的回车符：行尾须为 LF 或 CRLF"),
    ("the column ", "列 "),
    (" appears twice in the header", " 在表头中出现了两次"),
    (
        "cannot tell the format from the extension; use .csv, .json or .jsonl, or --format",
        "无法从扩展名判断格式；请使用 .csv、.json 或 .jsonl 文件，或用 --format 指定",
    ),
    (" rows cannot be read:", " 行无法读取："),
    (" problems in the rules", " 处规则问题"),
    (" problem in the rules", " 处规则问题"),
];

/// `prefix` followed by digits, replaced by `with(digits)`, where `prefix` starts a word.
fn replace_numbered(text: &str, prefix: &str, with: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let after = &rest[at + prefix.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let starts_word = rest[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        if digits > 0 && starts_word {
            out.push_str(&with(&after[..digits]));
            rest = &after[digits..];
        } else {
            out.push_str(prefix);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_lang_argument_wins_and_a_value_after_double_dash_is_a_file() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(Lang::of_run(&args(&["subsidy", "--lang", "zh", "assess"])), Lang::Zh);
        assert_eq!(Lang::of_run(&args(&["subsidy", "--lang=zh", "--lang", "en"])), Lang::En);
        assert_eq!(Lang::of_run(&args(&["subsidy", "--lang=en", "--", "--lang=zh"])), Lang::En);
    }

    #[test]
    fn os_errors_and_lines_are_said_in_chinese() {
        let text = format!("a.csv: {}", std::io::Error::from_raw_os_error(2));
        assert_eq!(localize(&text, Lang::Zh), "a.csv: 没有那个文件或目录");
        assert_eq!(localize("a.csv: line 1: the header is not UTF-8", Lang::Zh), "a.csv: 第 1 行: 表头不是 UTF-8 文本");
        assert_eq!(localize("pipeline 3", Lang::Zh), "pipeline 3");
        assert_eq!(localize("line 7", Lang::En), "line 7");
    }
}
