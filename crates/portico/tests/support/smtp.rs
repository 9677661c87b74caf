//! A real SMTP server for the tests, on loopback: it speaks enough SMTP for lettre (EHLO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT), keeps every message it receives, and can be stopped and
//! started again on the same port to play an outage.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    task: Option<JoinHandle<()>>,
    /// How long it takes to accept each message (a slow server).
    delay: std::time::Duration,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::start_slow(std::time::Duration::ZERO).await
    }

    /// A server that takes `delay` to accept each message.
    pub async fn start_slow(delay: std::time::Duration) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink");
        let port = listener.local_addr().expect("address").port();
        let mut sink = SmtpSink {
            port,
            messages: Arc::default(),
            task: None,
            delay,
        };
        sink.serve(listener);
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn serve(&mut self, listener: TcpListener) {
        let messages = self.messages.clone();
        let delay = self.delay;
        self.task = Some(tokio::spawn(async move {
            // Connections live in this set, so stopping the sink ends them too.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                connections.spawn(session(stream, messages.clone(), delay));
            }
        }));
    }

    /// Stops listening and drops every open connection: the server is down.
    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port.
    pub async fn resume(&mut self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot listen again on {}: {e}", self.port),
            }
        };
        self.serve(listener);
    }

    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().expect("messages").clone()
    }

    /// Message-IDs of everything received, in order.
    pub fn message_ids(&self) -> Vec<String> {
        self.messages()
            .iter()
            .filter_map(|m| header(m, "Message-ID"))
            .collect()
    }
}

async fn session(stream: TcpStream, messages: Arc<Mutex<Vec<String>>>, delay: std::time::Duration) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO")
            || command.starts_with("MAIL")
            || command.starts_with("RCPT")
            || command.starts_with("RSET")
            || command.starts_with("NOOP")
        {
            b"250 OK\r\n"
        } else if command.starts_with("DATA") {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut message = String::new();
            loop {
                line.clear();
                match lines.read_line(&mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                message.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            tokio::time::sleep(delay).await;
            messages.lock().expect("messages").push(message);
            b"250 queued\r\n"
        } else if command.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// A header's value (first occurrence, unfolded).
pub fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next().unwrap_or(message);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

/// The message with quoted-printable soft breaks and escapes undone (good enough to find text
/// such as links in any part).
pub fn decoded(message: &str) -> String {
    let joined = message.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 (RFC 4648) decoded; whitespace is skipped, anything else ends the input.
pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let Some(v) = value(c) else { break };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// A header value with its RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) decoded;
/// white space between two encoded words is dropped, as the RFC says.
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, from) = rest.split_at(start);
        let parts: Vec<&str> = from[2..].splitn(3, '?').collect();
        let end = parts.get(2).and_then(|p| p.find("?="));
        let (Some(charset), Some(enc), Some(end)) = (parts.first(), parts.get(1), end) else {
            break;
        };
        assert!(charset.eq_ignore_ascii_case("utf-8"), "charset {charset}");
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let text = &parts[2][..end];
        let bytes = if enc.eq_ignore_ascii_case("b") {
            base64_decode(text)
        } else {
            decoded(&text.replace('_', " ")).into_bytes()
        };
        out.push_str(&String::from_utf8(bytes).expect("UTF-8 in an encoded word"));
        last_was_word = true;
        rest = &parts[2][end + 2..];
    }
    out.push_str(rest);
    out
}

/// The message as a person reads it: headers with their encoded words decoded, and every part's
/// body decoded from base64 or quoted-printable (line ends as `\n`, SMTP's or a Maildir's).
pub fn readable(message: &str) -> String {
    let message = message.replace("\r\n", "\n");
    let (head, body) = message.split_once("\n\n").unwrap_or((&message, ""));
    let mut out = decode_words(&head.replace("\n ", " ").replace("\n\t", " "));
    out.push_str("\n\n");
    if head
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: base64")
    {
        out.push_str(&String::from_utf8_lossy(&base64_decode(body)));
        return out;
    }
    // Each part: its headers, a blank line, its body up to the next boundary line.
    for chunk in body.split("\n--") {
        match chunk.split_once("\n\n") {
            Some((part_head, part_body)) if part_head.to_ascii_lowercase().contains("base64") => {
                out.push_str(part_head);
                out.push_str("\n\n");
                out.push_str(&String::from_utf8_lossy(&base64_decode(part_body)));
            }
            _ => out.push_str(&decoded(chunk)),
        }
        out.push('\n');
    }
    out
}
