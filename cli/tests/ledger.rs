//! The ledger from the command line, as a bureau runs it month after month — and the faults:
//! a process killed in the middle of a commit, two processes committing at once, a busy
//! ledger, a ledger of a newer schema. Person ids never appear on a terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn subsidy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root()).output().expect("subsidy runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(run: &Output) -> String {
    assert_eq!(run.status.code(), Some(0), "{}{}", text(&run.stdout), text(&run.stderr));
    text(&run.stdout) + &text(&run.stderr)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The demo year's claims of `months` (`2021-03` …), as a CSV file in `dir`.
fn months(dir: &Path, name: &str, months: &[&str]) -> PathBuf {
    let mut reader = csv::Reader::from_path(root().join("examples/demo-2021.csv")).unwrap();
    let out = dir.join(name);
    let mut writer = csv::Writer::from_path(&out).unwrap();
    writer.write_record(reader.headers().unwrap()).unwrap();
    let applied_on = reader.headers().unwrap().iter().position(|h| h == "applied_on").unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        if months.iter().any(|m| row[applied_on].starts_with(m)) {
            writer.write_record(&row).unwrap();
        }
    }
    writer.flush().unwrap();
    out
}

/// No person id of the demo files (`P0012770` …) in what a command printed.
fn no_person_ids(printed: &str) {
    let found = printed.split(|c: char| !c.is_ascii_alphanumeric()).find(|w| w.len() == 8 && w.starts_with("P00"));
    assert!(found.is_none(), "a person id was printed: {found:?}");
}

#[test]
fn the_monthly_workflow_equals_one_batch_and_running_a_month_again_commits_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wuxi-2021.db");
    let ledger = path(&db);
    let mut printed = ok(&subsidy(&["ledger", "import", "examples/history-2021.csv", "--ledger", ledger]));
    for m in ["2021-01", "2021-02", "2021-03"] {
        let file = months(dir.path(), &format!("{m}.csv"), &[m]);
        printed += &ok(&subsidy(&["assess", path(&file), "--ledger", ledger, "--out", path(&dir.path().join(format!("{m}.out.csv")))]));
    }
    // January to March as one batch, with the history the ledger imported.
    let quarter = months(dir.path(), "q1.csv", &["2021-01", "2021-02", "2021-03"]);
    let one = dir.path().join("one.json");
    ok(&subsidy(&[
        "assess",
        path(&quarter),
        "--history",
        "examples/history-2021.csv",
        "--report",
        path(&one),
        "--out",
        path(&dir.path().join("q1.out.csv")),
    ]));
    let report = dir.path().join("ledger.json");
    printed += &ok(&subsidy(&["ledger", "report", "--ledger", ledger, "--out", path(&report)]));
    let read = |p: &Path| serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(p).unwrap()).unwrap();
    assert_eq!(read(&report), read(&one));

    // March again: nothing committed, the same records.
    let march = dir.path().join("2021-03.csv");
    let again = dir.path().join("again.csv");
    let run = subsidy(&["assess", path(&march), "--ledger", ledger, "--out", path(&again)]);
    printed += &ok(&run);
    assert!(text(&run.stderr).contains("nothing new to commit"), "{}", text(&run.stderr));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), std::fs::read_to_string(dir.path().join("2021-03.out.csv")).unwrap());
    assert_eq!(read(&report), {
        ok(&subsidy(&["ledger", "report", "--ledger", ledger, "--out", path(&report)]));
        read(&report)
    });

    // The ledger exported as history decides April as the ledger does.
    let history = dir.path().join("history.csv");
    printed += &ok(&subsidy(&["ledger", "export", "--ledger", ledger, "--out", path(&history)]));
    let april = months(dir.path(), "2021-04.csv", &["2021-04"]);
    let (by_history, by_ledger) = (dir.path().join("h.csv"), dir.path().join("l.csv"));
    ok(&subsidy(&["assess", path(&april), "--history", path(&history), "--out", path(&by_history)]));
    printed += &ok(&subsidy(&["assess", path(&april), "--ledger", ledger, "--out", path(&by_ledger)]));
    assert_eq!(std::fs::read_to_string(&by_history).unwrap(), std::fs::read_to_string(&by_ledger).unwrap());

    // Apprenticeships: the applications, then their outcomes as they arrive.
    printed += &ok(&subsidy(&["assess", path(&april), "--ledger", ledger, "--applications", "examples/applications-2021.csv"]));
    let run = subsidy(&["ledger", "outcomes", "examples/outcomes-2021.csv", "--ledger", ledger]);
    printed += &ok(&run);
    assert!(text(&run.stderr).contains("outcomes recorded"), "{}", text(&run.stderr));
    printed += &ok(&subsidy(&["ledger", "batches", "--ledger", ledger]));
    printed += &ok(&subsidy(&["ledger", "report", "--ledger", ledger, "--period", "2021-03..2021-04", "--lang", "zh"]));
    no_person_ids(&printed);
}

