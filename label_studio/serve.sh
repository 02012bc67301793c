#!/usr/bin/env bash
# Install, start, stop and check the local Label Studio server that annotators work in.
#
# Label Studio pins its own Django and caps pyarrow, so it lives in its own venv, never in
# the project's. The server is bound to 127.0.0.1, started with a clean environment (it
# reads bare HOST, PORT, USERNAME, PASSWORD, DEBUG), and keeps everything it writes
# (database, media, caches, pid, log, credentials) in the data dir, never in ~.
#
# Usage: label_studio/serve.sh start|stop|status [--data-dir DIR] [--port N] [--venv DIR]
#
# Environment (all optional):
#   CURATE_LS_PASSWORD, CURATE_LS_TOKEN  admin password / API token on first start
#                                         (otherwise generated, stored in credentials.json)
#   CURATE_LS_DATABASE_URL                postgresql://user:pass@host:port/db (default: SQLite)
#   CURATE_LS_START_TIMEOUT               seconds to wait for the server to answer (180)
#   CURATE_LS_PYTHON                      interpreter for a new venv (3.11)
set -euo pipefail

readonly LS_VERSION="1.23.2"
readonly ADMIN="curate@localhost"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO

die() {
    echo "serve.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: label_studio/serve.sh start|stop|status [--data-dir DIR] [--port N] [--venv DIR]" >&2
    exit 2
}

