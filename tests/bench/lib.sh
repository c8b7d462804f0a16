# lib.sh — shared by the benchmarks (sourced): a free port, and nginx as a mutual-TLS sink that
# answers every request `204` (the floor any HTTPS receiver costs, and a peer for shippers that
# cannot produce the collector's batch envelope).

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx_sink DIR PKI PORT BODY_BUFFER [SERVER_DIRECTIVE...]: one worker on 127.0.0.1:PORT with
# PKI's server certificate, client certificates required from PKI's CA; runs in the
# background (pid in NGINX_PID, its worker in NGINX_WORKER).
nginx_sink() {
    local dir=$1 pki=$2 p=$3 body=$4 extra
    shift 4
    extra=$(printf '        %s\n' "$@")
    mkdir -p "$dir/logs"
    cat >"$dir/nginx.conf" <<NGX
worker_processes 1;
daemon off;
error_log $dir/logs/error.log;
pid $dir/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    client_max_body_size 16m;
    client_body_buffer_size $body;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$p ssl;
        server_name localhost;
        ssl_certificate $pki/server.crt;
        ssl_certificate_key $pki/server.key;
        ssl_client_certificate $pki/ca.crt;
        ssl_verify_client on;
$extra
        location / { return 204; }
    }
}
NGX
    nginx -p "$dir" -c "$dir/nginx.conf" &
    NGINX_PID=$!
    sleep 1
    NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -n1)
}

# agents COLLECTOR PKI N: N agent certificates bench-ag-00 .. (bench-ag-000 .. past 100; the
# collector takes one batch at a time per certificate, as an agent sends them); sets `auth` to
# wfpw-loadgen's options for them (connection i uses bench-ag-i) and AGENT_FMT.
agents() {
    local c=$1 pki=$2 n=$3 i
    AGENT_FMT=%02d; [[ $n -gt 100 ]] && AGENT_FMT=%03d   # names of one length (the batch template)
    for ((i = 0; i < n; i++)); do
        "$c" pki issue --dir "$pki" --name "$(printf "bench-ag-$AGENT_FMT" "$i")" >/dev/null
    done
    auth=(--cacert "$pki/ca.crt" --cert "$pki/agents/bench-ag-$AGENT_FMT.crt" --key "$pki/agents/bench-ag-$AGENT_FMT.key"
          --agent "bench-ag-$AGENT_FMT")
}

# collector_bench_setup: the release build (WFPW_BUILD, default build/release) configured and
# built; C = the collector, L = wfpw-loadgen, t = a temporary directory, pids = processes to kill;
# all removed at exit. Needs root set by the caller.
collector_bench_setup() {
    build=${WFPW_BUILD:-$root/build/release}
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j"$(nproc)" >/dev/null
    C=$build/collector/wfpwatch-collector
    L=$build/tests/bench/wfpw-loadgen
    t=$(mktemp -d /tmp/wfpw-bench.XXXXXX)
    pids=()
    trap 'kill ${pids[@]:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$t"' EXIT
}
