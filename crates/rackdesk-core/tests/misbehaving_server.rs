//! The client against a tiny HTTP server that breaks the rules on purpose: listings that do
//! not page as documented, and answers larger than the client reads. Every case must end in
//! its typed error, quickly: each test runs under a timeout, so a hang fails it.

use futures::StreamExt;
use rackdesk_core::api::{MailboxChanges, MailboxQuery};
use rackdesk_core::client::{Client, ClientConfig, Credentials, MAX_BODY_BYTES};
use rackdesk_core::{ApiError, ErrorKind};
use secrecy::SecretString;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers one request.
enum Reply {
    /// A complete answer with a `Content-Length`.
    Full { status: u16, headers: Vec<(&'static str, String)>, body: Vec<u8> },
    /// 200, then body bytes for ever (until the client hangs up), ended by closing the
    /// connection (no `Content-Length`) or sent as chunks.
    Endless { chunked: bool },
    /// 200 with a `Content-Length` of `length`, a few bytes of body, then silence.
    Announced { length: u64 },
}

fn json(status: u16, body: impl Into<String>) -> Reply {
    Reply::Full { status, headers: vec![], body: body.into().into_bytes() }
}

/// What the server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    signed: bool,
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

struct Server {
    api_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(answer(sock, handler.clone(), log.clone()));
            }
        });
        Server { api_url: format!("http://{addr}/v1"), seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn client(&self, max_body_bytes: Option<usize>) -> Client {
        let mut cfg = ClientConfig::new(self.api_url.clone());
        // A short pacing "minute" (the server is on this computer) and quick retries.
        assert!(cfg.apply_test_minute(Some(200)));
        if let Some(n) = max_body_bytes {
            cfg.max_body_bytes = n;
        }
        let creds = Credentials::new("misbehaveKey0001", SecretString::from("misbehaveSecret0001")).unwrap();
        Client::new(cfg, creds).unwrap()
    }
}

