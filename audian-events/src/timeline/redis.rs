//! The Redis timeline store (feature `redis`).

use std::cmp::Ordering;
use std::fmt;
use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Script};

use super::shared::{TimelineStore, TimelineStoreError, TimelineStoreErrorKind};
use super::{CallTimeline, Pushed, Step, TimelineError, call_id_of, lifecycle_step, timeline_order};
use crate::Event;
use crate::dedup::DedupErrorKind;
use crate::dedup::redis::{classify, server_of};

/// Records an event under its call in one step: the call's hash of events (event id to JSON
/// text) is checked for the id, and the event is added unless the id is held or the call is
/// full; the time-to-live of the call's keys is set in the same step.
///
/// A script rather than `MULTI`/`WATCH`: it runs on the server as one command, so concurrent
/// pushes to one call from many receivers never abort and retry each other (a `WATCH` on a busy
/// call would fail under exactly the load a shared store is for), and a push is one round trip.
///
/// KEYS: the call's events, its finished marker. ARGV: event id, JSON text, most events a call,
/// `1` if the event ends the call, the finished time-to-live and the unfinished one (ms).
/// Returns `{1, ''}` for added, `{0, held text}` for an id already held, `{2, ''}` for full.
const PUSH: &str = r"
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then return {0, held} end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return {2, ''} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local left = redis.call('PTTL', KEYS[2])
if left > 0 then
  -- Finished already: the call goes when the marker goes, whatever arrives after its end.
  redis.call('PEXPIRE', KEYS[1], left)
elseif ARGV[4] == '1' then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
return {1, ''}
";

/// Replaces the text held for an id if it is still `expected` (another push may have replaced
/// it, or the call expired): KEYS: the call's events. ARGV: id, expected text, new text.
const REPLACE: &str = r"
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0
";

static PUSH_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(PUSH));
static REPLACE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(REPLACE));

/// A [`TimelineStore`] in Redis, shared by every receiver that uses the same server and key
/// prefix: with several receivers behind a load balancer, each call's events are in one place,
/// and its state, read from any receiver, is that of all the events Audian delivered.
///
/// A call is one hash, `<prefix>{<call id>}:events`, of event id to the event's JSON text, and
/// a finished call has a marker `<prefix>{<call id>}:finished` (the braces keep both in one
/// Redis Cluster slot). Each [`push`](TimelineStore::push) is one Lua script (one `EVALSHA`):
/// it checks the id within the call, adds the event unless the call holds
/// [`max_events_per_call`](RedisTimelineStoreBuilder::max_events_per_call) events, and sets the
/// call's time-to-live: a finished call goes
/// [`finished_ttl`](RedisTimelineStoreBuilder::finished_ttl) after its ending event arrived, and
/// a call that has not finished [`unfinished_ttl`](RedisTimelineStoreBuilder::unfinished_ttl)
/// after its last event (so that calls whose end was lost do not stay forever). Two different
/// events with the same id are settled as [`CallTimeline::push`] settles them: the one first in
/// timeline order stays, replaced by a compare-and-set script.
///
/// [`timeline`](TimelineStore::timeline) reads the hash with one `HVALS` (never half of a push)
/// and folds the events with [`CallTimeline`]'s own code, so the state is exactly the one that
/// a single receiver would compute.
///
/// The store reconnects by itself. While Redis is unreachable, each operation fails within the
/// configured timeouts with a [`TimelineStoreError`] of kind
/// [`Unavailable`](TimelineStoreErrorKind::Unavailable), and the first operations after Redis
/// is back succeed again. Timelines survive a Redis restart only if Redis persists its data
/// (`appendonly yes`).
///
/// It needs a Tokio runtime. Cloning is cheap and clones share the connection.
///
/// ```no_run
/// use audian_events::timeline::{RedisTimelineStore, TimelineStore};
///
/// # async fn run(event: audian_events::Event) -> Result<(), audian_events::timeline::TimelineStoreError> {
/// let calls = RedisTimelineStore::connect("redis://127.0.0.1:6379/").await?;
/// let call_id = event.call_id().expect("a call event").clone();
/// calls.push(event).await?;
/// let state = calls.state(&call_id).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisTimelineStore {
    connection: ConnectionManager,
    key_prefix: String,
    finished_ttl: Duration,
    unfinished_ttl: Duration,
    max_events_per_call: usize,
    /// `host:port` (without credentials), for messages.
    server: String,
}

