#!/usr/bin/env bash
# setup.sh - set up a Debian 12 machine for planner, build it, and run it.
#
#   scripts/setup.sh demo       install, build, run `planner demo` on the sample event
#   scripts/setup.sh test       install, build, run the whole test suite
#   scripts/setup.sh sanitize   the test suite again in an ASan+UBSan build, warnings as errors
#   scripts/setup.sh release    a Release (-O2/-O3) build with warnings as errors, and its tests
#   scripts/setup.sh format     check the C sources against .clang-format
#   scripts/setup.sh deps       only install the Debian packages
#
# Idempotent: packages already there are not installed again, builds are
# incremental. Run as root, or as a user who may sudo (only apt needs it).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)

PACKAGES=(
  build-essential cmake pkg-config
  libical-dev libsqlite3-dev libcurl4-openssl-dev libxlsxwriter-dev libjansson-dev
  libmicrohttpd-dev nettle-dev zlib1g-dev tzdata
  libgmime-3.0-dev libcairo2-dev libpango1.0-dev libicu-dev fonts-dejavu-core
)
TEST_PACKAGES=(
  libcmocka-dev python3 python3-icalendar python3-openpyxl sqlite3 clang clang-format curl chromium
  python3-aiosmtpd libreoffice-calc-nogui poppler-utils glpk-utils gcovr libclang-rt-14-dev strace
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# The npm packages of the browser test (tests/e2e/browser: playwright-core
# drives Debian's chromium, axe-core checks accessibility), exactly as locked.
# Node and npm are not Debian packages here: without npm the test is skipped.
install_npm_tests() {
  if command -v npm >/dev/null 2>&1; then
    npm ci --prefix "$ROOT/tests/e2e/browser" --no-audit --no-fund --loglevel=error
  else
    echo "setup: npm not found: the browser test (e2e.admin_browser) will be skipped" >&2
  fi
}

build() { # build DIR [cmake options...]; a later -DCMAKE_BUILD_TYPE wins
  local dir=$1; shift
  cmake -S "$ROOT" -B "$ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$ROOT/$dir" -j"$JOBS"
}

case "${1:-}" in
  deps)
    install_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ;;
  demo)
    install_packages "${PACKAGES[@]}"
    build build -DPLANNER_TESTS=OFF
    "$ROOT/build/cli/planner" demo --out "$ROOT/planner-demo"
    echo "setup: the demo's files are in $ROOT/planner-demo" >&2
    ;;
  test)
    install_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_npm_tests
    build build -DPLANNER_TESTS=ON
    ctest --test-dir "$ROOT/build" --output-on-failure -j"$JOBS"
    ;;
  sanitize)
    install_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_npm_tests
    build build-asan -DPLANNER_SANITIZE=ON -DPLANNER_WERROR=ON
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --test-dir "$ROOT/build-asan" --output-on-failure -j"$JOBS"
    ;;
  release)
    # Optimised builds see other paths than -O2 -g (maybe-uninitialized):
    # they must build clean too, and pass the tests.
    install_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_npm_tests
    build build-release -DCMAKE_BUILD_TYPE=Release -DPLANNER_WERROR=ON
    ctest --test-dir "$ROOT/build-release" --output-on-failure -j"$JOBS"
    ;;
  format)
    install_packages clang-format
    git ls-files '*.c' '*.h' | grep -v '^data/' | xargs clang-format --dry-run --Werror
    echo "setup: the C sources follow .clang-format" >&2
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
