#!/usr/bin/env bash
# Regenerates Sources/MirsadWire/Generated/*.pb.swift from Protocols/*.proto.
#
# Needs `protoc` (3.x or later) and `protoc-gen-swift` 1.39.0 on PATH. CI does not run this script: the generated
# code is committed, and a change to a .proto file is committed together with the regenerated Swift.
#
# If protoc-gen-swift is missing, build it from the same swift-protobuf version the package uses:
#   git clone --branch 1.39.0 --depth 1 https://github.com/apple/swift-protobuf.git /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#   install /tmp/swift-protobuf/.build/release/protoc-gen-swift /usr/local/bin/
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/Sources/MirsadWire/Generated"

command -v protoc >/dev/null || { echo "protoc not found on PATH" >&2; exit 1; }
command -v protoc-gen-swift >/dev/null || { echo "protoc-gen-swift not found on PATH (see the comment in $0)" >&2; exit 1; }
plugin_version="$(protoc-gen-swift --version 2>&1 || true)"
case "$plugin_version" in
  *1.39.0*) ;;
  *) echo "warning: protoc-gen-swift is '$plugin_version', the package uses 1.39.0" >&2 ;;
esac

mkdir -p "$out"
protoc \
  --proto_path="$root/Protocols" \
  --swift_out="$out" \
  --swift_opt=Visibility=Public \
  "$root"/Protocols/*.proto
echo "generated: $(ls "$out")"