/// Reads one request head (these tests send no request bodies that matter) and answers it.
async fn answer(mut sock: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Seen>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let mut words = text.lines().next().unwrap_or("").split(' ');
    let method = words.next().unwrap_or("").to_owned();
    let target = words.next().unwrap_or("").to_owned();
    let signed = text.lines().any(|l| l.to_ascii_lowercase().starts_with("x-api-signature: misbehavekey0001:"));
    let seen = Seen { method, target, signed };
    log.lock().unwrap().push(seen.clone());
    match handler(&seen) {
        Reply::Full { status, headers, body } => {
            let mut out = format!(
                "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            let _ = sock.write_all(out.as_bytes()).await;
            let _ = sock.write_all(&body).await;
            let _ = sock.shutdown().await;
        }
        Reply::Endless { chunked } => {
            let te = if chunked { "Transfer-Encoding: chunked\r\n" } else { "" };
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{te}Connection: close\r\n\r\n");
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let block = vec![b' '; 16 * 1024];
            let mut frame = format!("{:x}\r\n", block.len()).into_bytes();
            frame.extend_from_slice(&block);
            frame.extend_from_slice(b"\r\n");
            let piece = if chunked { &frame } else { &block };
            // Stops when the client hangs up; a cap of one minute keeps a broken test finite.
            let stop = Instant::now() + Duration::from_secs(60);
            while Instant::now() < stop {
                if sock.write_all(piece).await.is_err() {
                    return;
                }
            }
        }
        Reply::Announced { length } => {
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"offset\":");
            let _ = sock.write_all(head.as_bytes()).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    }
}

/// The `offset=` of a request target (0 when absent).
fn offset_of(target: &str) -> u32 {
    target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("offset="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A page of `n` listing items under `key`, each made by `item`.
fn page(key: &str, offset: u32, total: u32, n: u32, item: impl Fn(u32) -> String) -> String {
    let items: Vec<String> = (offset..offset + n).map(item).collect();
    format!(r#"{{"offset":{offset},"size":250,"total":{total},"{key}":[{}]}}"#, items.join(","))
}

fn mailbox(i: u32) -> String {
    format!(r#"{{"name":"m{i}"}}"#)
}

/// Runs `f`, failing the test if it takes more than 10 seconds (a hang).
async fn quickly<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f).await.expect("the client hung instead of giving up")
}

fn expect_bad_paging<T: std::fmt::Debug>(r: Result<T, ApiError>) -> ApiError {
    match r {
        Err(e @ ApiError::BadPaging { .. }) => {
            assert_eq!(e.kind(), ErrorKind::BadPaging);
            assert_eq!(e.kind().as_str(), "bad-paging");
            assert!(e.user_message().contains("did not page as it should"), "{}", e.user_message());
            assert!(e.detail().is_some());
            e
        }
        other => panic!("expected BadPaging, got {other:?}"),
    }
}

fn expect_too_large<T: std::fmt::Debug>(r: Result<T, ApiError>, limit: usize) {
    match r {
        Err(e @ ApiError::TooLarge { .. }) => {
            assert!(matches!(e, ApiError::TooLarge { limit: l, status: 200 } if l == limit as u64), "{e:?}");
            assert_eq!(e.kind().as_str(), "too-large");
            assert!(e.user_message().contains("larger than Rackdesk reads"), "{}", e.user_message());
            assert!(e.user_message().contains("Nothing was changed"), "{}", e.user_message());
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

// ---- paging ----

#[tokio::test]
async fn a_list_that_answers_the_same_offset_again_is_stopped() {
    // Whatever offset is asked for, the first page comes back.
    let server = Server::start(|_| json(200, page("rsMailboxes", 0, 1000, 250, mailbox))).await;
    let c = server.client(None);
    let r = quickly(c.mailboxes("example.com", MailboxQuery::default())).await;
    let e = expect_bad_paging(r);
    assert!(e.detail().unwrap().contains("offset 250 was asked for"), "{:?}", e.detail());
    assert_eq!(server.seen().len(), 2, "stopped at the first repeated page");
    assert!(server.seen().iter().all(|s| s.signed), "every request was signed");

    // The page stream hands over the good first page, then the error, then ends.
    let mut pages: Vec<_> = quickly(c.mailbox_pages("example.com", MailboxQuery::default()).collect()).await;
    assert_eq!(pages.len(), 2);
    expect_bad_paging(pages.pop().unwrap());
    assert_eq!(pages.pop().unwrap().unwrap().items.len(), 250);
}

#[tokio::test]
async fn every_listing_refuses_a_repeated_offset() {
    let server = Server::start(|s| {
        let t = &s.target;
        let body = if t.contains("/rs/aliases") {
            page("aliases", 0, 900, 250, |i| format!(r#"{{"name":"a{i}"}}"#))
        } else if t.contains("/admins") {
            page("admins", 0, 900, 250, |i| format!(r#"{{"adminId":"x{i}"}}"#))
        } else {
            page("domains", 0, 900, 250, |i| format!(r#"{{"name":"d{i}.example"}}"#))
        };
        json(200, body)
    })
    .await;
    let c = server.client(None);
    expect_bad_paging(quickly(c.domains()).await);
    expect_bad_paging(quickly(c.admins()).await);
    expect_bad_paging(quickly(c.aliases("example.com")).await);
    assert_eq!(server.seen().len(), 6, "two requests per listing");
}

#[tokio::test]
async fn pages_that_trickle_past_what_the_total_allows_are_stopped() {
    // A total of 1000 but one item a page: at 250 a page that is 4 pages (+1 spare), not 1000.
    let server = Server::start(|s| {
        let o = offset_of(&s.target);
        json(200, page("rsMailboxes", o, 1000, 1, mailbox))
    })
    .await;
    let c = server.client(None);
    let e = expect_bad_paging(quickly(c.mailboxes("example.com", MailboxQuery::default())).await);
    assert!(e.detail().unwrap().contains("at most 5"), "{:?}", e.detail());
    assert_eq!(server.seen().len(), 5);
}

#[tokio::test]
async fn a_total_that_keeps_growing_is_stopped() {
    // Every page says there are two more pages to come.
    let server = Server::start(|s| {
        let o = offset_of(&s.target);
        json(200, page("domains", o, o + 500, 250, |i| format!(r#"{{"name":"d{i}.example"}}"#)))
    })
    .await;
    let c = server.client(None);
    let e = expect_bad_paging(quickly(c.domains()).await);
    assert!(e.detail().unwrap().contains("the total went from 500 to 1000"), "{:?}", e.detail());
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn an_empty_page_before_the_total_is_stopped() {
    let server = Server::start(|s| {
        let o = offset_of(&s.target);
        let n = if o == 0 { 250 } else { 0 };
        json(200, page("rsMailboxes", o, 1000, n, mailbox))
    })
    .await;
    let c = server.client(None);
    let e = expect_bad_paging(quickly(c.mailboxes("example.com", MailboxQuery::default())).await);
    assert!(e.detail().unwrap().contains("empty page"), "{:?}", e.detail());
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_well_behaved_listing_is_read_to_the_end() {
    let server = Server::start(|s| {
        let o = offset_of(&s.target);
        json(200, page("rsMailboxes", o, 600, 250.min(600 - o.min(600)), mailbox))
    })
    .await;
    let c = server.client(None);
    let all = quickly(c.mailboxes("example.com", MailboxQuery::default())).await.unwrap();
    assert_eq!(all.len(), 600);
    assert_eq!(all[599].name, "m599");
    let offsets: Vec<u32> = server.seen().iter().map(|s| offset_of(&s.target)).collect();
    assert_eq!(offsets, vec![0, 250, 500]);
}

// ---- answers larger than the client reads ----

const SMALL_CAP: usize = 64 * 1024;

#[tokio::test]
async fn an_endless_body_without_a_length_ends_in_too_large() {
    let server = Server::start(|_| Reply::Endless { chunked: false }).await;
    let c = server.client(Some(SMALL_CAP));
    let started = Instant::now();
    expect_too_large(quickly(c.customer()).await, SMALL_CAP);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(server.seen().len(), 1, "an answer too long to read is not asked for again");
}

#[tokio::test]
async fn an_endless_chunked_body_ends_in_too_large() {
    let server = Server::start(|_| Reply::Endless { chunked: true }).await;
    let c = server.client(Some(SMALL_CAP));
    expect_too_large(quickly(c.domains()).await, SMALL_CAP);
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_body_announced_too_long_is_refused_without_waiting_for_it() {
    // 1 GiB announced, a few bytes sent, then nothing: the default cap refuses it at once.
    let server = Server::start(|_| Reply::Announced { length: 1 << 30 }).await;
    let c = server.client(None);
    assert_eq!(c.config().max_body_bytes, MAX_BODY_BYTES);
    assert_eq!(MAX_BODY_BYTES, 8 * 1024 * 1024);
    let started = Instant::now();
    let r = quickly(c.customer()).await;
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    expect_too_large(r, MAX_BODY_BYTES);
    let e = quickly(c.customer()).await.unwrap_err();
    assert!(e.user_message().contains("(8 MiB)"), "{}", e.user_message());
}

#[tokio::test]
async fn a_body_of_exactly_the_cap_is_read_and_one_byte_more_is_not() {
    const CAP: usize = 4096;
    let doc = r#"{"name":"Example","accountNumber":"123456"}"#;
    let padded = |n: usize| format!("{doc}{}", " ".repeat(n - doc.len()));
    let exact = padded(CAP);
    let over = padded(CAP + 1);
    let server = Server::start(move |s| {
        let body = if s.target.contains("exact") { exact.clone() } else { over.clone() };
        json(200, body)
    })
    .await;
    let mut cfg = ClientConfig::new(server.api_url.clone());
    cfg.apply_test_minute(Some(200));
    cfg.max_body_bytes = CAP;
    let creds = Credentials::new("misbehaveKey0001", SecretString::from("misbehaveSecret0001")).unwrap();
    let c = Client::new(cfg, creds).unwrap();
    // `customer()` asks for customers/me: the "over" answer.
    expect_too_large(quickly(c.customer()).await, CAP);
    // A domain named "exact.example" gets the answer of exactly CAP bytes.
    let d = quickly(c.domain("exact.example")).await.expect("read in full");
    assert_eq!(d.name, "Example");
}

#[tokio::test]
async fn a_write_answered_2xx_with_a_huge_body_counts_as_made_and_is_not_resent() {
    let server = Server::start(|_| Reply::Endless { chunked: false }).await;
    let c = server.client(Some(SMALL_CAP));
    let changes = MailboxChanges { enabled: Some(false), ..Default::default() };
    quickly(c.edit_mailbox("example.com", "jane", &changes)).await.expect("a 2xx answer means the change was made");
    quickly(c.delete_mailbox("example.com", "jane")).await.expect("a 2xx answer means the delete was made");
    let methods: Vec<String> = server.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(methods, vec!["PUT", "DELETE"], "no retry, no read-back");
}

#[tokio::test]
async fn an_error_answer_with_a_huge_body_keeps_its_status() {
    let server = Server::start(|s| {
        let big = vec![b'x'; 200 * 1024];
        if s.target.contains("/rs/mailboxes/") {
            Reply::Full { status: 404, headers: vec![("x-error-message", "Mailbox not found".into())], body: big }
        } else {
            Reply::Full { status: 403, headers: vec![("x-error-message", "Exceeded request limits".into())], body: big }
        }
    })
    .await;
    let mut cfg = ClientConfig::new(server.api_url.clone());
    cfg.apply_test_minute(Some(100));
    cfg.max_body_bytes = SMALL_CAP;
    cfg.retry.throttle_retries = 1;
    let creds = Credentials::new("misbehaveKey0001", SecretString::from("misbehaveSecret0001")).unwrap();
    let c = Client::new(cfg, creds).unwrap();
    let e = quickly(c.mailbox("example.com", "jane")).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(e.detail().as_deref(), Some("Mailbox not found"));
    let e = quickly(c.customer()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Throttled, "{e:?}");
}
