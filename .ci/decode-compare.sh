#!/usr/bin/env bash
# Decoding cost of the 500-user page of benches/decode.rs (about 1.8 MB),
# side by side: this checkout, an earlier commit of this crate (the baseline
# of issue 11, f4afb1d, by default), and clerk-rs 0.5's models.
#
#   .ci/decode-compare.sh [baseline-commit] [workdir]
#
# Each side is one small release program that decodes a page N times: the
# page of the benchmark against the baseline, and the same users as Clerk
# 2026 sends them (`clerk_2026_page`, which clerk-rs can read) against
# clerk-rs.
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

app() { # app <name> <dependency line> <type> <decode with serde_json> [<decode as the client does>]
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
EOF
    cat >"$work/$1/src/main.rs" <<EOF
//! $1 <n> <page|clerk_2026_page> [client]
#[path = "$page_rs"]
#[allow(dead_code)]
mod user_page;

use std::hint::black_box;

fn decode(body: &[u8], client: bool) -> usize {
    let users: Vec<$3> = if client { ${5:-$4} } else { $4 };
    users.len()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[1].parse().unwrap();
    let body = match args[2].as_str() {
        "page" => user_page::page(),
        _ => user_page::clerk_2026_page(),
    };
    let client = args.get(3).is_some_and(|a| a == "client");
    let mut times = Vec::new();
    for _ in 0..n {
        let start = std::time::Instant::now();
        assert_eq!(black_box(decode(black_box(&body), client)), 500);
        times.push(start.elapsed());
    }
    times.sort();
    eprintln!("median {:?}", times[times.len() / 2]);
}
EOF
    (cd "$work/$1" && CARGO_TARGET_DIR="$work/target-$1" cargo build --release -q)
}

app ours "clerk-backend = { path = \"$crate\", default-features = false, features = [\"rustls\", \"users\"] }" \
    clerk_backend::types::User 'serde_json::from_slice(body).unwrap()' \
    'clerk_backend::from_slice(body).unwrap()'
app baseline "clerk-backend = { path = \"$work/base-src\" }" \
    clerk_backend::types::User 'serde_json::from_slice(body).unwrap()'
app clerk-rs 'clerk-rs = "0.5"' \
    clerk_rs::models::User 'serde_json::from_slice(body).unwrap()'

per_decode() { # per_decode <app> <page> [client] -> instructions per decode
    local counts=()
    for n in 1 11; do
        counts+=("$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
            "$work/target-$1/release/$1" "$n" "${@:2}" 2>&1 |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p')")
    done
    echo $(((counts[1] - counts[0]) / 10))
}
wall() { "$work/target-$1/release/$1" 30 "${@:2}" 2>&1 | sed 's/median //'; }
header() { printf '%-34s %12s %8s %12s\n' side instr/decode ratio 'wall median'; }
row() { # row <label> <instructions> <reference instructions> <wall>
    printf '%-34s %12s %8s %12s\n' "$1" "$2" "$(echo "scale=3; $2 / $3" | bc)x" "$4"
}

echo "The page of benches/decode.rs, against the baseline ($base):"
header
b=$(per_decode baseline page)
row "baseline $base (serde_json)" "$b" "$b" "$(wall baseline page)"
o=$(per_decode ours page client)
row "ours (as the client decodes)" "$o" "$b" "$(wall ours page client)"
o=$(per_decode ours page)
row "ours (serde_json alone)" "$o" "$b" "$(wall ours page)"
echo
echo "The same users as Clerk 2026 sends them, against clerk-rs 0.5:"
header
c=$(per_decode clerk-rs clerk_2026_page)
row "clerk-rs 0.5 models" "$c" "$c" "$(wall clerk-rs clerk_2026_page)"
o=$(per_decode ours clerk_2026_page client)
row "ours (as the client decodes)" "$o" "$c" "$(wall ours clerk_2026_page client)"
o=$(per_decode ours clerk_2026_page)
row "ours (serde_json alone)" "$o" "$c" "$(wall ours clerk_2026_page)"
