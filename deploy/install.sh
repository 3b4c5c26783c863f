#!/usr/bin/env bash
# Install Storegate on a Debian 12 / Raspberry Pi OS (bookworm) host as a systemd service (docs/deploy.md).
#
#   sudo deploy/install.sh storegate-<version>-linux-<arch>.tar.gz   # from a release artifact (npm run release)
#   sudo deploy/install.sh                                          # from this checkout: builds the artifact first
#
# Options: --root DIR installs into DIR instead of / (no apt, user, ownership or systemd: for tests and images);
#          --no-start leaves the service enabled but stopped;
#          --release-keys FILE installs FILE (release public keys, `storegate release keygen`'s FILE.pub) as
#          /etc/storegate-release-keys.pem, root-owned: `storegate upgrade` then installs only artifacts signed by one.
# Re-running with a newer artifact installs it beside the old release and switches to it; config and data stay.
# Upgrades with a health check and rollback: `storegate upgrade ARTIFACT`.
set -euo pipefail

root=""
start=1
artifact=""
release_keys=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="$(cd "$2" && pwd)"; shift 2 ;;
    --no-start) start=0; shift ;;
    --release-keys) release_keys="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) artifact="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; shift ;;
  esac
done
src="$(cd "$(dirname "$0")/.." && pwd)"

# 1. Node >= 20.11 first: Debian 12 and Pi OS bookworm ship Node 18, which cannot run Storegate.
node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=11)?0:1)'
}
if ! node_ok; then
  found="$(command -v node >/dev/null 2>&1 && node --version || echo none)"
  cat >&2 <<MSG
error: Storegate needs Node.js >= 20.11; this machine has: $found
Debian 12 and Raspberry Pi OS (bookworm) ship Node.js 18 ("apt-get install nodejs" gives 18.x), and
bookworm-backports has no nodejs package. Install Node.js 20 from NodeSource (amd64, arm64 and armhf):

  sudo apt-get update
  sudo apt-get install -y ca-certificates curl gnupg
  sudo mkdir -p /etc/apt/keyrings
  curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | sudo gpg --dearmor -o /etc/apt/keyrings/nodesource.gpg
  echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main" | sudo tee /etc/apt/sources.list.d/nodesource.list
  sudo apt-get update
  sudo apt-get install -y nodejs

then run this script again. (Debian 13 "trixie" ships Node.js 20 itself: apt-get install nodejs.)
MSG
  exit 1
fi

# 2. What this script uses (and, from a checkout, what building the SQLite and serial addons needs).
if [ -z "$root" ]; then
  [ "$(id -u)" = "0" ] || { echo "run as root: sudo $0 $*" >&2; exit 1; }
  apt-get update -qq
  pkgs=(tar gzip ca-certificates passwd)
  [ -n "$artifact" ] || pkgs+=(npm python3 make g++ git)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

# 3. From a checkout: build the artifact (the same one `npm run release` makes for this architecture).
if [ -z "$artifact" ]; then
  [ -f "$src/package.json" ] || { echo "no artifact given and $src is not a checkout" >&2; exit 1; }
  (cd "$src" && npm ci && npm run release -- --out "$src/release") >&2
  artifact="$(ls -t "$src"/release/storegate-*-linux-"$(node -p process.arch)".tar.gz | head -n1)"
fi
[ -f "$artifact" ] || { echo "no such artifact: $artifact" >&2; exit 1; }

# 4. Unpack beside the other releases, verify (sha256 of every file, Node ABI, architecture), switch current.
releases="$root/opt/storegate/releases"
install -d -m 0755 "$root/opt/storegate" "$releases"
incoming="$releases/.incoming-$$"
rm -rf "$incoming"
mkdir "$incoming"
trap 'rm -rf "$incoming"' EXIT
tar -xzf "$artifact" -C "$incoming" --no-same-owner
unpacked="$(find "$incoming" -mindepth 1 -maxdepth 1 -type d -name 'storegate-*' | head -n1)"
[ -n "$unpacked" ] || { echo "$artifact holds no storegate-<version>/ directory" >&2; exit 1; }
version="$(node "$unpacked/dist/gateway/src/deploy/verify-main.js" "$unpacked")"
rm -rf "${releases:?}/$version"
mv "$unpacked" "$releases/$version"
release="$releases/$version"

# shellcheck source=deploy/host-setup.sh
. "$release/deploy/host-setup.sh"
sg_setup_user "$root"
sg_setup_dirs "$root"
sg_write_config "$root" "$release"
sg_switch_current "$root" "$version"
if [ -n "$release_keys" ]; then
  install -m 0644 "$release_keys" "$root/etc/storegate-release-keys.pem"
  [ -n "$root" ] || chown root:root /etc/storegate-release-keys.pem
fi

# 5. `storegate` on the PATH, reading /etc/storegate/storegate.yaml by default; the unit.
install -d -m 0755 "$root/usr/local/bin" "$root/etc/systemd/system"
sed "s#@PREFIX@#$root#g" "$release/deploy/storegate-wrapper.sh" >"$root/usr/local/bin/storegate"
chmod 0755 "$root/usr/local/bin/storegate"
install -m 0644 "$release/deploy/storegate.service" "$root/etc/systemd/system/storegate.service"
# The root helper of remote upgrades: the gateway writes a request file, the path unit starts the helper.
install -m 0644 "$release/deploy/storegate-upgrade.service" "$release/deploy/storegate-upgrade.path" \
  "$root/etc/systemd/system/"
echo "installed storegate $version in $release"

if [ -z "$root" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable storegate.service >/dev/null
  systemctl enable --now storegate-upgrade.path >/dev/null
  storegate doctor || true
  if [ "$start" = 1 ]; then
    systemctl restart storegate.service
    echo "started: systemctl status storegate; logs: journalctl -u storegate -f"
  fi
else
  echo "not started (no systemd here): $root/usr/local/bin/storegate start"
fi
