#![cfg(feature = "redis")]
use audian_events::dedup::{DedupStore, RedisDedupStore};
use std::time::{Duration, Instant};
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn bench() {
    let url = std::env::var("AUDIAN_TEST_REDIS_URL").unwrap();
    let store =
        RedisDedupStore::builder(&url).key_prefix(format!("bench{:?}:", Instant::now())).connect().await.unwrap();
    let t = Instant::now();
    for n in 0..2000 {
        store.first_time(&format!("evt_{n}").parse().unwrap()).await.unwrap();
    }
    eprintln!("store seq: {:?}/op", t.elapsed() / 2000);
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let t = Instant::now();
    for n in 0..2000 {
        let _: Option<String> = redis::cmd("SET")
            .arg(format!("x{n}"))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(1000)
            .query_async(&mut c)
            .await
            .unwrap();
    }
    eprintln!("multiplexed seq: {:?}/op", t.elapsed() / 2000);
    let _ = Duration::ZERO;
}
