#!/usr/bin/env bash
# Installs every Debian package that building aistore-c and running its tests need.
# Idempotent and non-interactive: installs only what is missing. Run as root (or with sudo).
set -euo pipefail

PKGS=(
  build-essential pkg-config git curl ca-certificates
  node-llhttp            # HTTP/1.1 parser (C sources under /usr/share/llhttp)
  libcurl4-openssl-dev   # intra-cluster HTTP client
  libjansson-dev         # JSON
  libxxhash-dev          # xxhash checksums, HRW
  libssl-dev             # md5, sha256, hmac
  libisal-dev            # crc32c, erasure coding
  libexpat1-dev          # XML parsing (S3 request bodies)
  zlib1g-dev             # chunk manifest compression; gzip (.tgz shards) under libarchive
  libarchive-dev         # shards: TAR (USTAR/PAX/GNU), ZIP read/write; gzip and lz4 filters
  liblz4-dev             # LZ4 frame (.tar.lz4 shards)
  libmsgpack-dev         # msgpack-c: list-objects answers to `Accept: application/msgpack`
  libjwt-dev             # JWT verification (auth.enabled)
  python3-jwt            # e2e: signs test tokens (HS256, RS256)
  libcriterion-dev       # C unit tests
  clang libclang-rt-14-dev   # libFuzzer drivers (make fuzz)
  python3 python3-pytest python3-requests   # end-to-end tests
  python3-pytest-xdist   # e2e modules side by side (make e2e: E2E_JOBS)
  python3-msgpack        # e2e: decode msgpack list-objects pages as AIStore's Python SDK does
  lz4                    # e2e: builds and checks .tar.lz4 shards
  python3-boto3 awscli s3cmd rclone         # S3 clients driven by the e2e tests
  radosgw ceph-mon ceph-osd uuid-runtime    # Ceph RGW: the real S3 remote of the backend tests (tests/e2e/rgw.sh)
  iproute2                                  # downloader tests: a dummy interface with private addresses
  prometheus             # promtool: validates the /metrics exposition
  attr                   # getfattr/setfattr, used by tests to inspect xattrs
  nginx-light wrk        # benchmark baselines
  gnuplot-nox            # bench/run.sh chart
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
