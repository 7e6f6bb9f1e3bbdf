//! The Exchange subcommands of `rackdesk`, run as a user would, against a small canned server
//! that answers as the API reference documents (the simulator's Exchange routes are not
//! used here). Keys come from the environment; settings and journal live in a temporary
//! folder.

use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const USER_KEY: &str = "CliExchangeKey0001";
const SECRET: &str = "CliExchangeSecret-Do-Not-Print-0001";

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    content_type: String,
    body: String,
}

type Handler = Arc<dyn Fn(&Seen) -> (u16, String) + Send + Sync>;

struct Canned {
    api_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    dir: std::path::PathBuf,
}

impl Drop for Canned {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Canned {
    async fn start(handler: impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static) -> Canned {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let handler = handler.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let mut data = Vec::new();
                    let mut buf = [0u8; 8192];
                    let end = loop {
                        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        match sock.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => data.extend_from_slice(&buf[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&data[..end]).to_string();
                    let header = |name: &str| {
                        head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned()))
                    };
                    let len: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                    while data.len() < end + len {
                        match sock.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => data.extend_from_slice(&buf[..n]),
                        }
                    }
                    let mut w = head.lines().next().unwrap_or("").split(' ');
                    let seen = Seen {
                        method: w.next().unwrap_or("").into(),
                        target: w.next().unwrap_or("").into(),
                        content_type: header("content-type").unwrap_or_default(),
                        body: String::from_utf8_lossy(&data[end..end + len]).into(),
                    };
                    log.lock().unwrap().push(seen.clone());
                    let (status, body) = handler(&seen);
                    let out = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(out.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        let dir = std::env::temp_dir().join(format!("rackdesk-cli-exchange-{}-{}", std::process::id(), addr.port()));
        std::fs::create_dir_all(&dir).unwrap();
        Canned { api_url: format!("http://{addr}/v1"), seen, dir }
    }