/// The settings of a [`RedisTimelineStore`], from [`RedisTimelineStore::builder`].
#[derive(Clone)]
#[must_use = "a builder does nothing until `connect` is awaited"]
pub struct RedisTimelineStoreBuilder {
    url: String,
    key_prefix: String,
    finished_ttl: Duration,
    unfinished_ttl: Duration,
    max_events_per_call: usize,
    connection_timeout: Duration,
    response_timeout: Duration,
    reconnect_attempts: usize,
}

impl RedisTimelineStore {
    /// The key prefix unless [`RedisTimelineStoreBuilder::key_prefix`] sets another.
    pub const DEFAULT_KEY_PREFIX: &'static str = "audian-events:calls:";

    /// How long a finished call is kept unless [`RedisTimelineStoreBuilder::finished_ttl`] sets
    /// another: 10 minutes, as [`CallTimelines::default`](super::CallTimelines::default).
    pub const DEFAULT_FINISHED_TTL: Duration = Duration::from_secs(10 * 60);

    /// How long a call that has not finished is kept after its last event unless
    /// [`RedisTimelineStoreBuilder::unfinished_ttl`] sets another: 24 hours.
    pub const DEFAULT_UNFINISHED_TTL: Duration = Duration::from_secs(24 * 60 * 60);

    /// The most events a call holds unless [`RedisTimelineStoreBuilder::max_events_per_call`]
    /// sets another.
    pub const DEFAULT_MAX_EVENTS_PER_CALL: usize = 1_000;

    /// Settings for a store on the Redis server at `url`, with the defaults.
    pub fn builder(url: impl Into<String>) -> RedisTimelineStoreBuilder {
        RedisTimelineStoreBuilder {
            url: url.into(),
            key_prefix: RedisTimelineStore::DEFAULT_KEY_PREFIX.to_owned(),
            finished_ttl: RedisTimelineStore::DEFAULT_FINISHED_TTL,
            unfinished_ttl: RedisTimelineStore::DEFAULT_UNFINISHED_TTL,
            max_events_per_call: RedisTimelineStore::DEFAULT_MAX_EVENTS_PER_CALL,
            connection_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
            reconnect_attempts: 2,
        }
    }

    /// Connects to the Redis server at `url` with the default settings.
    pub async fn connect(url: &str) -> Result<RedisTimelineStore, TimelineStoreError> {
        RedisTimelineStore::builder(url).connect().await
    }

    /// The prefix of every key the store writes.
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    /// The Redis key of the events of call `call_id`.
    pub fn events_key(&self, call_id: &str) -> String {
        format!("{}{{{call_id}}}:events", self.key_prefix)
    }

    /// The Redis key that marks call `call_id` finished.
    pub fn finished_key(&self, call_id: &str) -> String {
        format!("{}{{{call_id}}}:finished", self.key_prefix)
    }

    fn error(&self, command: fmt::Arguments<'_>, error: RedisError) -> TimelineStoreError {
        let (kind, what) = classify(&error);
        TimelineStoreError::new(kind_of(kind), format!("Redis at {} {what} `{command}`", self.server))
            .with_source(error)
    }

    fn unreadable(&self, key: &str, error: serde_json::Error) -> TimelineStoreError {
        TimelineStoreError::new(
            TimelineStoreErrorKind::Store,
            format!("Redis at {} holds an event under {key} that is not one this store wrote", self.server),
        )
        .with_source(error)
    }

