#!/usr/bin/env bash
# Install Storegate from this checkout onto a Debian/Raspberry Pi OS host as a systemd service.
# Usage: sudo deploy/install.sh   (re-running upgrades in place; config and data are kept)
set -euo pipefail
[ "$(id -u)" = "0" ] || { echo "run as root: sudo $0" >&2; exit 1; }
src="$(cd "$(dirname "$0")/.." && pwd)"

apt-get install -y -qq --no-install-recommends nodejs npm python3 make g++ >/dev/null
id storegate >/dev/null 2>&1 || useradd --system --home /var/lib/storegate --shell /usr/sbin/nologin storegate
getent group gpio >/dev/null || groupadd --system gpio
install -d -o storegate -g storegate -m 0750 /var/lib/storegate
install -d -m 0755 /etc/storegate /opt/storegate

rsync -a --delete --exclude node_modules --exclude .git --exclude dist "$src/" /opt/storegate/
(cd /opt/storegate && npm ci && npm run build && npm prune --omit=dev)

if [ ! -f /etc/storegate/storegate.yaml ]; then
  sed 's#^data_dir: .*#data_dir: /var/lib/storegate#' /opt/storegate/deploy/storegate.example.yaml > /etc/storegate/storegate.yaml
  echo "wrote /etc/storegate/storegate.yaml: set store.id before starting"
fi
install -m 0644 /opt/storegate/deploy/storegate.service /etc/systemd/system/storegate.service
systemctl daemon-reload
systemctl enable storegate
node /opt/storegate/dist/gateway/src/cli/bin.js --config /etc/storegate/storegate.yaml doctor || true
echo "start with: systemctl start storegate"
