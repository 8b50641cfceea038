# Sourced by the scan benchmarks: starts a batch of local TLS servers of known
# configuration on 127.0.0.1 and writes $W/batch.tsv: name, port, expected
# answer per version (ssl3 tls1.0 tls1.1 tls1.2 tls1.3 as a/r). Every server
# is started here and stopped by PID (stop_batch).
SEC0='DEFAULT:@SECLEVEL=0'
BATCH_PIDS=()

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_port() {
  local i=0
  while [ $i -lt 200 ]; do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; i=$((i + 1)); done
  echo "nothing listens on $1" >&2; return 1
}

start_batch() {
  mkdir -p "$W/nginx-tmp"
  [ -f "$W/rsa.crt" ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/rsa.key" -out "$W/rsa.crt" \
    -days 30 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
  : > "$W/batch.tsv"
  local S=(openssl s_server -cert "$W/rsa.crt" -key "$W/rsa.key" -quiet -naccept 100000000)
  srv() {  # name expected cmd...
    local name=$1 want=$2 port; shift 2
    port=$(free_port)
    "${@//PORT/$port}" </dev/null >/dev/null 2>&1 &
    BATCH_PIDS+=($!)
    printf '%s\t%s\t%s\n' "$name" "$port" "$want" >> "$W/batch.tsv"
  }
  srv s_tls10        "r a r r r" "${S[@]}" -accept 127.0.0.1:PORT -tls1 -cipher "$SEC0"
  srv s_tls11        "r r a r r" "${S[@]}" -accept 127.0.0.1:PORT -tls1_1 -cipher "$SEC0"
  srv s_tls10-11     "r a a r r" "${S[@]}" -accept 127.0.0.1:PORT -no_tls1_2 -no_tls1_3 -cipher "$SEC0"
  srv s_tls10-12     "r a a a r" "${S[@]}" -accept 127.0.0.1:PORT -no_tls1_3 -cipher "$SEC0"
  srv s_tls11-12     "r r a a r" "${S[@]}" -accept 127.0.0.1:PORT -no_tls1 -no_tls1_3 -cipher "$SEC0"
  srv s_tls12        "r r r a r" "${S[@]}" -accept 127.0.0.1:PORT -tls1_2
  srv s_tls12-13     "r r r a a" "${S[@]}" -accept 127.0.0.1:PORT -no_tls1 -no_tls1_1
  srv s_tls13        "r r r r a" "${S[@]}" -accept 127.0.0.1:PORT -tls1_3
  srv s_tls10-13     "r a a a a" "${S[@]}" -accept 127.0.0.1:PORT -cipher "$SEC0"
  local G=(gnutls-serv --x509certfile "$W/rsa.crt" --x509keyfile "$W/rsa.key" -p PORT)
  srv gnutls_tls11-12 "r r a a r" "${G[@]}" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1'
  srv gnutls_tls12-13 "r r r a a" "${G[@]}" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2'
  srv gnutls_tls13    "r r r r a" "${G[@]}" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
  local p1 p2 p3
  p1=$(free_port); p2=$(free_port); p3=$(free_port)
  cat > "$W/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $W/nginx-tmp; proxy_temp_path $W/nginx-tmp; fastcgi_temp_path $W/nginx-tmp;
  uwsgi_temp_path $W/nginx-tmp; scgi_temp_path $W/nginx-tmp;
  ssl_certificate $W/rsa.crt;
  ssl_certificate_key $W/rsa.key;
  server { listen 127.0.0.1:$p1 ssl; ssl_protocols TLSv1.2 TLSv1.3; }
  server { listen 127.0.0.1:$p2 ssl; ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; ssl_ciphers $SEC0; }
  server { listen 127.0.0.1:$p3 ssl; ssl_protocols TLSv1.3; }
}
EOF
  nginx -e "$W/nginx-error.log" -c "$W/nginx.conf" -p "$W/" </dev/null >/dev/null 2>&1 &
  BATCH_PIDS+=($!)
  printf 'nginx_tls12-13\t%s\tr r r a a\nnginx_tls10-13\t%s\tr a a a a\nnginx_tls13\t%s\tr r r r a\n' \
    "$p1" "$p2" "$p3" >> "$W/batch.tsv"
  while IFS=$'\t' read -r _ port _; do wait_port "$port" || return 1; done < "$W/batch.tsv"
}

stop_batch() {
  for p in "${BATCH_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${BATCH_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  BATCH_PIDS=()
}
