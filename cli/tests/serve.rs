//! `subsidy serve` as a bureau system meets it: the real binary on a loopback port, a real HTTP
//! client, every endpoint, problem documents for bad input, answers equal to the command
//! line's, no person id in any answer or log line, and a graceful stop.
#![cfg(feature = "serve")]

use reqwest::blocking::{multipart, Body, Client, Response};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// A resident-id-like person id: it must never come back in an answer's message or a log line.
const PERSON: &str = "320211199001011234";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(root().join("examples").join(name)).expect("example file")
}

/// The service, started on a free loopback port; its log is kept.
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<String>>,
    log_reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_subsidy"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("subsidy serve starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("the address line");
        let base = first.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("no address: {first:?}")).to_string();
        let log = Arc::new(Mutex::new(String::new()));
        let (sink, mut stderr) = (Arc::clone(&log), child.stderr.take().expect("stderr"));
        let log_reader = std::thread::spawn(move || {
            for line in BufReader::new(&mut stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Server { child, base, log, log_reader: Some(log_reader) }
    }

    /// Waits until the log has a line with `needle` (a minute at most, for a machine under load).
    fn wait_for_log(&self, needle: &str) {
        for _ in 0..3000 {
            if self.log.lock().unwrap().contains(needle) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("no {needle:?} in the log: {}", self.log.lock().unwrap());
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the service with SIGTERM and returns its log (every line it wrote).
    fn stop(mut self) -> (Option<i32>, String) {
        terminate(self.child.id());
        let status = self.child.wait().expect("the service ends");
        if let Some(reader) = self.log_reader.take() {
            reader.join().unwrap();
        }
        let log = self.log.lock().unwrap().clone();
        (status.code(), log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn terminate(pid: u32) {
    let sent = Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
    assert!(sent.success());
}

fn client() -> Client {
    Client::builder().no_proxy().build().unwrap()
}

fn post(server: &Server, path: &str, content_type: &str, body: impl Into<Body>) -> Response {
    client().post(server.url(path)).header("content-type", content_type).body(body).send().expect("the request is answered")
}

fn get(server: &Server, path: &str) -> Value {
    let response = client().get(server.url(path)).send().unwrap();
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().unwrap()
}

/// A problem document: its status and media type checked, the document returned.
fn problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "{code}");
    assert_eq!(response.headers()["content-type"], "application/problem+json", "{code}");
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    let doc: Value = response.json().unwrap();
    assert_eq!(doc["code"], code, "{doc}");
    assert_eq!(doc["status"], status);
    assert_eq!(doc["type"], format!("urn:skill-subsidy:problem:{code}"));
    assert_eq!(doc["request_id"], request_id.as_str());
    assert!(doc["title"].as_str().is_some_and(|t| !t.is_empty()) && doc["detail"].as_str().is_some_and(|t| !t.is_empty()));
    doc
}

fn subsidy(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root()).output().expect("subsidy runs")
}

/// The first `n` claims of the demo year, as CSV (with the header): enough claims for the
/// limits and the account to matter, few enough for a debug build.
fn demo_claims(n: usize) -> String {
    let demo = String::from_utf8(example("demo-2021.csv")).unwrap();
    demo.lines().take(n + 1).map(|l| format!("{l}\n")).collect()
}

fn claim() -> Value {
    serde_json::from_slice(&example("claim.json")).unwrap()
}

#[test]
fn the_documents_are_served_as_the_command_line_prints_them() {
    let server = Server::start(&[]);
    let health = get(&server, "/healthz");
    assert_eq!((health["status"].as_str(), health["ruleset"].as_str()), (Some("ok"), Some("wuxi-2021")));
    let export: Value = serde_json::from_slice(&subsidy(&["rules", "export", "--json"]).stdout).unwrap();
    assert_eq!(get(&server, "/v1/rules"), export);
    let schema: Value = serde_json::from_slice(&subsidy(&["schema"]).stdout).unwrap();
    assert_eq!(get(&server, "/v1/schema"), schema);
    let openapi = get(&server, "/openapi.json");
    assert_eq!(openapi["openapi"], "3.1.0");
    for path in ["/v1/assess", "/v1/batches", "/v1/whatif", "/v1/rules", "/v1/schema", "/healthz", "/openapi.json"] {
        assert!(openapi["paths"][path].is_object(), "{path} is described");
    }
}

#[test]
fn the_openapi_claim_and_records_are_the_cores() {
    let server = Server::start(&[]);
    let openapi = get(&server, "/openapi.json");
    let schemas = &openapi["components"]["schemas"];
    let names = |schema: &str| -> Vec<String> {
        let properties = schemas[schema]["properties"].as_object().unwrap_or_else(|| panic!("{schema} has properties"));
        properties.keys().cloned().collect()
    };
    let fields: Vec<String> = skill_subsidy::Field::ALL.iter().map(|f| f.name().to_string()).collect();
    assert_eq!(names("Claim"), fields);
    let core_schema = skill_subsidy::claim_schema(None);
    assert_eq!(schemas["Claim"]["required"], core_schema["required"]);
    assert_eq!(names("HistoryRecord"), skill_subsidy::HistoryRecord::FIELDS);
    assert_eq!(names("Application"), skill_subsidy::Application::FIELDS);
    let claim_field = |name: &str| &schemas["Claim"]["properties"][name];
    let groups: Vec<&str> = skill_subsidy::Group::ALL.iter().map(|g| g.code()).collect();
    assert_eq!(claim_field("group")["pattern"], format!("^({})$", groups.join("|")));
    let levels: String = skill_subsidy::Level::ALL.iter().map(|l| l.code()).collect();
    assert_eq!(claim_field("level")["pattern"], format!("^[{levels}]$"));
    // Money and the length of text as the core's own claim schema has them.
    let money_pattern = &core_schema["properties"]["fee_paid"]["anyOf"][0]["oneOf"][0]["pattern"];
    assert!(money_pattern.as_str().is_some_and(|p| p.starts_with('^')), "{core_schema}");
    assert_eq!(&claim_field("fee_paid")["pattern"], money_pattern);
    assert_eq!(&schemas["HistoryRecord"]["properties"]["amount"]["pattern"], money_pattern);
    assert_eq!(core_schema["properties"]["claim_id"]["maxLength"], 200);
    assert_eq!(claim_field("claim_id")["maxLength"], 200);
    // Every member the service writes is described.
    let described = |schema: &str, value: &Value| {
        let known = names(schema);
        for key in value.as_object().unwrap_or_else(|| panic!("{schema}: {value}")).keys() {
            assert!(known.contains(key), "{schema} lacks {key}");
        }
    };
    let record: Value = post(&server, "/v1/assess", "application/json", claim().to_string()).json().unwrap();
    described("AssessmentRecord", &record);
    described("Trace", &record["trace"]);
    for step in record["trace"]["steps"].as_array().unwrap() {
        described("Step", step);
    }
    let apprentice = json!({"claim_id": "A1", "program": "apprenticeship", "person_id": "P1", "enterprise_id": "E1",
        "occupation": "6-18-02-04", "level": "3", "event_date": "2021-03-01", "applied_on": "2021-03-05",
        "institution": "WX-JG-001", "months": 12});
    let estimated: Value = post(&server, "/v1/assess", "application/json", apprentice.to_string()).json().unwrap();
    described("AssessmentRecord", &estimated);
    described("Estimate", &estimated["estimate"]);
    let form = multipart::Form::new()
        .part("claims", multipart::Part::bytes(example("demo-2021.csv")).file_name("claims.csv"))
        .part("applications", multipart::Part::bytes(example("applications-2021.csv")).file_name("applications.csv"));
    let batch: Value = client().post(server.url("/v1/batches")).multipart(form).send().unwrap().json().unwrap();
    described("BatchResponse", &batch);
    let approved = batch["applications"].as_array().unwrap().iter().find(|a| a["status"] == "approved").unwrap();
    described("ApplicationRecord", approved);
    described("Payment", &approved["payments"][0]);
    let invalid = json!({"claim_id": "C1"});
    let doc = problem(post(&server, "/v1/assess", "application/json", invalid.to_string()), 422, "invalid_claim");
    described("Problem", &doc);
    described("ProblemItem", &doc["errors"][0]);
    let whatif = json!({"overrides": {"shortage.rat": "0.2"}, "claims": []});
    let doc = problem(post(&server, "/v1/whatif", "application/json", whatif.to_string()), 422, "invalid_overrides");
    described("ProblemItem", &doc["errors"][0]);
}

#[test]
fn one_claim_is_assessed_with_its_trace_as_explain_gives_it() {
    let server = Server::start(&[]);
    let response = post(&server, "/v1/assess", "application/json; charset=utf-8", claim().to_string());
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let record: Value = response.json().unwrap();
    let mut explained: Value =
        serde_json::from_slice(&subsidy(&["explain", "examples/claim.json", "--claim", "WX2021-000123", "--json"]).stdout).unwrap();
    // `explain` decides the file as a batch (of one here): it says which, and its trace adds the
    // cross-claim checks, which a claim assessed alone does not reach.
    assert_eq!(explained["batch"]["claims"], 1);
    explained.as_object_mut().unwrap().remove("batch");
    let batch_steps = ["duplicate_level", "lower_level", "annual_limit", "exclusivity", "apprenticeship_overlap", "budget"];
    let steps = explained["trace"]["steps"].as_array_mut().unwrap();
    let before = steps.len();
    steps.retain(|s| !batch_steps.contains(&s["step"].as_str().unwrap()));
    assert!(steps.len() < before);
    assert_eq!(record, explained);
    assert_eq!(record["amount"], "2466.67");
    assert!(record["trace"]["steps"].as_array().unwrap().iter().any(|s| s["step"] == "shortage_uplift"));
    // Lenient mode ignores a member that is not a claim field; strict mode (the default) refuses it.
    let mut extra = claim();
    extra["note"] = json!("from the front desk");
    let lenient: Value = post(&server, "/v1/assess?fields=lenient", "application/json", extra.to_string()).json().unwrap();
    assert_eq!(lenient["amount"], "2466.67");
    let doc = problem(post(&server, "/v1/assess", "application/json", extra.to_string()), 422, "invalid_claim");
    assert_eq!(doc["errors"][0]["code"], "unknown_field");
}

#[test]
fn bad_input_is_a_problem_with_a_stable_code() {
    let server = Server::start(&["--max-body", "4096"]);
    problem(post(&server, "/v1/assess", "application/json", "{\"claim_id\": "), 400, "malformed_json");
    problem(post(&server, "/v1/assess", "text/plain", claim().to_string()), 415, "unsupported_media_type");
    problem(post(&server, "/v1/batches", "text/csv; charset=gbk", "claim_id\n"), 415, "unsupported_media_type");
    problem(client().post(server.url("/v1/assess")).body(claim().to_string()).send().unwrap(), 415, "unsupported_media_type");
    let mut unknown = claim();
    unknown["program"] = json!("space_training");
    let doc = problem(post(&server, "/v1/assess", "application/json", unknown.to_string()), 422, "unknown_program");
    assert_eq!((doc["errors"][0]["code"].as_str(), doc["errors"][0]["field"].as_str()), (Some("unknown_program"), Some("program")));
    let mut bad = claim();
    bad["fee_paid"] = json!("-100");
    bad["event_date"] = json!("2021-02-30");
    let doc = problem(post(&server, "/v1/assess", "application/json", bad.to_string()), 422, "invalid_claim");
    let codes: Vec<&str> = doc["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["bad_date", "negative_money"]);
    for e in doc["errors"].as_array().unwrap() {
        for member in ["field", "message_en", "message_zh"] {
            assert!(e[member].as_str().is_some_and(|m| !m.is_empty()), "{member} in {e}");
        }
    }
    // One claim may be at most 64 KiB; a batch at most --max-body (here 4096 bytes), whether the
    // length is announced or the body just keeps coming.
    let mut huge = claim();
    huge["district"] = json!("梁".repeat(30_000));
    problem(post(&server, "/v1/assess", "application/json", huge.to_string()), 413, "body_too_large");
    let rows = "claim_id,program\n".to_string() + &"C1,pre_job\n".repeat(1000);
    problem(post(&server, "/v1/batches", "text/csv", rows.clone()), 413, "body_too_large");
    let chunked = Body::new(std::io::Cursor::new(rows.into_bytes()));
    problem(post(&server, "/v1/batches", "text/csv", chunked), 413, "body_too_large");
    problem(post(&server, "/v1/batches?trace=maybe", "text/csv", "claim_id\n"), 400, "bad_query");
    problem(post(&server, "/v1/batches?colour=red", "text/csv", "claim_id\n"), 400, "bad_query");
    problem(post(&server, "/v1/batches", "text/csv", "program\npre_job\n"), 400, "malformed_body");
    problem(post(&server, "/v1/batches", "application/json", "{\"claims\": [], \"extra\": 1}"), 400, "malformed_json");
    let not_acceptable =
        client().post(server.url("/v1/batches")).header("content-type", "text/csv").header("accept", "text/html").body("claim_id\n");
    problem(not_acceptable.send().unwrap(), 406, "not_acceptable");
    problem(client().get(server.url("/v1/claims")).send().unwrap(), 404, "not_found");
    problem(client().get(server.url("/v1/assess")).send().unwrap(), 405, "method_not_allowed");
    let history = json!({"claims": [], "history": [{"person_id": "P1", "program": "skills_training", "event_date": "2021-13-01"}]});
    let doc = problem(post(&server, "/v1/batches", "application/json", history.to_string()), 422, "invalid_history");
    assert_eq!(doc["errors"][0]["location"], "record 1");
    let whatif = json!({"overrides": {"programs.nope.amounts.3": "1"}, "claims": [claim()]});
    let doc = problem(post(&server, "/v1/whatif", "application/json", whatif.to_string()), 422, "invalid_overrides");
    let item = &doc["errors"][0];
    assert_eq!((item["code"].as_str(), item["path"].as_str()), (Some("unknown_path"), Some("programs.nope.amounts.3")));
    assert!(item["message"].as_str().is_some_and(|m| !m.is_empty()));
    // People read title and detail in Chinese when they ask for it.
    let zh = client().post(server.url("/v1/assess")).header("content-type", "text/plain").header("accept-language", "zh-CN,zh;q=0.9");
    let doc = problem(zh.body("{}").send().unwrap(), 415, "unsupported_media_type");
    assert_eq!(doc["title"], "不支持该请求体类型");
}

#[test]
fn a_batch_equals_the_command_line_in_every_body_and_answer_format() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let (claims, out, report) = (dir.path().join("claims.csv"), dir.path().join("out.json"), dir.path().join("report.json"));
    std::fs::write(&claims, demo_claims(4000)).unwrap();
    let run = subsidy(&[
        "assess",
        claims.to_str().unwrap(),
        "--history",
        "examples/history-2021.csv",
        "--applications",
        "examples/applications-2021.csv",
        "--out",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let records: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let report: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    // Files as a multipart form.
    let form = multipart::Form::new()
        .part("claims", multipart::Part::bytes(demo_claims(4000).into_bytes()).file_name("claims.csv"))
        .part("history", multipart::Part::bytes(example("history-2021.csv")).mime_str("text/csv").unwrap())
        .part("applications", multipart::Part::bytes(example("applications-2021.csv")).file_name("applications.csv"));
    let response = client().post(server.url("/v1/batches")).multipart(form).send().unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().unwrap();
    assert_eq!(answer["claims"], records);
    assert_eq!(answer["report"], report);
    assert_eq!(answer["applications"].as_array().unwrap().len(), 400);
    // The same claims and history as one JSON object, answered as JSON Lines.
    let csv_claims = as_json_claims(demo_claims(4000).as_bytes());
    assert_eq!(csv_claims.len(), 4000);
    let body = json!({
        "claims": csv_claims,
        "history": as_json_claims(&example("history-2021.csv")),
        "applications": as_json_claims(&example("applications-2021.csv")),
    });
    let lines = client()
        .post(server.url("/v1/batches"))
        .header("content-type", "application/json")
        .header("accept", "application/x-ndjson")
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(lines.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = lines.text().unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let from_lines: Vec<&Value> = lines.iter().filter_map(|l| l.get("claim")).collect();
    assert_eq!(from_lines, records.as_array().unwrap().iter().collect::<Vec<_>>());
    assert_eq!(lines.iter().filter(|l| l.get("application").is_some()).count(), 400);
    assert_eq!(lines.last().unwrap()["report"], report);
    // Claims alone as CSV, with the traces asked for.
    let traced: Value = post(&server, "/v1/batches?trace=true", "text/csv", demo_claims(300)).json().unwrap();
    assert_eq!(traced["claims"].as_array().unwrap().len(), 300);
    assert!(traced["claims"][0]["trace"]["steps"].is_array());
}

/// A CSV file's rows as JSON objects of their non-empty cells (a bureau system's JSON).
fn as_json_claims(csv: &[u8]) -> Vec<Value> {
    let mut reader = csv::Reader::from_reader(csv);
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            Value::Object(header.iter().zip(row.iter()).filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), json!(v))).collect())
        })
        .collect()
}

#[test]
fn whatif_gives_the_command_lines_baseline_variant_and_difference() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let (claims, report) = (dir.path().join("claims.csv"), dir.path().join("whatif.json"));
    std::fs::write(&claims, demo_claims(4000)).unwrap();
    let run = subsidy(&["whatif", claims.to_str().unwrap(), "--set", "shortage.rate=0.20", "--report", report.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let expected: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    // The command line reads CSV leniently; the JSON claims here have only claim fields.
    let body = json!({"overrides": {"shortage.rate": "0.20"}, "claims": as_json_claims(demo_claims(4000).as_bytes())});
    let answer: Value = post(&server, "/v1/whatif", "application/json", body.to_string()).json().unwrap();
    for key in ["baseline", "variant", "difference"] {
        assert_eq!(answer[key], expected[key], "{key}");
    }
    assert_eq!(answer["overrides"], json!({"shortage.rate": "0.20"}));
    assert_ne!(answer["difference"]["approved"]["delta"]["amount"], "0.00", "the lower uplift changes the total");
}

#[test]
fn person_ids_never_reach_an_answers_message_or_the_log() {
    let server = Server::start(&[]);
    let mut answers = Vec::new();
    let mut send = |path: &str, content_type: &str, body: String| {
        let response = post(&server, path, content_type, body);
        answers.push(response.text().unwrap());
    };
    let mut with_person = claim();
    with_person["person_id"] = json!(PERSON);
    send("/v1/assess", "application/json", with_person.to_string());
    with_person["event_date"] = json!("2021-02-30");
    send("/v1/assess", "application/json", with_person.to_string());
    with_person["person_id"] = json!([PERSON]);
    send("/v1/assess", "application/json", with_person.to_string());
    send("/v1/assess", "application/json", format!("\"{PERSON}\""));
    send("/v1/assess", "application/json", format!("{{\"person_id\": \"{PERSON}\", "));
    send("/v1/batches", "application/json", format!("{{\"claims\": \"{PERSON}\"}}"));
    send("/v1/batches", "application/json", format!("{{\"claims\": [], \"history\": [\"{PERSON}\"]}}"));
    send("/v1/batches", "application/json", format!("{{\"claims\": [], \"history\": [{{\"person_id\": \"{PERSON}\"}}]}}"));
    send("/v1/batches", "application/json", format!("{{\"{PERSON}\": []}}"));
    send("/v1/batches", "text/csv", format!("{PERSON},skills_training\n"));
    send("/v1/batches", "text/csv", format!("claim_id,person_id\nC1,{PERSON}\nC2,\"{PERSON}\n"));
    send("/v1/batches", "application/x-ndjson", format!("{{\"person_id\": {PERSON}0e}}\n\"{PERSON}\"\n"));
    let path = client().get(server.url(&format!("/v1/persons/{PERSON}?id={PERSON}"))).header("x-person", PERSON).send().unwrap();
    answers.push(path.text().unwrap());
    for answer in &answers {
        assert!(!answer.contains(PERSON), "a person id in an answer: {answer}");
    }
    let (_, log) = server.stop();
    assert!(log.lines().filter(|l| l.contains("\"request\"")).count() >= answers.len(), "one line per request: {log}");
    assert!(!log.contains(PERSON), "a person id in the log: {log}");
}

#[test]
fn a_request_past_the_time_limit_is_a_problem() {
    let server = Server::start(&["--timeout", "0"]);
    problem(post(&server, "/v1/batches", "text/csv", example("demo-2021.csv")), 503, "timeout");
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_stops() {
    let server = Server::start(&[]);
    // A batch whose body stops half way until the test has sent SIGTERM: the service has begun
    // it (its start is logged) and must still finish it.
    let rows = 1000;
    let mut csv = String::from("claim_id,program,person_id,enterprise_id,event_date,applied_on\n");
    for i in 0..rows {
        csv.push_str(&format!("C{i},pre_job,P{i},E1,2021-05-10,2021-05-20\n"));
    }
    let (resume, wait) = mpsc::channel::<()>();
    let body = TwoHalves { bytes: csv.into_bytes(), at: 0, resume: Some(wait) };
    let base = server.url("/v1/batches");
    let request = std::thread::spawn(move || {
        let response = client().post(base).header("content-type", "text/csv").body(Body::new(body)).send().expect("answered");
        (response.status().as_u16(), response.json::<Value>().expect("a whole answer"))
    });
    server.wait_for_log("batch started");
    terminate(server.child.id());
    server.wait_for_log("stopping");
    resume.send(()).unwrap();
    let (status, answer) = request.join().unwrap();
    assert_eq!(status, 200);
    assert_eq!(answer["claims"].as_array().unwrap().len(), rows);
    assert_eq!(answer["report"]["status"]["approved"], rows);
    let (code, log) = server.stop();
    assert_eq!(code, Some(0), "{log}");
    let stopping = log.find("stopping").expect("the stop is logged");
    let answered = log.find("\"route\":\"/v1/batches\",\"status\":200").expect("the request is logged");
    assert!(stopping < answered && log.contains("\"message\":\"stopped\""), "{log}");
}

/// A body that sends its first half and waits to be told to send the rest.
struct TwoHalves {
    bytes: Vec<u8>,
    at: usize,
    resume: Option<mpsc::Receiver<()>>,
}

impl Read for TwoHalves {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let half = self.bytes.len() / 2;
        if self.at >= half {
            if let Some(resume) = self.resume.take() {
                let _ = resume.recv();
            }
        }
        let end = if self.at < half { half } else { self.bytes.len() };
        let n = buf.len().min(end - self.at);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
