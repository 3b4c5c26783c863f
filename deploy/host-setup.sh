# Host setup shared by deploy/install.sh and the .deb's postinst (sourced, POSIX sh). PREFIX is "" for the real
# system, or a directory for an install into a temporary root (tests), where users and ownership are skipped.

# The service user, and the gpio group the unit's SupplementaryGroups names (absent on plain Debian).
sg_setup_user() {
  [ -z "$1" ] || return 0
  getent group gpio >/dev/null || groupadd --system gpio
  if ! id storegate >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/storegate --no-create-home --shell /usr/sbin/nologin \
      --user-group storegate
  fi
  usermod -a -G dialout,gpio storegate
}

# Config and data are owner-only: the registry holds device credentials, the config cloud passwords.
sg_setup_dirs() {
  prefix="$1"
  install -d -m 0755 "$prefix/opt/storegate" "$prefix/opt/storegate/releases"
  install -d -m 0700 "$prefix/etc/storegate" "$prefix/var/lib/storegate" "$prefix/var/lib/storegate/incoming"
  if [ -z "$prefix" ]; then
    chown storegate:storegate /etc/storegate /var/lib/storegate /var/lib/storegate/incoming
  fi
}

# Write the config once, from the release's example: data_dir set, the example-only sections (devices, lanes,
# OPC UA endpoints this store may not have) commented out, mode 0600. An existing config is never touched.
sg_write_config() {
  prefix="$1"
  release="$2"
  config="$prefix/etc/storegate/storegate.yaml"
  [ -f "$config" ] && return 0
  (
    umask 077
    awk -v data_dir="$prefix/var/lib/storegate" '
      /^[A-Za-z_]+:/ { skipping = ($0 ~ /# example-only/) }
      /^data_dir:/ { print "data_dir: " data_dir; next }
      skipping && !/^[[:space:]]*(#|$)/ { print "# " $0; next }
      { print }
    ' "$release/deploy/storegate.example.yaml" >"$config.new"
  )
  chmod 0600 "$config.new"
  [ -n "$prefix" ] || chown storegate:storegate "$config.new"
  mv "$config.new" "$config"
  echo "wrote $config (mode 0600): set store.id and add your devices, lanes and cloud before starting"
}

# Point current at a release atomically (a symlink renamed over the old one).
sg_switch_current() {
  prefix="$1"
  version="$2"
  ln -sfn "releases/$version" "$prefix/opt/storegate/current.new"
  mv -T "$prefix/opt/storegate/current.new" "$prefix/opt/storegate/current"
}
