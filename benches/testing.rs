//! `clerk_backend::testing::FakeClerk`: how long a fake takes to start, and
//! how fast the generated client round-trips through it.
//!
//! Run: `cargo bench --bench testing -- --warm-up-time 1 --measurement-time 3`
//!
//! Targets (issue #12): `start` under 100 ms median; 1,000 `create_user` +
//! `get_user` round trips under 2 s, i.e. `create_and_get_user` under 2 ms.

use std::hint::black_box;
use std::time::{Duration, Instant};

use clerk_backend::testing::FakeClerk;
use criterion::{Criterion, criterion_group, criterion_main};

/// Round trips per fake before a fresh one, so that the store stays the size
/// of a test's (1,000 users).
const USERS_PER_FAKE: u64 = 1000;

fn bench_fake(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    // The first start of the process also makes its RSA key.
    let first = Instant::now();
    drop(runtime.block_on(FakeClerk::start()));
    println!(
        "first FakeClerk::start (with key generation): {:?}",
        first.elapsed()
    );

    c.bench_function("start", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(FakeClerk::start().await) })
    });

    let mut group = c.benchmark_group("round_trip");
    group.bench_function("create_and_get_user", |b| {
        b.to_async(&runtime).iter_custom(|iters| async move {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let fake = FakeClerk::start().await;
                let client = fake.client();
                let batch = USERS_PER_FAKE.min(iters - done);
                let started = Instant::now();
                for i in 0..batch {
                    let user = client
                        .create_user()
                        .body_map(|b| b.email_address(vec![format!("user{i}@example.com")]))
                        .send()
                        .await
                        .expect("create_user");
                    let id = user.id.clone();
                    black_box(
                        client
                            .get_user()
                            .user_id(&id)
                            .send()
                            .await
                            .expect("get_user"),
                    );
                }
                total += started.elapsed();
                done += batch;
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench_fake);
criterion_main!(benches);
