//! The Redis dedup store (feature `redis`).

use std::fmt;
use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError, ServerErrorKind};

use super::{DedupError, DedupErrorKind, DedupStore};
use crate::EventId;

/// A [`DedupStore`] in Redis, shared by every receiver that uses the same server and key prefix:
/// the store for several receivers behind a load balancer, where Audian's retry can reach
/// another instance than the first delivery did.
///
/// Each [`first_time`](DedupStore::first_time) is one `SET <prefix><event id> 1 NX PX <ttl>`:
/// atomic on the server, so exactly one of concurrent deliveries of an id gets `true`, from any
/// instance; Redis drops the key after the time-to-live. [`forget`](DedupStore::forget) is one
/// `DEL`.
///
/// The store reconnects by itself. While Redis is unreachable, each operation fails within the
/// configured timeouts with a [`DedupError`] of kind
/// [`Unavailable`](super::DedupErrorKind::Unavailable) (never a panic), and the first
/// operations after Redis is back succeed again. Ids survive a Redis restart only if Redis
/// persists its data (`appendonly yes`); otherwise a retry that comes after the restart is let
/// through again.
///
/// One case no store can settle: if Redis applied a `SET` but the connection broke before the
/// reply came back, the operation fails, the receiver answers 5xx, and Audian's retry then finds
/// the id recorded and is taken for a duplicate. Receivers that cannot lose an event in that
/// window can [`forget`](DedupStore::forget) the id once Redis is back.
///
/// It needs a Tokio runtime. Cloning is cheap and clones share the connection.
///
/// ```no_run
/// use std::time::Duration;
/// use audian_events::dedup::{DedupStore, RedisDedupStore};
///
/// # async fn run(event: audian_events::Event) -> Result<(), audian_events::dedup::DedupError> {
/// let store = RedisDedupStore::builder("redis://127.0.0.1:6379/")
///     .key_prefix("billing-receiver:dedup:")
///     .ttl(Duration::from_secs(3 * 24 * 3600))
///     .connect()
///     .await?;
/// if store.first_time(event.id()).await? {
///     // handle the event
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisDedupStore {
    connection: ConnectionManager,
    key_prefix: String,
    ttl: Duration,
    /// `host:port` (without credentials), for messages.
    server: String,
}

/// The settings of a [`RedisDedupStore`], from [`RedisDedupStore::builder`].
#[derive(Clone)]
#[must_use = "a builder does nothing until `connect` is awaited"]
pub struct RedisDedupStoreBuilder {
    url: String,
    key_prefix: String,
    ttl: Duration,
    connection_timeout: Duration,
    response_timeout: Duration,
    reconnect_attempts: usize,
}

impl RedisDedupStore {
    /// The key prefix unless [`RedisDedupStoreBuilder::key_prefix`] sets another.
    pub const DEFAULT_KEY_PREFIX: &'static str = "audian-events:dedup:";

    /// The time-to-live unless [`RedisDedupStoreBuilder::ttl`] sets another: 24 hours.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

    /// Settings for a store on the Redis server at `url` (such as `redis://127.0.0.1:6379/` or
    /// `redis://:password@redis.internal:6379/2`), with the defaults.
    pub fn builder(url: impl Into<String>) -> RedisDedupStoreBuilder {
        RedisDedupStoreBuilder {
            url: url.into(),
            key_prefix: RedisDedupStore::DEFAULT_KEY_PREFIX.to_owned(),
            ttl: RedisDedupStore::DEFAULT_TTL,
            connection_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
            reconnect_attempts: 2,
        }
    }

    /// Connects to the Redis server at `url` with the default settings; see
    /// [`RedisDedupStoreBuilder::connect`].
    pub async fn connect(url: &str) -> Result<RedisDedupStore, DedupError> {
        RedisDedupStore::builder(url).connect().await
    }

    /// The prefix of every key the store writes.
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    /// How long Redis keeps an id.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The Redis key of `id`: the prefix followed by the id.
    pub fn key(&self, id: &str) -> String {
        format!("{}{id}", self.key_prefix)
    }

    fn ttl_millis(&self) -> u64 {
        u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX)
    }

    fn error(&self, command: fmt::Arguments<'_>, error: RedisError) -> DedupError {
        let (kind, what) = classify(&error);
        DedupError::new(kind, format!("Redis at {} {what} `{command}`", self.server)).with_source(error)
    }
}

/// The kind of a Redis failure, and how to say it.
pub(crate) fn classify(error: &RedisError) -> (DedupErrorKind, &'static str) {
    if error.is_connection_refusal() {
        (DedupErrorKind::Unavailable, "refused the connection for")
    } else if error.is_timeout() {
        (DedupErrorKind::Unavailable, "did not answer in time to")
    } else if error.is_connection_dropped() || error.is_io_error() || error.is_unrecoverable_error() {
        (DedupErrorKind::Unavailable, "could not be reached for")
    } else if matches!(error.kind(), ErrorKind::Server(ServerErrorKind::BusyLoading | ServerErrorKind::TryAgain)) {
        (DedupErrorKind::Unavailable, "is loading its data and refused")
    } else if matches!(error.kind(), ErrorKind::InvalidClientConfig | ErrorKind::AuthenticationFailed) {
        (DedupErrorKind::Config, "refused the credentials or settings for")
    } else {
        (DedupErrorKind::Store, "answered with an error to")
    }
}

