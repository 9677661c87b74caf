//! Where emails go: an SMTP server, or a local Maildir.

use std::path::PathBuf;

use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

/// A delivery channel.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server (`smtp://host:port`, `smtp://user:pass@host:587?tls=required` for
    /// STARTTLS, `smtps://` for TLS).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A Maildir folder.
    Maildir(PathBuf),
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Worth trying again later (server down, a 4xx answer, a network error).
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help (a 5xx answer, an invalid address).
    #[error("{0}")]
    Permanent(String),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp(_) => f.write_str("Transport::Smtp"),
            Transport::Maildir(p) => write!(f, "Transport::Maildir({})", p.display()),
        }
    }
}

impl Transport {
    /// SMTP when a URL is given, else the Maildir. `timeout` bounds each SMTP command (lettre
    /// waits a minute by default), well under a worker's lease.
    pub fn new(
        smtp_url: Option<&str>,
        maildir: PathBuf,
        timeout: std::time::Duration,
    ) -> Result<Transport, TransportError> {
        match smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Transport::Smtp(b.timeout(Some(timeout)).build()))
                .map_err(|e| TransportError::Permanent(format!("PORTICO_SMTP_URL: {e}"))),
            None => Ok(Transport::Maildir(maildir)),
        }
    }

    /// Delivers one message; `unique` names it in a Maildir.
    pub async fn send(&self, message: &Message, unique: &str) -> Result<(), TransportError> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message.clone()).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    TransportError::Permanent(e.to_string())
                } else {
                    TransportError::Transient(e.to_string())
                }
            }),
            Transport::Maildir(dir) => crate::maildir::deliver(dir, unique, &message.formatted())
                .await
                .map(|_| ())
                .map_err(|e| TransportError::Transient(format!("Maildir {}: {e}", dir.display()))),
        }
    }
}
