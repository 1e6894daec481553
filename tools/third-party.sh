#!/usr/bin/env bash
# Fetches, checks and unpacks the third-party sources the guest build needs (libgit2, zlib,
# http-parser) from Debian's source packages as tools/third-party.lock pins them, then applies
# web9's own patches from tools/patches/PACKAGE/*.patch.
#   tools/third-party.sh [DEST]   (default build/third_party) → DEST/{libgit2,zlib,http-parser}
# Downloads are kept in DEST/dl and reused when their checksums match. Nothing here is committed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/build/third_party}
LOCK=$ROOT/tools/third-party.lock
say() { printf 'web9: %s\n' "$*" >&2; }
die() { printf 'web9: error: %s\n' "$*" >&2; exit 1; }
sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"

command -v dpkg-source >/dev/null || {
  say "installing dpkg-dev (dpkg-source unpacks Debian source packages)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null \
    || die "apt-get install dpkg-dev failed"
}

mkdir -p "$DEST/dl"
verify() {  # all files in the lock present in dl with the right sha256?
  local ok=0 pkg ver file sum
  while read -r pkg ver file sum; do
    [[ -z $pkg || $pkg == \#* ]] && continue
    [[ -f $DEST/dl/$file ]] || { ok=1; continue; }
    [[ $(sha256sum "$DEST/dl/$file" | cut -d' ' -f1) == "$sum" ]] || { ok=1; [[ ${1:-} == strict ]] && die "checksum mismatch: $file"; }
  done <"$LOCK"
  return $ok
}

# A deb-src entry for the archive already configured, so apt-get source can fetch.
ensure_deb_src() {
  apt-get source --print-uris -qq zlib >/dev/null 2>&1 && return 0
  say "adding a deb-src entry for the configured Debian archive"
  local src=/etc/apt/sources.list.d/web9-src.sources
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed -n '/^Types:.*deb/,/^$/p' /etc/apt/sources.list.d/debian.sources | sed 's/^Types:.*/Types: deb-src/' \
      | $sudo tee "$src" >/dev/null
  elif [[ -f /etc/apt/sources.list ]]; then
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $sudo tee /etc/apt/sources.list.d/web9-src.list >/dev/null
  else
    die "no Debian sources configured: add a deb-src entry for your archive"
  fi
  $sudo apt-get update -qq || die "apt-get update failed after adding deb-src"
}

if ! verify; then
  ensure_deb_src
  specs=$(awk '!/^#/ && NF {print $1 "=" $2}' "$LOCK" | sort -u)
  say "fetching Debian source packages: $(echo $specs)"
  (cd "$DEST/dl" && apt-get source --download-only -qq $specs >/dev/null 2>&1) \
    || die "apt-get source failed for: $(echo $specs)"
  verify strict || die "a third-party source is missing after download (see tools/third-party.lock)"
fi

for pkg in $(awk '!/^#/ && NF {print $1}' "$LOCK" | sort -u); do
  dsc=$(awk -v p="$pkg" '$1 == p && $3 ~ /\.dsc$/ {print $3}' "$LOCK")
  stamp=$DEST/$pkg/.web9-unpacked
  want="$dsc $( (cat "$ROOT"/tools/patches/"$pkg"/*.patch 2>/dev/null || true) | sha256sum | cut -d' ' -f1)"
  [[ -f $stamp && $(cat "$stamp") == "$want" ]] && continue
  say "unpacking $pkg"
  rm -rf "$DEST/$pkg"
  dpkg-source --no-check -x "$DEST/dl/$dsc" "$DEST/$pkg" >/dev/null || die "dpkg-source -x $dsc failed"
  for p in "$ROOT"/tools/patches/"$pkg"/*.patch; do
    [[ -f $p ]] || continue
    patch -d "$DEST/$pkg" -p1 -s <"$p" || die "patch $(basename "$p") does not apply to $pkg"
  done
  echo "$want" >"$stamp"
done
