# Shared steps for tools/run and tools/test: install what is missing, check the toolchain, build.
# Sourced, not run. Every step says what it does; a failure says what to do.

WEB9_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${WEB9_BUILD:-$WEB9_ROOT/build}
JOBS=${WEB9_JOBS:-$(nproc)}
export NODE_PATH=/usr/share/nodejs   # Debian's emscripten finds acorn there

say() { printf 'web9: %s\n' "$*" >&2; }
die() { printf 'web9: error: %s\n' "$*" >&2; exit 1; }

APT_PACKAGES=(
  cmake ninja-build g++ clang-14 lld-14 libclang-rt-14-dev
  emscripten catch2
  wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32
  nodejs chromium 9base git ca-certificates
)

install_missing() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # NodeSource's nodejs bundles npm and conflicts with Debian's npm package: ask for it only if absent.
  command -v npm >/dev/null || missing+=(npm)
  if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo="sudo"
    $sudo apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      >/dev/null || die "apt-get install failed for: ${missing[*]}"
  fi
  if [[ -f $WEB9_ROOT/package-lock.json ]]; then
    local stamp=$WEB9_ROOT/node_modules/.web9-lock
    if ! cmp -s "$WEB9_ROOT/package-lock.json" "$stamp" 2>/dev/null; then
      say "installing npm packages (npm ci)"
      (cd "$WEB9_ROOT" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) \
        || die "npm ci failed"
      cp "$WEB9_ROOT/package-lock.json" "$stamp"
    fi
  fi
  check_emscripten
}

check_emscripten() {
  local want have
  want=$(tr -d '[:space:]' <"$WEB9_ROOT/emsdk-version.txt")
  # sed reads all of emcc's output: with pipefail, head's early exit could SIGPIPE emcc and fail.
  have=$(emcc --version 2>/dev/null | sed -n '1s/.* \([0-9][0-9.]*\) .*/\1/p') || true
  [[ -n $have ]] || die "emcc not found: install Debian's emscripten package (apt-get install emscripten)"
  [[ $have == "$want" ]] || die "emcc is $have but emsdk-version.txt pins $want: install emscripten $want \
(Debian 12's package is 3.1.6) or update emsdk-version.txt after checking the build with the new version"
}

build_native() {
  say "building native kernel and tests"
  cmake -S "$WEB9_ROOT" -B "$BUILD/native" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$BUILD/native" -j"$JOBS"
}

build_fuzz() {
  say "building fuzzers (clang-14, libFuzzer + ASan)"
  cmake -S "$WEB9_ROOT" -B "$BUILD/fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DWEB9_FUZZ_SECONDS="${FUZZ_SECONDS:-60}" >/dev/null
  ninja -C "$BUILD/fuzz" -j"$JOBS" fuzzers
}

build_emscripten() {
  say "building the kernel for the browser (emscripten $(tr -d '[:space:]' <"$WEB9_ROOT/emsdk-version.txt"))"
  emcmake cmake -S "$WEB9_ROOT" -B "$BUILD/emscripten" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$BUILD/emscripten" -j"$JOBS"
}

build_wasi() {
  say "fetching third-party sources for git (tools/third-party.sh)"
  "$WEB9_ROOT/tools/third-party.sh" "$BUILD/third_party" || die "tools/third-party.sh failed"
  say "building guest programs (clang-14, wasm32-wasi)"
  cmake -S "$WEB9_ROOT" -B "$BUILD/wasi" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$WEB9_ROOT/cmake/wasi.cmake" -DWEB9_THIRD_PARTY="$BUILD/third_party" >/dev/null
  ninja -C "$BUILD/wasi" -j"$JOBS"
  say "packing the boot image (build/wasi/web9.img)"
  node "$WEB9_ROOT/tools/mkimage.mjs" --bin "$BUILD/wasi" || die "tools/mkimage.mjs failed"
}

build_all() {
  build_native
  build_emscripten
  build_wasi
}
