#!/usr/bin/env bash
# A private OCI registry on loopback for tests, CI and the README: Debian's docker-registry.
#
#   hack/registry.sh start DIR [--auth USER:PASSWORD] [--port PORT]
#       Generates DIR/config.yml (storage under DIR/data, http on 127.0.0.1, a free port unless
#       --port), starts /usr/bin/docker-registry logging to DIR/registry.log (access log included),
#       writes DIR/pid and DIR/addr, prints the address (127.0.0.1:PORT) once it answers.
#       --auth enables htpasswd basic auth with that one user.
#   hack/registry.sh push DIR OCI_LAYOUT NAME:TAG [--creds USER:PASSWORD]
#       Copies an OCI layout into the registry with skopeo (plain HTTP).
#   hack/registry.sh stop DIR
#       Stops the registry started in DIR (only that pid) and waits for it to exit.
set -euo pipefail

die() { echo "registry.sh: $*" >&2; exit 1; }
usage() { sed -n '2,14p' "$0" >&2; exit 2; }
REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}

# The TCP port the process PID listens on, or nothing yet.
listening_port() {
  ss -ltnpH 2>/dev/null | awk -v pid="pid=$1," '$0 ~ pid { n = split($4, a, ":"); print a[n]; exit }'
}

cmd_start() {
  local dir=$1; shift
  local auth='' port=0
  while [ $# -gt 0 ]; do
    case $1 in
      --auth) auth=$2; shift 2 ;;
      --port) port=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [ -x "$REGISTRY_BIN" ] || die "$REGISTRY_BIN missing: apt-get install docker-registry"
  mkdir -p "$dir/data"
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then die "a registry already runs from $dir (pid $(cat "$dir/pid"))"; fi
  local auth_yaml=''
  if [ -n "$auth" ]; then
    htpasswd -Bbn "${auth%%:*}" "${auth#*:}" > "$dir/htpasswd"
    auth_yaml="auth:
  htpasswd:
    realm: podagent-test
    path: $dir/htpasswd"
  fi
  cat > "$dir/config.yml" <<Y
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
$auth_yaml
Y
  # setsid: the registry must not die with the caller's terminal or process group.
  setsid "$REGISTRY_BIN" serve "$dir/config.yml" >> "$dir/registry.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$dir/pid"
  local p='' i
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || die "docker-registry exited at start; see $dir/registry.log: $(tail -3 "$dir/registry.log")"
    p=$(listening_port "$pid")
    if [ -n "$p" ] && curl -s -o /dev/null "http://127.0.0.1:$p/v2/"; then break; fi
    p=''
    sleep 0.1
  done
  [ -n "$p" ] || { kill "$pid"; die "docker-registry did not listen within 10s; see $dir/registry.log"; }
  echo "127.0.0.1:$p" > "$dir/addr"
  echo "127.0.0.1:$p"
}

cmd_push() {
  [ $# -ge 3 ] || usage
  local dir=$1 layout=$2 name=$3; shift 3
  local creds=()
  if [ "${1:-}" = --creds ]; then creds=(--dest-creds "$2"); fi
  [ -f "$dir/addr" ] || die "no registry started in $dir"
  [ -f "$layout/index.json" ] || die "$layout is not an OCI layout (no index.json)"
  skopeo --insecure-policy copy -q --dest-tls-verify=false "${creds[@]+"${creds[@]}"}" \
    "oci:$layout" "docker://$(cat "$dir/addr")/$name"
}

cmd_stop() {
  local dir=$1
  [ -f "$dir/pid" ] || return 0
  local pid
  pid=$(cat "$dir/pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$dir/pid"
}

[ $# -ge 2 ] || usage
action=$1; shift
case $action in
  start) cmd_start "$@" ;;
  push) cmd_push "$@" ;;
  stop) cmd_stop "$1" ;;
  *) usage ;;
esac
