#!/bin/sh
# One step: install Storegate's Grafana datasources and dashboards, then restart Grafana.
#   sudo dashboards/grafana/provision.sh            # into /etc/grafana
#   GRAFANA_DIR=/path dashboards/grafana/provision.sh   # elsewhere (a container volume, a test)
# Edit the datasource URLs in $GRAFANA_DIR/provisioning/datasources/storegate.yaml if Prometheus or InfluxDB
# do not run on this machine.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=${GRAFANA_DIR:-/etc/grafana}
mkdir -p "$target/provisioning/datasources" "$target/provisioning/dashboards" "$target/dashboards/storegate"
cp "$here/provisioning/datasources/storegate.yaml" "$target/provisioning/datasources/storegate.yaml"
# The provider's path follows the target, so a non-default GRAFANA_DIR works as is.
sed "s|/etc/grafana/dashboards/storegate|$target/dashboards/storegate|" \
  "$here/provisioning/dashboards/storegate.yaml" > "$target/provisioning/dashboards/storegate.yaml"
cp "$here"/dashboards/*.json "$target/dashboards/storegate/"
echo "Storegate dashboards installed in $target/dashboards/storegate ($(ls "$here"/dashboards/*.json | wc -l) dashboards)"
if [ -z "${GRAFANA_DIR:-}" ] && command -v systemctl >/dev/null 2>&1; then
  systemctl restart grafana-server && echo "grafana-server restarted" || echo "restart Grafana to load them"
else
  echo "restart Grafana to load them"
fi