# --- arguments ------------------------------------------------------------------------
[[ $# -ge 1 ]] || usage
CMD="$1"
shift
DATA_DIR="$REPO/workspace/label-studio"
VENV="$REPO/.venv-label-studio"
PORT=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --data-dir) [[ $# -ge 2 ]] || usage; DATA_DIR="$2"; shift 2 ;;
        --port) [[ $# -ge 2 ]] || usage; PORT="$2"; shift 2 ;;
        --venv) [[ $# -ge 2 ]] || usage; VENV="$2"; shift 2 ;;
        -h | --help) usage ;;
        *) echo "serve.sh: unknown argument: $1" >&2; usage ;;
    esac
done
case "$CMD" in start | stop | status) ;; *) usage ;; esac
if [[ -n "$PORT" ]] && ! [[ "$PORT" =~ ^[0-9]+$ && "$PORT" -ge 1 && "$PORT" -le 65535 ]]; then
    die "--port must be a number from 1 to 65535, got '$PORT'"
fi

mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
mkdir -p "$(dirname "$VENV")"
VENV="$(cd "$(dirname "$VENV")" && pwd)/$(basename "$VENV")"
readonly PID_FILE="$DATA_DIR/server.pid"
readonly LOG_FILE="$DATA_DIR/server.log"
readonly SERVER_JSON="$DATA_DIR/server.json"
readonly CREDENTIALS="$DATA_DIR/credentials.json"
readonly VENV_MARKER="$VENV/.curate-label-studio-version"
readonly LS_PY="$VENV/bin/python"

# --- process state --------------------------------------------------------------------
# Prints the pid of our running server, if any: the pid file must name a live process
# whose command line is label-studio (guards against a reused pid).
server_pid() {
    local pid
    [[ -f "$PID_FILE" ]] || return 1
    pid="$(<"$PID_FILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "label-studio start" || return 1
    echo "$pid"
}

# The port recorded at the last successful start (server.json is written by us only).
recorded_port() {
    [[ -f "$SERVER_JSON" ]] || return 1
    sed -n 's/.*"port": *\([0-9][0-9]*\).*/\1/p' "$SERVER_JSON" | head -n 1
}

# Prints the HTTP status of GET 127.0.0.1:$1$2 (bash's /dev/tcp: no curl needed); an
# optional $3 is sent as the Authorization header.
http_status() {
    local line=""
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n%s\r\n' "$2" "$1" \
        "${3:+Authorization: $3$'\r\n'}" >&3
    IFS= read -r -t 5 line <&3 2>/dev/null || true
    while IFS= read -r -t 5 _ <&3 2>/dev/null; do :; done # drain: no broken pipe in its log
    exec 3>&- 3<&-
    line="${line#HTTP/* }"
    echo "${line%% *}"
}

healthy() {
    [[ "$(http_status "$1" /health)" == 200 ]]
}

# --- venv -----------------------------------------------------------------------------
find_uv() {
    if [[ -x "$REPO/.venv/bin/uv" ]]; then
        echo "$REPO/.venv/bin/uv"
    elif command -v uv >/dev/null 2>&1; then
        command -v uv
    else
        return 1
    fi
}

readonly CONSTRAINTS="$REPO/label_studio/constraints.txt"

# What a complete venv was built from: the version and the constraints it kept.
venv_stamp() {
    echo "$LS_VERSION+$(sha256sum "$CONSTRAINTS" | cut -c1-12)"
}

# Creates the Label Studio venv unless a complete one (marker written last) is there.
ensure_venv() {
    [[ -f "$VENV_MARKER" && "$(<"$VENV_MARKER")" == "$(venv_stamp)" && -x "$VENV/bin/label-studio" ]] &&
        return 0
    local uv py="${CURATE_LS_PYTHON:-3.11}" started=$SECONDS
    if [[ -e "$VENV" ]]; then
        [[ -f "$VENV/pyvenv.cfg" ]] || die "$VENV exists and is not a venv; pass another --venv"
        echo "Replacing incomplete Label Studio venv at $VENV"
        rm -rf "$VENV"
    fi
    echo "Installing label-studio==$LS_VERSION into $VENV (once) ..."
    # uv's cache: the caller's, else a throwaway one in the data dir (never ~), removed
    # after the install since the venv holds copies.
    local own_cache=""
    if [[ -z "${UV_CACHE_DIR:-}" ]]; then
        own_cache="$DATA_DIR/cache/uv"
        export UV_CACHE_DIR="$own_cache"
    fi
    if uv="$(find_uv)"; then
        "$uv" venv -q -p "$py" "$VENV" >>"$LOG_FILE" 2>&1 ||
            die "could not create venv $VENV with Python $py (see $LOG_FILE)"
        # Copies, not hardlinks into uv's cache: Label Studio rewrites files in its own
        # site-packages (core/version_.py) and would change the cached copies too.
        "$uv" pip install -q --link-mode=copy --python "$LS_PY" -c "$CONSTRAINTS" \
            "label-studio==$LS_VERSION" \
            >>"$LOG_FILE" 2>&1 ||
            die "could not install label-studio==$LS_VERSION (see $LOG_FILE)"
    else
        local pybin
        pybin="$(command -v "python$py" || command -v python3)" || die "no uv and no python3 found"
        "$pybin" -m venv "$VENV" >>"$LOG_FILE" 2>&1 || die "could not create venv $VENV"
        PIP_CACHE_DIR="$DATA_DIR/cache/pip" "$LS_PY" -m pip install -q -c "$CONSTRAINTS" \
            "label-studio==$LS_VERSION" \
            >>"$LOG_FILE" 2>&1 || die "could not install label-studio==$LS_VERSION (see $LOG_FILE)"
    fi
    # Only an import: any label-studio command, even --help, sets up a data dir in ~.
    "$LS_PY" -c 'import sys, django, label_studio; sys.exit(label_studio.__version__ != sys.argv[1])' \
        "$LS_VERSION" >>"$LOG_FILE" 2>&1 || die "label-studio does not import from $VENV (see $LOG_FILE)"
    venv_stamp >"$VENV_MARKER"
    [[ -z "$own_cache" ]] || rm -rf "$own_cache"
    echo "Installed in $((SECONDS - started)) s."
}

# --- helpers run by the venv's Python (JSON, ports, secrets) --------------------------
py() {
    "$LS_PY" -c "$1" "${@:2}"
}

port_free() {
    py 'import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

# True when process $1 itself holds a listening TCP socket on 127.0.0.1:$2.
pid_listens_on() {
    py 'import os, sys
pid, port = sys.argv[1], int(sys.argv[2])
inodes = set()
for fd in os.listdir(f"/proc/{pid}/fd"):
    try:
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        continue
    if target.startswith("socket:["):
        inodes.add(target[8:-1])
for line in open("/proc/net/tcp").readlines()[1:]:
    f = line.split()
    if f[1] == f"0100007F:{port:04X}" and f[3] == "0A" and f[9] in inodes:
        sys.exit(0)
sys.exit(1)' "$1" "$2"
}

# Reads password and token from credentials.json, else from the environment, else
# generates them; writes credentials.json (mode 600) when it is new. Prints nothing.
load_credentials() {
    if [[ -f "$CREDENTIALS" ]]; then
        LS_PASSWORD="$(py 'import json, sys; print(json.load(open(sys.argv[1]))["password"])' "$CREDENTIALS")"
        LS_TOKEN="$(py 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$CREDENTIALS")"
        if [[ -n "${CURATE_LS_PASSWORD:-}" && "$CURATE_LS_PASSWORD" != "$LS_PASSWORD" ]] ||
            [[ -n "${CURATE_LS_TOKEN:-}" && "$CURATE_LS_TOKEN" != "$LS_TOKEN" ]]; then
            echo "Note: CURATE_LS_PASSWORD/CURATE_LS_TOKEN ignored: the admin already exists;" \
                "its credentials are in $CREDENTIALS" >&2
        fi
        return 0
    fi
    if [[ -f "$DATA_DIR/label_studio.sqlite3" ]]; then
        die "$DATA_DIR has a Label Studio database but no credentials.json; restore it or use a new data dir"
    fi
    LS_PASSWORD="${CURATE_LS_PASSWORD:-$(py 'import secrets; print(secrets.token_urlsafe(18))')}"
    LS_TOKEN="${CURATE_LS_TOKEN:-$(py 'import secrets; print(secrets.token_hex(20))')}"
    # Label Studio ignores tokens of 5 characters or fewer; its key column holds 40.
    [[ "$LS_TOKEN" =~ ^[A-Za-z0-9_-]{6,40}$ ]] ||
        die "CURATE_LS_TOKEN must be 6 to 40 characters of A-Z a-z 0-9 _ -"
    [[ ${#LS_PASSWORD} -ge 8 ]] || die "CURATE_LS_PASSWORD must have at least 8 characters"
    (
        umask 077
        LS_PASSWORD="$LS_PASSWORD" LS_TOKEN="$LS_TOKEN" py 'import json, os, sys
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    json.dump({"username": sys.argv[2], "email": sys.argv[2],
               "password": os.environ["LS_PASSWORD"], "token": os.environ["LS_TOKEN"]}, f, indent=2)
os.chmod(tmp, 0o600)
os.replace(tmp, sys.argv[1])' "$CREDENTIALS" "$ADMIN"
    )
}

# Maps CURATE_LS_DATABASE_URL onto Label Studio's POSTGRE_* variables (one per line).
postgres_env() {
    py 'import sys
from urllib.parse import unquote, urlsplit
u = urlsplit(sys.argv[1])
if u.scheme not in ("postgresql", "postgres") or not u.hostname or not u.path.strip("/"):
    sys.exit("CURATE_LS_DATABASE_URL must look like postgresql://user:pass@host:port/db")
print("DJANGO_DB=default")
print("POSTGRE_NAME=" + unquote(u.path.strip("/")))
print("POSTGRE_USER=" + unquote(u.username or ""))
print("POSTGRE_PASSWORD=" + unquote(u.password or ""))
print("POSTGRE_HOST=" + u.hostname)
print("POSTGRE_PORT=" + str(u.port or 5432))' "$1"
}

login_hint() {
    echo "Log in as $ADMIN; the password is in $CREDENTIALS (mode 600)."
}

# --- commands -------------------------------------------------------------------------
cmd_status() {
    local pid port
    port="$(recorded_port || true)"
    if pid="$(server_pid)"; then
        if [[ -n "$port" ]] && healthy "$port"; then
            echo "Label Studio is running at http://127.0.0.1:$port (pid $pid)."
            return 0
        fi
        echo "Label Studio process $pid is up but not answering${port:+ at http://127.0.0.1:$port} (log: $LOG_FILE)."
        return 1
    fi
    echo "Label Studio is not running (data dir $DATA_DIR)."
    return 3
}

cmd_stop() {
    local pid i
    if ! pid="$(server_pid)"; then
        rm -f "$PID_FILE"
        echo "Label Studio is not running."
        return 0
    fi
    # The server leads its own process group (setsid): signal the group.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "Label Studio (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL." >&2
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
    fi
    rm -f "$PID_FILE"
    echo "Label Studio stopped (pid $pid)."
}

cmd_start() {
    local pid port url timeout="${CURATE_LS_START_TIMEOUT:-180}" started log_offset i db="sqlite"
    local -a db_env=()
    if pid="$(server_pid)"; then
        port="$(recorded_port || true)"
        echo "Label Studio is already running at http://127.0.0.1:$port (pid $pid)."
        [[ -z "$PORT" || "$PORT" == "$port" ]] ||
            echo "Note: --port $PORT ignored; stop the server first to move it." >&2
        login_hint
        return 0
    fi
    rm -f "$PID_FILE" "$SERVER_JSON"
    ensure_venv

    if [[ -n "$PORT" ]]; then
        port_free "$PORT" || die "port $PORT on 127.0.0.1 is in use; pick another with --port"
        port="$PORT"
    else
        port=8080
        until port_free "$port"; do
            port=$((port + 1))
            ((port < 9080)) || die "no free port in 8080-9079; pass --port"
        done
    fi

    if [[ -n "${CURATE_LS_DATABASE_URL:-}" ]]; then
        mapfile -t db_env < <(postgres_env "$CURATE_LS_DATABASE_URL")
        [[ ${#db_env[@]} -eq 6 ]] || die "bad CURATE_LS_DATABASE_URL"
        db="postgresql"
    fi
    load_credentials

    mkdir -p "$DATA_DIR"/{cache,config,share,state}
    {
        echo
        echo "=== serve.sh start $(date -u +%Y-%m-%dT%H:%M:%SZ) port $port database $db"
    } >>"$LOG_FILE"
    started=$SECONDS
    log_offset="$(stat -c %s "$LOG_FILE")"
    # setsid: the server leads its own process group, so stop can signal all of it.
    # 9>&-: the server must not inherit the start lock. Secrets go through the
    # environment (LABEL_STUDIO_*), never the command line that `ps` shows.
    # Accounts are made only through the organization's invite link (Organization ->
    # Add People), which the curator hands to each annotator: nobody signs up unasked.
    # Label Studio runs git in its package dir and shows (and caches in version_.py) the
    # commit it finds in /api/version: the ceiling keeps it out of a repo around the venv.
    # shellcheck disable=SC2016 # expanded by the inner bash
    setsid bash -c 'cd "$1" && echo $$ >"$2" && shift 2 && exec "$@"' _ "$DATA_DIR" "$PID_FILE" \
        env -i \
        PATH="$VENV/bin:/usr/local/bin:/usr/bin:/bin" \
        LANG=C.UTF-8 \
        LC_ALL=C.UTF-8 \
        PYTHONUNBUFFERED=1 \
        GIT_CEILING_DIRECTORIES="$VENV" \
        XDG_CACHE_HOME="$DATA_DIR/cache" \
        XDG_CONFIG_HOME="$DATA_DIR/config" \
        XDG_DATA_HOME="$DATA_DIR/share" \
        XDG_STATE_HOME="$DATA_DIR/state" \
        LABEL_STUDIO_BASE_DATA_DIR="$DATA_DIR" \
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
        LABEL_STUDIO_LATEST_VERSION_CHECK=false \
        LABEL_STUDIO_COLLECT_ANALYTICS=false \
        LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=true \
        LABEL_STUDIO_USERNAME="$ADMIN" \
        LABEL_STUDIO_PASSWORD="$LS_PASSWORD" \
        LABEL_STUDIO_USER_TOKEN="$LS_TOKEN" \
        "${db_env[@]}" \
        "$VENV/bin/label-studio" start --no-browser --internal-host 127.0.0.1 --port "$port" \
        --data-dir "$DATA_DIR" --username "$ADMIN" --enable-legacy-api-token \
        </dev/null >>"$LOG_FILE" 2>&1 9>&- &
    for ((i = 0; i < 50; i++)); do
        [[ -s "$PID_FILE" ]] && break
        sleep 0.1
    done
    pid="$(<"$PID_FILE")"

    url="http://127.0.0.1:$port"
    while true; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE"
            tail -n 15 "$LOG_FILE" >&2
            die "Label Studio exited during start-up (log: $LOG_FILE)"
        fi
        # It silently moves to another port when its own is taken (e.g. on [::1]).
        if tail -c "+$((log_offset + 1))" "$LOG_FILE" | grep -q "Port $port is in use"; then
            cmd_stop >/dev/null
            die "port $port was taken while Label Studio started; pick another with --port (log: $LOG_FILE)"
        fi
        healthy "$port" && break
        if ((SECONDS - started >= timeout)); then
            cmd_stop >/dev/null
            die "Label Studio did not answer at $url within $timeout s (log: $LOG_FILE)"
        fi
        sleep 1
    done
    # Make sure the answer came from our process on our port.
    if ! pid_listens_on "$pid" "$port"; then
        cmd_stop >/dev/null
        die "port $port answered but not from Label Studio pid $pid (it moved ports?); log: $LOG_FILE"
    fi

    # The organization must accept legacy tokens, and the token must be the stored one.
    if [[ "$(http_status "$port" /api/current-user/whoami "Token $LS_TOKEN")" != 200 ]]; then
        cmd_stop >/dev/null
        die "the API token in $CREDENTIALS is rejected (was this data dir made without legacy" \
            "tokens, or credentials.json replaced?); log: $LOG_FILE"
    fi

    py 'import json, os, sys, time
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    json.dump({"url": sys.argv[2], "port": int(sys.argv[3]), "pid": int(sys.argv[4]),
               "data_dir": sys.argv[5], "venv": sys.argv[6], "log": sys.argv[7],
               "database": sys.argv[8], "version": sys.argv[9],
               "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, f, indent=2)
os.replace(tmp, sys.argv[1])' \
        "$SERVER_JSON" "$url" "$port" "$pid" "$DATA_DIR" "$VENV" "$LOG_FILE" "$db" "$LS_VERSION"
    echo "Label Studio $LS_VERSION is running at $url (pid $pid, started in $((SECONDS - started)) s)."
    login_hint
    echo "API token: in the same file. Log: $LOG_FILE. Stop: label_studio/serve.sh stop --data-dir $DATA_DIR"
}

case "$CMD" in
    status) cmd_status ;;
    *)
        # One start or stop at a time per data dir (status does not wait for it).
        exec 9>"$DATA_DIR/.serve.lock"
        flock 9
        "cmd_$CMD"
        ;;
esac