    async fn push_event(&self, event: Event) -> Result<Pushed, TimelineStoreError> {
        let Some(call_id) = call_id_of(&event) else {
            return Err(TimelineError::NoCall { event_id: event.id().clone(), event_type: event.event_type() }.into());
        };
        let events_key = self.events_key(&call_id);
        let finished_key = self.finished_key(&call_id);
        let text = serde_json::to_string(&event).expect("an event serializes to JSON");
        let ends = lifecycle_step(&event.event_type()) == Step::End;
        let mut connection = self.connection.clone();
        loop {
            let (outcome, held): (u8, String) = PUSH_SCRIPT
                .key(&events_key)
                .key(&finished_key)
                .arg(event.id().as_str())
                .arg(&text)
                .arg(self.max_events_per_call)
                .arg(if ends { "1" } else { "0" })
                .arg(millis(self.finished_ttl))
                .arg(millis(self.unfinished_ttl))
                .invoke_async(&mut connection)
                .await
                .map_err(|error| self.error(format_args!("EVALSHA <push> {events_key} {}", event.id()), error))?;
            match outcome {
                1 => return Ok(Pushed::Added),
                2 => return Err(TimelineStoreError::call_full(&call_id, self.max_events_per_call)),
                _ => {}
            }
            let held_event: Event = serde_json::from_str(&held).map_err(|error| self.unreadable(&events_key, error))?;
            let pushed = if held_event == event { Pushed::Duplicate } else { Pushed::Conflict };
            // As CallTimeline::push: the event first in timeline order stays, whichever came first.
            if timeline_order(&event, &held_event) != Ordering::Less {
                return Ok(pushed);
            }
            let replaced: bool = REPLACE_SCRIPT
                .key(&events_key)
                .arg(event.id().as_str())
                .arg(&held)
                .arg(&text)
                .invoke_async(&mut connection)
                .await
                .map_err(|error| self.error(format_args!("EVALSHA <replace> {events_key} {}", event.id()), error))?;
            if replaced {
                return Ok(pushed);
            }
            // Another push replaced the text, or the call expired in between: decide again.
        }
    }

    async fn read_timeline(&self, call_id: &str) -> Result<Option<CallTimeline>, TimelineStoreError> {
        let events_key = self.events_key(call_id);
        let mut connection = self.connection.clone();
        let texts: Vec<String> = redis::cmd("HVALS")
            .arg(&events_key)
            .query_async(&mut connection)
            .await
            .map_err(|error| self.error(format_args!("HVALS {events_key}"), error))?;
        if texts.is_empty() {
            return Ok(None);
        }
        let mut timeline: Option<CallTimeline> = None;
        for text in texts {
            let event: Event = serde_json::from_str(&text).map_err(|error| self.unreadable(&events_key, error))?;
            let timeline = match &mut timeline {
                Some(timeline) => timeline,
                None => {
                    let Some(call_id) = call_id_of(&event) else {
                        return Err(self.unreadable_call(&events_key));
                    };
                    timeline.insert(CallTimeline::new(call_id))
                }
            };
            timeline.push(event)?;
        }
        Ok(timeline)
    }