/// `host:port` of `url`, without the user and password.
pub(crate) fn server_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if host.is_empty() {
        // A Unix socket: `redis+unix:///run/redis.sock`.
        return rest.split('?').next().unwrap_or(rest).to_owned();
    }
    host.to_owned()
}

impl RedisDedupStoreBuilder {
    /// The prefix of every key, [`RedisDedupStore::DEFAULT_KEY_PREFIX`] by default. Receivers
    /// that must recognise each other's deliveries use the same prefix; receivers of different
    /// webhooks that share a server use different ones.
    pub fn key_prefix(mut self, key_prefix: impl Into<String>) -> Self {
        self.key_prefix = key_prefix.into();
        self
    }

    /// How long Redis keeps an id, [`RedisDedupStore::DEFAULT_TTL`] by default; at least one
    /// millisecond (Redis's `PX` unit).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long one attempt to connect may take, 1 second by default.
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// How long Redis may take to answer one command, 1 second by default. An operation that
    /// takes longer fails as [`Unavailable`](super::DedupErrorKind::Unavailable).
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// How many times a lost connection is retried (with a short exponential back-off) before
    /// an operation fails, 2 by default. Each later operation tries again, so a small number
    /// keeps errors quick during an outage without giving up on the server.
    pub fn reconnect_attempts(mut self, attempts: usize) -> Self {
        self.reconnect_attempts = attempts;
        self
    }

    /// Connects to Redis.
    ///
    /// Fails with [`DedupErrorKind::Config`] for a malformed URL or a time-to-live under one
    /// millisecond, and with [`DedupErrorKind::Unavailable`] if the server cannot be reached
    /// now. Must be called within a Tokio runtime.
    pub async fn connect(self) -> Result<RedisDedupStore, DedupError> {
        let server = server_of(&self.url);
        if self.ttl < Duration::from_millis(1) {
            return Err(DedupError::new(
                DedupErrorKind::Config,
                format!(
                    "the Redis dedup store's time-to-live is {:?}; Redis counts it in milliseconds, \
                     so set at least 1 ms (and in practice longer than Audian's retry window)",
                    self.ttl
                ),
            ));
        }
        let client = redis::Client::open(self.url.as_str()).map_err(|error| {
            DedupError::new(
                DedupErrorKind::Config,
                format!(
                    "`{server}` is not a Redis URL the dedup store understands; \
                     write it as redis://[:password@]host[:port][/db]"
                ),
            )
            .with_source(error)
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connection_timeout))
            .set_response_timeout(Some(self.response_timeout))
            .set_number_of_retries(self.reconnect_attempts)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_with_config(client, config).await.map_err(|error| {
            let (kind, what) = classify(&error);
            DedupError::new(kind, format!("Redis at {server} {what} the dedup store's first connection"))
                .with_source(error)
                .at_start()
        })?;
        Ok(RedisDedupStore { connection, key_prefix: self.key_prefix, ttl: self.ttl, server })
    }
}

impl DedupStore for RedisDedupStore {
    fn first_time(&self, id: &EventId) -> impl Future<Output = Result<bool, DedupError>> + Send {
        let key = self.key(id);
        let ttl = self.ttl_millis();
        let mut connection = self.connection.clone();
        async move {
            // `OK` when the key was set, nil when it already existed.
            let reply: Option<String> = redis::cmd("SET")
                .arg(&key)
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(ttl)
                .query_async(&mut connection)
                .await
                .map_err(|error| self.error(format_args!("SET {key} 1 NX PX {ttl}"), error))?;
            Ok(reply.is_some())
        }
    }

    fn forget(&self, id: &EventId) -> impl Future<Output = Result<(), DedupError>> + Send {
        let key = self.key(id);
        let mut connection = self.connection.clone();
        async move {
            let _removed: u64 = redis::cmd("DEL")
                .arg(&key)
                .query_async(&mut connection)
                .await
                .map_err(|error| self.error(format_args!("DEL {key}"), error))?;
            Ok(())
        }
    }
}

impl fmt::Debug for RedisDedupStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the URL: it may hold a password.
        f.debug_struct("RedisDedupStoreBuilder")
            .field("server", &server_of(&self.url))
            .field("key_prefix", &self.key_prefix)
            .field("ttl", &self.ttl)
            .field("connection_timeout", &self.connection_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("reconnect_attempts", &self.reconnect_attempts)
            .finish()
    }
}

impl fmt::Debug for RedisDedupStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDedupStore")
            .field("server", &self.server)
            .field("key_prefix", &self.key_prefix)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::server_of;

    #[test]
    fn messages_name_the_server_without_its_credentials() {
        assert_eq!(server_of("redis://127.0.0.1:6390/"), "127.0.0.1:6390");
        assert_eq!(server_of("redis://:s3cret@redis.internal:6379/2"), "redis.internal:6379");
        assert_eq!(server_of("redis://user:p@ss@host"), "host");
        assert_eq!(server_of("rediss://host:6380"), "host:6380");
        assert_eq!(server_of("redis+unix:///run/redis.sock?db=1"), "/run/redis.sock");
    }
}
