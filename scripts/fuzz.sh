#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of the frame codec and the dispatcher's state machine: the `mirsad-fuzz`
# target (Sources/MirsadFuzz) built with -sanitize=fuzzer, its corpus seeded from the golden messages in
# Protocols/fixtures. Not run in CI; run it by hand after changing the codec or the state machines.
#
#   scripts/fuzz.sh [SECONDS]     fuzz for SECONDS (default 300); more libFuzzer flags may follow
#
# libFuzzer's own `main` is not used: SwiftPM links an executable's entry point as `mirsad_fuzz_main`, which the
# fuzzing build defines and which calls `LLVMFuzzerRunDriver` (Sources/MirsadFuzz/FuzzTarget.swift).
# The build goes to .build/fuzz (its own scratch path, so the usual debug build is untouched). The corpus grows in
# .build/fuzz-corpus; a failing input is written to .build/fuzz-artifacts/crash-* and can be replayed without
# libFuzzer: `swift build --product mirsad-fuzz && .build/debug/mirsad-fuzz .build/fuzz-artifacts/crash-...`.
# Needs the toolchain's libFuzzer runtime (lib/swift/clang/lib/linux/libclang_rt.fuzzer-x86_64.a), as shipped with
# the Linux toolchains.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-300}"
shift || true
cd "$root"

swift build --scratch-path .build/fuzz --product mirsad-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING -Xswiftc -enable-experimental-feature -Xswiftc Extern 2>&1 | grep -v 'prohibited flag' || true
binary="$(swift build --scratch-path .build/fuzz --product mirsad-fuzz --show-bin-path \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING -Xswiftc -enable-experimental-feature -Xswiftc Extern)/mirsad-fuzz"

# The seed corpus comes from a plain build of the same target (its replay mode writes it).
swift build --product mirsad-fuzz 2>&1 | grep -v 'prohibited flag' | tail -1
mkdir -p .build/fuzz-corpus .build/fuzz-artifacts
"$(swift build --show-bin-path)/mirsad-fuzz" --seed-corpus Protocols/fixtures .build/fuzz-seeds

"$binary" .build/fuzz-corpus .build/fuzz-seeds \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix=.build/fuzz-artifacts/ "$@"