    fn writes(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().filter(|s| s.method != "GET").cloned().collect()
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_rackdesk"))
            .env("RACKDESK_CONFIG_DIR", &self.dir)
            .env("RACKDESK_DATA_DIR", &self.dir)
            .env("RACKDESK_USER_KEY", USER_KEY)
            .env("RACKDESK_SECRET_KEY", SECRET)
            .env("RACKDESK_MINUTE_MS", "1000")
            .env_remove("RACKDESK_API_URL")
            .args(["--api-url", &self.api_url])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("rackdesk runs");
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(SECRET), "the secret key appeared in the output of {args:?}");
        out
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn path(s: &Seen) -> &str {
    s.target.split('?').next().unwrap_or("")
}

const LISTS: &str = "/v1/customers/me/domains/example.com/ex/distributionlists";

/// A list server: the list reads Ready before and after a write; `error_after_write` puts a
/// new `Error` on it once something was written.
fn list_server(error_after_write: Option<&'static str>) -> impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static {
    let written = Arc::new(Mutex::new(false));
    let members: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(vec!["zed@example.com".into()]));
    move |r: &Seen| {
        if r.method != "GET" {
            *written.lock().unwrap() = true;
            // Carry out member changes, so that reading the members back shows them.
            if let Ok(b) = serde_json::from_str::<serde_json::Value>(&r.body) {
                for e in b["Members"]["Recipients"].as_array().into_iter().flatten() {
                    let v = e["Value"].as_str().unwrap_or("").to_owned();
                    let mut m = members.lock().unwrap();
                    match e["Action"].as_str() {
                        Some("Add") => m.push(v),
                        _ => m.retain(|x| *x != v),
                    }
                }
            }
            return (204, String::new());
        }
        if path(r) == "/v1/customers/me/domains" {
            return (200, r#"{"offset":0,"size":250,"total":1,"domains":[{"name":"example.com","serviceType":"exchange"}]}"#.into());
        }
        if path(r).ends_with("/members") || path(r).ends_with("/senders") {
            let list: Vec<serde_json::Value> =
                members.lock().unwrap().iter().map(|m| serde_json::json!({"PrimarySmtpAddress": m})).collect();
            return (200, serde_json::json!({ "Recipients": list }).to_string());
        }
        let error = match (*written.lock().unwrap(), error_after_write) {
            (true, Some(m)) => format!(r#","Error":{{"Action":"Update","Message":"{m}","Code":400}}"#),
            _ => String::new(),
        };
        (200, format!(r#"{{"CommonName":"sales","DisplayName":"Sales","Status":"Ready","MemberCount":2{error}}}"#))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_desk_adds_list_members_and_the_journal_says_so() {
    let c = Canned::start(list_server(None)).await;
    assert_eq!(code(&c.run(&["operator", "set", "--name", "sam", "--role", "help-desk"])), 0);
    let o = c.run(&["list", "add-member", "sales@example.com", "ana@example.com", "bo@example.com"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("Added ana@example.com, bo@example.com to sales@example.com."), "{}", stdout(&o));
    let w = c.writes();
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].method.as_str(), path(&w[0])), ("PUT", format!("{LISTS}/sales").as_str()));
    assert!(w[0].content_type.starts_with("application/json"), "never a form: {}", w[0].content_type);
    let body: serde_json::Value = serde_json::from_str(&w[0].body).unwrap();
    assert_eq!(body["Members"]["Recipients"][1], serde_json::json!({"Action": "Add", "Value": "bo@example.com"}));

    let j = c.run(&["journal", "list"]);
    assert!(stdout(&j).contains("Added ana@example.com and bo@example.com to the distribution list sales@example.com"), "{}", stdout(&j));

    // Deleting a list is for super admins: refused (exit 7), journaled, nothing sent.
    let o = c.run(&["list", "delete", "sales@example.com", "--yes"]);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    assert_eq!(c.writes().len(), 1);
    let j = c.run(&["journal", "list", "--result", "refused"]);
    assert!(stdout(&j).contains("Deleted the distribution list sales@example.com"), "{}", stdout(&j));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_at_a_misspelt_domain_is_held_until_confirmed() {
    let c = Canned::start(list_server(None)).await;
    let o = c.run(&["list", "add-member", "sales@example.com", "ana@exmaple.com"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("example.com") && stderr(&o).contains("--accept-unknown-domain"), "{}", stderr(&o));
    assert!(c.writes().is_empty());
    let o = c.run(&["list", "add-member", "sales@example.com", "ana@exmaple.com", "--accept-unknown-domain"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(c.writes().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_change_that_settles_with_an_error_fails_with_the_servers_words() {
    let c = Canned::start(list_server(Some("The recipient zed@example.com does not exist"))).await;
    let o = c.run(&["list", "remove-member", "sales@example.com", "zed@example.com"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("accepted the change but then could not carry it out"), "{}", stderr(&o));
    assert!(stderr(&o).contains("Details: Update: The recipient zed@example.com does not exist"), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_need_yes_and_unconfirmed_permissions_are_refused() {
    let c = Canned::start(list_server(None)).await;
    for args in [
        &["list", "delete", "sales@example.com"][..],
        &["ex-mailbox", "delete", "ana@example.com"][..],
        &["contact", "delete", "example.com", "pat"][..],
    ] {
        let o = c.run(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    }
    let o = c.run(&["ex-mailbox", "grant", "ana@example.com", "--to", "bo", "--permission", "fullaccess"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not confirmed"), "{}", stderr(&o));
    let o = c.run(&["ex-mailbox", "set", "ana@example.com", "--forward-to", "a@example.com,b@example.com"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("one address only"), "{}", stderr(&o));
    assert!(c.writes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_read_by_marker_and_a_repeated_marker_stops() {
    let c = Canned::start(|r: &Seen| {
        let marker = r.target.split("Marker=").nth(1).map(|m| m.split('&').next().unwrap_or("").to_owned());
        let page = match marker.as_deref() {
            None => r#"[{"CommonName":"a","DisplayName":"A"},{"CommonName":"b","DisplayName":"B"}]"#,
            Some("b") => r#"[{"CommonName":"c","DisplayName":"C"}]"#,
            _ => "[]",
        };
        (200, format!(r#"{{"DistributionLists":{page}}}"#))
    })
    .await;
    let o = c.run(&["--output", "json", "lists", "list", "example.com"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);

    let stuck = Canned::start(|_: &Seen| (200, r#"{"DistributionLists":[{"CommonName":"a"},{"CommonName":"b"}]}"#.into())).await;
    let o = stuck.run(&["lists", "list", "example.com"]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert!(stderr(&o).contains("did not page as it should"), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exchange_mailbox_is_created_with_the_domains_standard_size() {
    let c = Canned::start(|r: &Seen| match (r.method.as_str(), path(r)) {
        ("GET", "/v1/customers/me/domains/example.com") => {
            (200, r#"{"name":"example.com","exchangeBaseMailboxSize":2048,"exchangeTotalStorage":20480}"#.into())
        }
        ("GET", _) => (404, r#"{"itemNotFoundFault":{"message":"Mailbox not found","code":404}}"#.into()),
        _ => (200, String::new()),
    })
    .await;
    let o = c.run(&["--output", "json", "ex-mailbox", "create", "ana@example.com", "--display-name", "Ana Lima", "--generate-password", "--job-title", "Buyer"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["password"].as_str().is_some_and(|p| p.len() >= 12), "the generated password is shown once");
    let w = c.writes();
    assert_eq!(w.len(), 1);
    assert!(w[0].content_type.starts_with("application/x-www-form-urlencoded"));
    assert!(w[0].body.contains("size=2048") && w[0].body.contains("jobTitle=Buyer") && w[0].body.contains("displayName=Ana+Lima"), "{}", w[0].body);
    let o = c.run(&["ex-mailbox", "create", "bo@example.com", "--display-name", "Bo", "--size", "40000", "--generate-password"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("20 GB"), "{}", stderr(&o));
    assert_eq!(c.writes().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_show_lists_permissions_and_contacts() {
    let c = Canned::start(|r: &Seen| {
        let p = path(r);
        let body = if p.ends_with("/distributionlists/sales") {
            r#"{"CommonName":"sales","DisplayName":"Sales","Description":"Sales team","PrimarySmtpAddress":"sales@example.com","Status":"Ready"}"#
        } else if p.ends_with("/members") {
            r#"{"Recipients":[{"PrimarySmtpAddress":"ana@example.com"},{"PrimarySmtpAddress":"bo@example.com"}]}"#
        } else if p.ends_with("/senders") {
            r#"{"Recipients":[]}"#
        } else if p.ends_with("/permissions") {
            r#"{"permissions":[{"mailboxName":"bo","permission":"both"}]}"#
        } else if p.ends_with("/ex/contacts") {
            r#"{"offset":0,"size":250,"total":1,"contacts":[{"name":"pat","displayName":"Pat Vendor","externalEmail":"pat@vendor.org"}]}"#
        } else {
            return (404, r#"{"itemNotFoundFault":{"message":"not found","code":404}}"#.into());
        };
        (200, body.into())
    })
    .await;
    let o = c.run(&["list", "show", "sales@example.com"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ana@example.com, bo@example.com"), "{out}");
    assert!(out.contains("anyone"), "no allowed senders: anyone may send: {out}");
    let o = c.run(&["--output", "json", "ex-mailbox", "permissions", "ana@example.com"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v, serde_json::json!([{"delegate": "bo", "permission": "both"}]));
    let o = c.run(&["--output", "csv", "contacts", "list", "example.com", "--search", "vendor"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "name,display name,outside address\npat,Pat Vendor,pat@vendor.org\n");
    let o = c.run(&["contact", "show", "example.com", "nobody"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(c.writes().is_empty());
}