    fn unreadable_call(&self, key: &str) -> TimelineStoreError {
        TimelineStoreError::new(
            TimelineStoreErrorKind::Store,
            format!(
                "Redis at {} holds an event without a call under {key}, which this store never writes",
                self.server
            ),
        )
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn kind_of(kind: DedupErrorKind) -> TimelineStoreErrorKind {
    match kind {
        DedupErrorKind::Unavailable => TimelineStoreErrorKind::Unavailable,
        DedupErrorKind::Config => TimelineStoreErrorKind::Config,
        DedupErrorKind::Store => TimelineStoreErrorKind::Store,
    }
}

impl RedisTimelineStoreBuilder {
    /// The prefix of every key, [`RedisTimelineStore::DEFAULT_KEY_PREFIX`] by default. Receivers
    /// that share calls use the same prefix.
    pub fn key_prefix(mut self, key_prefix: impl Into<String>) -> Self {
        self.key_prefix = key_prefix.into();
        self
    }

    /// How long a finished call is kept after its ending event arrived,
    /// [`RedisTimelineStore::DEFAULT_FINISHED_TTL`] by default; at least one millisecond. Leave
    /// room for the events that follow the end, such as `recording.completed`.
    pub fn finished_ttl(mut self, ttl: Duration) -> Self {
        self.finished_ttl = ttl;
        self
    }

    /// How long a call that has not finished is kept after its last event,
    /// [`RedisTimelineStore::DEFAULT_UNFINISHED_TTL`] by default; at least one millisecond.
    pub fn unfinished_ttl(mut self, ttl: Duration) -> Self {
        self.unfinished_ttl = ttl;
        self
    }

    /// The most events a call holds, [`RedisTimelineStore::DEFAULT_MAX_EVENTS_PER_CALL`] by
    /// default (at least 1).
    pub fn max_events_per_call(mut self, max: usize) -> Self {
        self.max_events_per_call = max.max(1);
        self
    }

    /// How long one attempt to connect may take, 1 second by default.
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// How long Redis may take to answer one command, 1 second by default.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// How many times a lost connection is retried before an operation fails, 2 by default.
    pub fn reconnect_attempts(mut self, attempts: usize) -> Self {
        self.reconnect_attempts = attempts;
        self
    }

    /// Connects to Redis.
    ///
    /// Fails with [`TimelineStoreErrorKind::Config`] for a malformed URL or a time-to-live under
    /// one millisecond, and with [`TimelineStoreErrorKind::Unavailable`] if the server cannot be
    /// reached now. Must be called within a Tokio runtime.
    pub async fn connect(self) -> Result<RedisTimelineStore, TimelineStoreError> {
        let server = server_of(&self.url);
        for (name, ttl) in [("finished_ttl", self.finished_ttl), ("unfinished_ttl", self.unfinished_ttl)] {
            if ttl < Duration::from_millis(1) {
                return Err(TimelineStoreError::new(
                    TimelineStoreErrorKind::Config,
                    format!(
                        "the Redis timeline store's {name} is {ttl:?}; Redis counts it in milliseconds, so set at \
                         least 1 ms"
                    ),
                ));
            }
        }
        let client = redis::Client::open(self.url.as_str()).map_err(|error| {
            TimelineStoreError::new(
                TimelineStoreErrorKind::Config,
                format!(
                    "`{server}` is not a Redis URL the timeline store understands; \
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
            TimelineStoreError::new(
                kind_of(kind),
                format!(
                    "Redis at {server} {what} the timeline store's first connection; the store cannot start \
                     without it"
                ),
            )
            .with_source(error)
        })?;
        Ok(RedisTimelineStore {
            connection,
            key_prefix: self.key_prefix,
            finished_ttl: self.finished_ttl,
            unfinished_ttl: self.unfinished_ttl,
            max_events_per_call: self.max_events_per_call,
            server,
        })
    }
}

impl TimelineStore for RedisTimelineStore {
    fn push(&self, event: Event) -> impl Future<Output = Result<Pushed, TimelineStoreError>> + Send {
        self.push_event(event)
    }

    fn timeline(&self, call_id: &str) -> impl Future<Output = Result<Option<CallTimeline>, TimelineStoreError>> + Send {
        self.read_timeline(call_id)
    }
}

impl fmt::Debug for RedisTimelineStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the URL: it may hold a password.
        f.debug_struct("RedisTimelineStoreBuilder")
            .field("server", &server_of(&self.url))
            .field("key_prefix", &self.key_prefix)
            .field("finished_ttl", &self.finished_ttl)
            .field("unfinished_ttl", &self.unfinished_ttl)
            .field("max_events_per_call", &self.max_events_per_call)
            .field("connection_timeout", &self.connection_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("reconnect_attempts", &self.reconnect_attempts)
            .finish()
    }
}

impl fmt::Debug for RedisTimelineStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTimelineStore")
            .field("server", &self.server)
            .field("key_prefix", &self.key_prefix)
            .field("finished_ttl", &self.finished_ttl)
            .field("unfinished_ttl", &self.unfinished_ttl)
            .field("max_events_per_call", &self.max_events_per_call)
            .finish_non_exhaustive()
    }
}
