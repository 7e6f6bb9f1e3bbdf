//! Every input is bounded, as the CLI user meets it: an oversized CSV, a server whose list never
//! ends, and an answer larger than Rackdesk reads each end in their own plain message and exit
//! code, quickly — not in a hang, a crash or a partial result.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const USER_KEY: &str = "BoundsTestUserKey001";
const SECRET: &str = "BoundsTestSecret-not-real-01";

/// A server on this computer that answers every request with `reply(path)`, counting them.
fn serve(reply: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            seen.fetch_add(1, Ordering::SeqCst);
            let text = String::from_utf8_lossy(&head).to_string();
            let path = text.split(' ').nth(1).unwrap_or("").to_owned();
            let body = reply(&path);
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = s.write_all(&body);
        }
    });
    (url, count)
}

fn rackdesk(api_url: &str, dir: &std::path::Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_rackdesk"))
        .env("RACKDESK_CONFIG_DIR", dir)
        .env("RACKDESK_DATA_DIR", dir)
        .env("RACKDESK_USER_KEY", USER_KEY)
        .env("RACKDESK_SECRET_KEY", SECRET)
        .env("RACKDESK_MINUTE_MS", "100")
        .env_remove("RACKDESK_API_URL")
        .args(["--api-url", api_url])
        .args(args)
        .output()
        .expect("rackdesk runs");
    (o, started.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rackdesk-bounds-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn an_oversized_csv_is_refused_before_anything_is_sent() {
    let (url, requests) = serve(|_| b"{}".to_vec());
    let dir = temp_dir("csv");
    let rows: String = (0..20_001).map(|i| format!("user{i}@example.com\n")).collect();
    let file = dir.join("too-many.csv");
    std::fs::write(&file, format!("email\n{rows}")).unwrap();
    let (o, _) = rackdesk(&url, &dir, &["bulk", "plan", file.to_str().unwrap(), "--job", "delete"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("The file has 20,001 rows; Rackdesk takes at most 20,000 in one job"), "{}", stderr(&o));
    assert_eq!(requests.load(Ordering::SeqCst), 0, "nothing was sent to the server");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_list_that_never_advances_ends_in_its_own_error() {
    // Every page says "offset 0 of 1,000", whatever was asked: a client that trusts it would
    // loop for ever.
    let page: String = (0..250).map(|i| format!("{{\"name\":\"m{i}\"}}")).collect::<Vec<_>>().join(",");
    let body = format!("{{\"rsMailboxes\":[{page}],\"offset\":0,\"size\":250,\"total\":1000}}");
    let (url, requests) = serve(move |_| body.clone().into_bytes());
    let dir = temp_dir("pager");
    let (o, took) = rackdesk(&url, &dir, &["mailboxes", "list", "example.com"]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("did not page as it should"), "{}", stderr(&o));
    assert!(stderr(&o).contains("Details:"), "{}", stderr(&o));
    assert!(requests.load(Ordering::SeqCst) <= 5, "stopped at once, not after many pages");
    assert!(took < Duration::from_secs(60), "no hang");
    assert!(o.stdout.is_empty(), "no partial list was printed as if complete");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_answer_larger_than_rackdesk_reads_ends_in_its_own_error() {
    let big = {
        let filler = "x".repeat(9 * 1024 * 1024);
        format!("{{\"domains\":[],\"offset\":0,\"size\":50,\"total\":0,\"pad\":\"{filler}\"}}").into_bytes()
    };
    let (url, _) = serve(move |_| big.clone());
    let dir = temp_dir("body");
    let (o, _) = rackdesk(&url, &dir, &["domains", "list"]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("8 MiB"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}
