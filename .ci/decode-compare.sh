#!/usr/bin/env bash
# Decoding cost of the 500-user page of benches/decode.rs (about 1.8 MB),
# side by side: this checkout, an earlier commit of this crate (the baseline
# of issue 11, f4afb1d, by default), and clerk-rs 0.5's models.
#
#   .ci/decode-compare.sh [baseline-commit] [workdir]
#
# Each side is one small release program that decodes the page N times.
# Counts are callgrind instructions (deterministic on a noisy machine): per
# decode = (instructions at N=11 - at N=1) / 10, which cancels start-up and
# building the page. Wall time per decode (median of 30, same program) is
# printed beside it as a sanity check. Needs valgrind and crates.io.
set -euo pipefail

base=${1:-f4afb1d}
work=${2:-${TMPDIR:-/tmp}/clerk-decode-compare}
crate=$(cd "$(dirname "$0")/.." && pwd)
page_rs="$crate/benches/support/user_page.rs"
mkdir -p "$work"

# The baseline's sources, as they were at that commit.
rm -rf "$work/base-src"
mkdir -p "$work/base-src"
git -C "$crate" archive "$base" | tar -x -C "$work/base-src"

app() { # app <name> <dependency lines> <type> <decode expression>
    mkdir -p "$work/$1/src"
    cat >"$work/$1/Cargo.toml" <<EOF
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
$2
serde_json = "1"

[profile.release]
debug = false
EOF
    cat >"$work/$1/src/main.rs" <<EOF
#[path = "$page_rs"]
#[allow(dead_code)]
mod user_page;

use std::hint::black_box;

fn decode(body: &[u8]) -> usize {
    let users: Vec<$3> = $4;
    users.len()
}

fn main() {
    let n: usize = std::env::args().nth(1).map_or(1, |n| n.parse().unwrap());
    let body = user_page::page();
    let mut times = Vec::new();
    for _ in 0..n {
        let start = std::time::Instant::now();
        assert_eq!(black_box(decode(black_box(&body))), 500);
        times.push(start.elapsed());
    }
    times.sort();
    eprintln!("median {:?}", times[times.len() / 2]);
}
EOF
    (cd "$work/$1" && CARGO_TARGET_DIR="$work/target-$1" cargo build --release -q)
}

app ours "clerk-backend = { path = \"$crate\", default-features = false, features = [\"rustls\", \"users\"] }" \
    clerk_backend::types::User 'clerk_backend::from_slice(body).unwrap()'
app ours-serde-json "clerk-backend = { path = \"$crate\", default-features = false, features = [\"rustls\", \"users\"] }" \
    clerk_backend::types::User 'serde_json::from_slice(body).unwrap()'
app baseline "clerk-backend = { path = \"$work/base-src\" }" \
    clerk_backend::types::User 'serde_json::from_slice(body).unwrap()'
app clerk-rs 'clerk-rs = "0.5"' \
    clerk_rs::models::User 'serde_json::from_slice(body).unwrap()'

instructions() { # instructions <app> <n>
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$work/target-$1/release/$1" "$2" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-16s %14s %8s %14s\n' side instr/decode ratio 'wall (median)'
declare -A per
for side in baseline ours ours-serde-json clerk-rs; do
    one=$(instructions "$side" 1)
    eleven=$(instructions "$side" 11)
    per[$side]=$(((eleven - one) / 10))
done
for side in baseline ours ours-serde-json clerk-rs; do
    wall=$("$work/target-$side/release/$side" 30 2>&1 | sed 's/median //')
    ratio=$(echo "scale=3; ${per[$side]} / ${per[baseline]}" | bc)
    printf '%-16s %14s %8s %14s\n' "$side" "${per[$side]}" "${ratio}x" "$wall"
done
echo "ours / clerk-rs: $(echo "scale=3; ${per[ours]} / ${per[clerk-rs]}" | bc)x"
