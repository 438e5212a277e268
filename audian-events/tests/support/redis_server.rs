//! A `redis-server` for the tests of the Redis stores: the one at `AUDIAN_TEST_REDIS_URL` (which
//! `.ci/run` starts), or one a test starts (and may kill and restart) on a free loopback port.
//! Included by path by the test targets that need one.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const URL_VARIABLE: &str = "AUDIAN_TEST_REDIS_URL";
/// Why a test that needs a server is skipped.
pub const NO_REDIS_SERVER: &str = "no redis-server on PATH and no AUDIAN_TEST_REDIS_URL: apt-get install redis-server \
                               (.ci/run does), or set AUDIAN_TEST_REDIS_URL to a running server";
/// Why the test that kills and restarts a server of its own is skipped.
pub const NO_REDIS_SERVER_BINARY: &str =
    "no redis-server on PATH (this test starts and kills its own): apt-get install redis-server (.ci/run does)";

/// A key prefix no other test or run uses.
pub fn unique_prefix(test: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("audian-events-test:{}:{nanos}:{test}:", std::process::id())
}

pub fn redis_server_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("redis-server")).find(|candidate| candidate.is_file())
}

pub fn free_loopback_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `redis-server` of the test's own. Killed (and its files removed) on drop.
pub struct RedisServer {
    binary: PathBuf,
    pub port: u16,
    dir: PathBuf,
    persistent: bool,
    child: Option<Child>,
}

impl RedisServer {
    /// A server on a free loopback port; `persistent` turns on the append-only file, synced on
    /// every write, so that a restart keeps the ids (and every write costs an fsync).
    pub fn start(binary: PathBuf, persistent: bool) -> RedisServer {
        let port = free_loopback_port();
        let dir = std::env::temp_dir().join(format!("audian-events-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = RedisServer { binary, port, dir, persistent, child: None };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Starts the server (again) and waits until it answers `PING`.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "the server is running");
        let child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", if self.persistent { "yes" } else { "no" }, "--appendfsync", "always"])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .args(["--logfile", "redis.log"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("could not start {}: {error}", self.binary.display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ping(self.port) {
            let exited = self.child.as_mut().unwrap().try_wait().unwrap();
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default();
                panic!("redis-server on port {} did not answer PING ({exited:?}); its log:\n{log}", self.port);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server the hard way, as a crash would.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("the server is not running");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether a Redis server on `port` answers `PING` with `PONG` (not `LOADING`).
pub fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0; 7];
    stream.write_all(b"PING\r\n").is_ok() && stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}

/// The URL of a server to test against, and the server if the test started it.
pub fn test_server() -> Option<(String, Option<RedisServer>)> {
    if let Ok(url) = std::env::var(URL_VARIABLE) {
        return Some((url, None));
    }
    let server = RedisServer::start(redis_server_binary()?, false);
    Some((server.url(), Some(server)))
}
