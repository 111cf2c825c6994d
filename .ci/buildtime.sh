#!/usr/bin/env bash
# Cold-build time of a tiny application using this crate, side by side with
# the same application written against clerk-rs (crates.io), as in issue #14.
#
#   .ci/buildtime.sh [rounds] [workdir]
#
# Each round builds both applications from an empty target directory with
# `cargo build --timings` (debug, default features), ours first, then theirs,
# so machine load affects both. Prints wall seconds, the ratio, and the load
# average; the timing reports are kept under <workdir>/timings/. Set
# CLERK_OPENAPI_SPEC to build ours from another spec, and CLERK_FEATURES to
# build ours with only those features (e.g. CLERK_FEATURES=rustls,users for
# one API area). Needs crates.io.
set -euo pipefail

rounds=${1:-1}
work=${2:-${TMPDIR:-/tmp}/clerk-buildtime}
crate=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work/timings"

app() { # app <dir> <dependency line> <main.rs>
    mkdir -p "$1/src"
    cat >"$1/Cargo.toml" <<EOF
[package]
name = "$(basename "$1")"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
$2
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
EOF
    printf '%s\n' "$3" >"$1/src/main.rs"
}

ours_dep="clerk-backend = { path = \"$crate\" }"
if [ -n "${CLERK_FEATURES:-}" ]; then
    features=$(echo "$CLERK_FEATURES" | sed 's/[^,][^,]*/"&"/g; s/,/, /g')
    ours_dep="clerk-backend = { path = \"$crate\", default-features = false, features = [$features] }"
fi
app "$work/app-ours" "$ours_dep" '
#[tokio::main]
async fn main() {
    let client = clerk_backend::Client::from_env().expect("CLERK_SECRET_KEY");
    let count = client.get_users_count().send().await;
    println!("{:?}", count.map(|c| c.total_count));
}'

app "$work/app-clerkrs" 'clerk-rs = "0.5"' '
use clerk_rs::{ClerkConfiguration, apis::users_api};

#[tokio::main]
async fn main() {
    let config = ClerkConfiguration::new(std::env::var("CLERK_SECRET_KEY").unwrap_or_default());
    let count = users_api::get_users_count(
        &config, None, None, None, None, None, None, None, None, None, None, None, None, None,
        None, None, None, None, None, None, None, None, None,
    )
    .await;
    println!("{:?}", count.map(|c| c.total_count));
}'

cold() { # cold <app dir> <label> -> seconds
    local target="$work/target-$2"
    rm -rf "$target"
    local start end
    start=$(date +%s.%N)
    # Not incremental: a dependency from crates.io or git never is, while
    # cargo would compile this crate (a path dependency here) incrementally.
    (cd "$1" && CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$target" cargo build --timings -q >&2)
    end=$(date +%s.%N)
    cp "$target/cargo-timings/cargo-timing.html" "$work/timings/$2.html"
    echo "$end - $start" | bc
}

for r in $(seq "$rounds"); do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    ours=$(cold "$work/app-ours" "ours-$r")
    theirs=$(cold "$work/app-clerkrs" "theirs-$r")
    printf 'round %s: ours %.1f s, clerk-rs %.1f s, ratio %.2f (load before: %s, after: %s)\n' \
        "$r" "$ours" "$theirs" "$(echo "$ours / $theirs" | bc -l)" "$load" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
done
