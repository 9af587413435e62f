//! Real sockets: slow or silent clients are disconnected, the connection cap holds, and a normal
//! client is served all the while.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gptom_mock::{AppState, ConnectionLimits, ManualClock, MockConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn start(limits: ConnectionLimits, config: MockConfig) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let state = AppState::new(config, Arc::new(ManualClock::default()));
    tokio::spawn(gptom_mock::serve_with_limits(
        listener,
        state,
        std::future::pending(),
        limits,
    ));
    address
}

/// Reads until the server closes the connection; what it said, and how long it took.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => {
                return Some((
                    String::from_utf8_lossy(&seen).into_owned(),
                    started.elapsed(),
                ));
            }
            Ok(Ok(read)) => seen.extend_from_slice(&buffer[..read]),
            Err(_) => return None,
        }
    }
}

async fn healthy(address: std::net::SocketAddr) -> bool {
    reqwest::get(format!("http://{address}/__mock/health"))
        .await
        .is_ok_and(|response| response.status().is_success())
}

#[tokio::test]
async fn slow_silent_and_idle_clients_are_disconnected_while_a_normal_client_is_served() {
    let limits = ConnectionLimits {
        header_read: Duration::from_millis(300),
        ..ConnectionLimits::default()
    };
    let address = start(limits, MockConfig::embedded().expect("fixtures")).await;
    let mut slowloris = TcpStream::connect(address).await.expect("connect");
    slowloris
        .write_all(b"GET /__mock/health HTTP/1.1\r\nHo")
        .await
        .expect("write");
    let mut silent = TcpStream::connect(address).await.expect("connect");
    let mut idle = TcpStream::connect(address).await.expect("connect");
    idle.write_all(b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    assert!(healthy(address).await, "a normal client is served");
    for (name, stream) in [("slowloris", &mut slowloris), ("silent", &mut silent)] {
        let (_, took) = until_closed(stream, Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("the {name} connection was kept open"));
        assert!(took < Duration::from_secs(3), "{name}: {took:?}");
    }
    let (answer, _) = until_closed(&mut idle, Duration::from_secs(5))
        .await
        .expect("the idle keep-alive connection was kept open");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(healthy(address).await);
}

#[tokio::test]
async fn past_the_connection_cap_new_connections_are_closed_at_once() {
    let limits = ConnectionLimits {
        header_read: Duration::from_millis(600),
        max_connections: 2,
        ..ConnectionLimits::default()
    };
    let address = start(limits, MockConfig::embedded().expect("fixtures")).await;
    let _first = TcpStream::connect(address).await.expect("connect");
    let _second = TcpStream::connect(address).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut third = TcpStream::connect(address).await.expect("connect");
    let (answer, took) = until_closed(&mut third, Duration::from_millis(400))
        .await
        .expect("the third connection is closed at once");
    assert!(answer.is_empty() && took < Duration::from_millis(400));
    // Once the silent two time out, the mock serves again.
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(healthy(address).await);
}

#[tokio::test]
async fn a_body_that_never_completes_is_refused_with_408() {
    let mut config = MockConfig::embedded().expect("fixtures");
    config.body_read_timeout = Duration::from_millis(300);
    let address = start(ConnectionLimits::default(), config).await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"POST /v1/tasks/TRANSACTION HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"amou")
        .await
        .expect("write");
    let mut buffer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .expect("an answer within 5 s")
        .expect("read");
    let answer = String::from_utf8_lossy(&buffer[..read]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

/// Reads the event stream until an event named `name` arrives; its data.
async fn next_event(stream: &mut TcpStream, buffer: &mut String, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(start) = buffer.find(&format!("event: {name}\n")) {
            let rest = &buffer[start..];
            if let Some(end) = rest.find("\n\n") {
                let block = rest[..end].to_owned();
                buffer.replace_range(..start + end + 2, "");
                return block
                    .lines()
                    .filter_map(|line| line.strip_prefix("data: "))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
        }
        let mut chunk = [0u8; 65536];
        let read = tokio::time::timeout(
            deadline.saturating_duration_since(Instant::now()),
            stream.read(&mut chunk),
        )
        .await
        .expect("an event in time")
        .expect("read");
        assert!(read > 0, "the stream ended");
        buffer.push_str(&String::from_utf8_lossy(&chunk[..read]));
    }
}

#[tokio::test]
async fn the_live_page_gets_the_whole_view_once_then_only_what_changed() {
    let address = start(
        ConnectionLimits::default(),
        MockConfig::embedded().expect("fixtures"),
    )
    .await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"GET /__mock/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let mut buffer = String::new();
    let http = reqwest::Client::new();
    // A change, so the first frame is sent.
    http.post(format!("http://{address}/__mock/clock/advance"))
        .json(&serde_json::json!({"seconds": 1}))
        .send()
        .await
        .expect("advance");
    let first: serde_json::Value =
        serde_json::from_str(&next_event(&mut stream, &mut buffer, "state").await).expect("json");
    for part in ["terminals", "tasks", "transactions", "batches", "counts"] {
        assert!(
            first["state"].get(part).is_some(),
            "{part} in the first frame"
        );
    }
    assert!(first.get("scenario").is_some());
    // A login: the journal grows, nothing else of the store changes.
    http.post(format!("http://{address}/cloud/oauth/token"))
        .basic_auth("atom", Some("ashfuf4e5fa"))
        .form(&[
            ("grant_type", "password"),
            ("username", "jan.novak@example.com"),
            ("password", "ABCDEFGHIJKL"),
            ("tid", "999888"),
        ])
        .send()
        .await
        .expect("login");
    let patch: serde_json::Value =
        serde_json::from_str(&next_event(&mut stream, &mut buffer, "patch").await).expect("json");
    assert_eq!(
        patch["journal"].as_array().map(Vec::len),
        Some(1),
        "{patch}"
    );
    assert_eq!(patch["journal"][0]["path"], "/cloud/oauth/token");
    for part in ["terminals", "tasks", "transactions", "batches"] {
        assert!(
            patch["state"].get(part).is_none(),
            "{part} unchanged yet sent: {patch}"
        );
    }
    assert!(patch.get("scenario").is_none());
}

#[tokio::test]
async fn a_long_answer_like_the_event_stream_outlives_the_header_timeout() {
    let limits = ConnectionLimits {
        header_read: Duration::from_millis(300),
        ..ConnectionLimits::default()
    };
    let address = start(limits, MockConfig::embedded().expect("fixtures")).await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"GET /__mock/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    reqwest::Client::new()
        .post(format!("http://{address}/__mock/clock/advance"))
        .json(&serde_json::json!({"seconds": 1}))
        .send()
        .await
        .expect("advance");
    let mut buffer = String::new();
    let frame = next_event(&mut stream, &mut buffer, "state").await;
    assert!(frame.contains("\"terminals\""), "{frame}");
}

#[tokio::test]
async fn a_body_that_comes_in_two_parts_is_read_whole() {
    // The first part alone would be another grant ("pass"); read whole, it is the password
    // grant with a wrong password.
    let address = start(
        ConnectionLimits::default(),
        MockConfig::embedded().expect("fixtures"),
    )
    .await;
    let body = "grant_type=password&username=jan.novak%40example.com&password=wrong&tid=999888";
    let (first, rest) = body.split_at(15);
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let head = format!(
        "POST /cloud/oauth/token HTTP/1.1\r\nHost: localhost\r\nAuthorization: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{first}",
        crate::support::BASIC,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    tokio::time::sleep(Duration::from_millis(100)).await;
    stream.write_all(rest.as_bytes()).await.expect("write");
    let (answer, _) = until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("an answer within 5 s");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("invalid_grant"), "{answer}");
}

/// Issue #31: sockets that open the live page's event stream and never read cannot lock out the
/// API — streams have their own pool (`max_streams`), give their connection slot back, and a
/// stream refused for a full pool closes its connection.
#[tokio::test]
async fn event_streams_cannot_take_the_apis_connections() {
    let limits = ConnectionLimits {
        header_read: Duration::from_secs(5),
        max_connections: 4,
        ..ConnectionLimits::default()
    };
    let mut config = MockConfig::embedded().expect("fixtures");
    config.max_streams = 2;
    let address = start(limits, config).await;
    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..12 {
        let mut stream = TcpStream::connect(address).await.expect("connect");
        stream
            .write_all(b"GET /__mock/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("write");
        let mut head = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut head))
            .await
            .expect("an answer in time")
            .expect("read");
        let head = String::from_utf8_lossy(&head[..read]).into_owned();
        if head.starts_with("HTTP/1.1 503") {
            refused += 1;
            let (_, took) = until_closed(&mut stream, Duration::from_secs(2))
                .await
                .expect("a refused stream's connection is closed");
            assert!(took < Duration::from_secs(2));
        } else {
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        }
        // Never read again.
        open.push(stream);
    }
    assert_eq!(refused, 10, "two streams at most");
    // The two open streams hold no connection slot: four API connections at once are served
    // (kept open, each holding its slot).
    let mut clients = Vec::new();
    for _ in 0..4 {
        let mut client = TcpStream::connect(address).await.expect("connect");
        client
            .write_all(b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("write");
        let mut head = [0u8; 32];
        let read = tokio::time::timeout(Duration::from_secs(2), client.read(&mut head))
            .await
            .expect("served, not locked out")
            .expect("read");
        assert!(
            head[..read].starts_with(b"HTTP/1.1 200"),
            "{:?}",
            String::from_utf8_lossy(&head[..read])
        );
        clients.push(client);
    }
    drop(open);
}