#[test]
fn a_claim_id_reused_for_other_content_is_invalid_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    ok(&subsidy(&["assess", "examples/claim.json", "--ledger", path(&db)]));
    let changed = dir.path().join("changed.json");
    let claim = std::fs::read_to_string(root().join("examples/claim.json")).unwrap().replace("2466.67", "2466.66");
    std::fs::write(&changed, claim).unwrap();
    let run = subsidy(&["assess", path(&changed), "--ledger", path(&db)]);
    assert_eq!(run.status.code(), Some(1));
    let record: serde_json::Value = serde_json::from_str(text(&run.stdout).trim()).unwrap();
    assert_eq!(record["errors"][0]["code"], "claim_id_reused");
    assert!(
        text(&run.stderr).contains("claim_id_reused") && text(&run.stderr).contains("1 invalid, not committed"),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn a_process_killed_in_the_middle_of_a_commit_leaves_the_ledger_as_before_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    ok(&subsidy(&["assess", "examples/demo-2021.csv", "--ledger", path(&db), "--out", path(&dir.path().join("first.csv"))]));
    let before = dir.path().join("before.csv");
    ok(&subsidy(&["ledger", "export", "--ledger", path(&db), "--out", path(&before)]));
    let big = dir.path().join("big.csv");
    ok(&subsidy(&["demo-data", "--claims", "100000", "--year", "2021", "--out", path(&big)]));
    // The big file's ids start where the demo's do: give them their own.
    let renamed = std::fs::read_to_string(&big).unwrap().replace("WX21-", "BIG-");
    std::fs::write(&big, renamed).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_subsidy"))
        .args(["assess", path(&big), "--ledger", path(&db), "--out", path(&dir.path().join("big.out.csv"))])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The transaction's pages spill into the write-ahead log as the decisions are written: once
    // it holds a megabyte of them, the commit is under way and far from done.
    let wal = dir.path().join("l.db-wal");
    let started = Instant::now();
    let grown = |at: u64| std::fs::metadata(&wal).is_ok_and(|m| m.len() > at);
    let size_before = std::fs::metadata(&wal).map_or(0, |m| m.len());
    loop {
        assert!(child.try_wait().unwrap().is_none(), "the batch finished before it could be killed");
        assert!(started.elapsed() < Duration::from_secs(300), "the commit never started");
        if grown(size_before + (1 << 20)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success());

    // Reopened, the ledger is as it was before the batch, and sound.
    let after = dir.path().join("after.csv");
    ok(&subsidy(&["ledger", "export", "--ledger", path(&db), "--out", path(&after)]));
    assert_eq!(std::fs::read_to_string(&after).unwrap(), std::fs::read_to_string(&before).unwrap());
    let batches = ok(&subsidy(&["ledger", "batches", "--ledger", path(&db)]));
    assert_eq!(batches.lines().filter(|l| l.contains(" assess ")).count(), 1, "{batches}");
    let check: String = rusqlite::Connection::open(&db).unwrap().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn two_processes_committing_at_once_are_served_one_after_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let (may, june) = (months(dir.path(), "may.csv", &["2021-05"]), months(dir.path(), "june.csv", &["2021-06"]));
    let report_of = |db: &Path| {
        let out = db.with_extension("json");
        ok(&subsidy(&["ledger", "report", "--ledger", path(db), "--out", path(&out)]));
        std::fs::read_to_string(out).unwrap()
    };
    let sequential = |first: &Path, second: &Path, name: &str| {
        let db = dir.path().join(name);
        ok(&subsidy(&["assess", path(first), "--ledger", path(&db), "--out", path(&db.with_extension("a.csv"))]));
        ok(&subsidy(&["assess", path(second), "--ledger", path(&db), "--out", path(&db.with_extension("b.csv"))]));
        report_of(&db)
    };
    let (may_first, june_first) = (sequential(&may, &june, "mj.db"), sequential(&june, &may, "jm.db"));
    assert_ne!(may_first, june_first, "the order matters for these months, so a mix would show");

    let db = dir.path().join("both.db");
    let spawn = |file: &Path, out: &str| {
        Command::new(env!("CARGO_BIN_EXE_subsidy"))
            .args(["assess", path(file), "--ledger", path(&db), "--out", path(&dir.path().join(out))])
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(&may, "may.out.csv"), spawn(&june, "june.out.csv"));
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    // Both committed, one after the other.
    let both = report_of(&db);
    assert!(both == may_first || both == june_first, "interleaved");
}

#[test]
fn a_busy_ledger_is_waited_for_then_refused_and_a_newer_one_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    ok(&subsidy(&["assess", "examples/claims.csv", "--ledger", path(&db), "--out", path(&dir.path().join("o.csv"))]));
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let run = subsidy(&["assess", "examples/claim.json", "--ledger", path(&db), "--wait", "1"]);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(run.status.code(), Some(1));
    let said = text(&run.stderr);
    assert!(said.contains("busy") && said.contains("nothing was committed") && said.contains("[ledger_busy]"), "{said}");
    // Reports read while another process commits.
    ok(&subsidy(&["ledger", "report", "--ledger", path(&db)]));
    holder.execute_batch("ROLLBACK").unwrap();

    holder.pragma_update(None, "user_version", 99).unwrap();
    drop(holder);
    for args in [vec!["ledger", "report", "--ledger", path(&db)], vec!["assess", "examples/claim.json", "--ledger", path(&db)]] {
        let run = subsidy(&args);
        assert_eq!(run.status.code(), Some(1));
        let said = text(&run.stderr);
        assert!(said.contains("newer version of skill-subsidy (ledger schema 99") && said.contains("[newer_schema]"), "{said}");
    }
    let run = subsidy(&["ledger", "report", "--ledger", path(&dir.path().join("typo.db"))]);
    assert!(text(&run.stderr).contains("no ledger there"), "{}", text(&run.stderr));
    assert!(!dir.path().join("typo.db").exists());
}

#[test]
fn the_readmes_monthly_workflow_runs_as_written() {
    // The four commands under "Month after month" in the README, as a user types them, in a
    // folder of their own (the example files stay where they are).
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme.split("The monthly workflow, in four commands:").nth(1).expect("the README shows the workflow");
    let commands: Vec<Vec<String>> = section
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with("    subsidy "))
        .map(|l| l.split('#').next().unwrap().split_whitespace().skip(1).map(str::to_string).collect())
        .collect();
    assert_eq!(commands.len(), 4, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut printed = String::new();
    for args in &commands {
        let args: Vec<String> =
            args.iter().map(|a| if a.starts_with("examples/") { root().join(a).display().to_string() } else { a.clone() }).collect();
        let run = Command::new(env!("CARGO_BIN_EXE_subsidy")).args(&args).current_dir(dir.path()).output().unwrap();
        printed += &ok(&run);
    }
    assert!(dir.path().join("decided-2021-03.csv").exists() && dir.path().join("report.json").exists());
    assert!(printed.contains("outcomes recorded"), "{printed}");
    no_person_ids(&printed);
}
