# bench/lib.bash -- helpers shared by the bench/*.sh scripts (sourced, not run).
# shellcheck shell=bash disable=SC2034
# (SC2034: BL_PORT, BL_SERVER_NAME and the like are set here for the scripts that source this)
#
# What lives here: finding the build, temporary directories and cleanup,
# starting and stopping the local servers the benchmarks load (lt-target, or
# an nginx of our own with a throw-away configuration), timing a command's
# process tree with /usr/bin/time, medians, and CPU pinning.
#
# Every server started here listens on 127.0.0.1 only, stops by itself
# (lt-target --max-seconds; nginx is stopped by pid in the EXIT trap), and
# every wait loop is bounded.  Nothing here kills by name.
#
# Named .bash, not .sh, so that `make bench` (which runs bench/*.sh) does not
# run it on its own.

bl_prog=${0##*/}

bl_die() { printf '%s: %s\n' "$bl_prog" "$*" >&2; exit 2; }
bl_say() { printf '%s: %s\n' "$bl_prog" "$*" >&2; }

# bl_build_dir DIR: the build directory to use (the argument, else
# $LT_BUILD, else ../build beside this script); checks lt-run and lt-target.
bl_build_dir() {
	local dir=${1:-${LT_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}}
	[ -x "$dir/bin/lt-run" ] || bl_die "$dir/bin/lt-run: not built (run 'make -j2 all')"
	[ -x "$dir/tests/lt-target" ] || bl_die "$dir/tests/lt-target: not built (run 'make -j2 all')"
	(cd "$dir" && pwd)
}

# bl_tmp_init [KEEP]: make $BL_TMP and arrange for the cleanup at exit.
BL_TMP=
BL_KEEP=0
BL_SERVER_PIDS=
bl_tmp_init() {
	BL_KEEP=${1:-0}
	BL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lt-bench.XXXXXX") || bl_die "cannot make a temporary directory"
	trap bl_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

bl_cleanup() {
	local pid
	for pid in $BL_SERVER_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $BL_SERVER_PIDS; do
		bl_wait_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null
	done
	BL_SERVER_PIDS=
	if [ -n "$BL_TMP" ]; then
		if [ "$BL_KEEP" = 1 ]; then
			bl_say "kept $BL_TMP"
		else
			rm -rf "$BL_TMP"
		fi
	fi
}

# bl_wait_gone PID TENTHS: wait at most TENTHS/10 s for PID to exit.
bl_wait_gone() {
	local i=0
	while kill -0 "$1" 2>/dev/null; do
		[ "$i" -ge "$2" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

# bl_port_open PORT: true when something accepts on 127.0.0.1:PORT.
bl_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# bl_raise_nofile WANT: raise the open-files limit of this shell (and so of
# everything it starts) to WANT, or to the hard limit if that is lower.
# Prints the limit in force.
bl_raise_nofile() {
	local want=$1 hard
	ulimit -n "$want" 2>/dev/null || {
		hard=$(ulimit -Hn)
		[ "$hard" = unlimited ] && hard=$want
		[ "$hard" -gt "$want" ] && hard=$want
		ulimit -n "$hard" 2>/dev/null
	}
	ulimit -n
}

# bl_pin CPU: the command prefix that pins to CPU (empty when pinning is off
# or taskset is missing).  $BL_PIN=0 turns pinning off.
BL_PIN=1
bl_pin() {
	if [ "$BL_PIN" = 1 ] && command -v taskset >/dev/null 2>&1; then
		printf 'taskset -c %s' "$1"
	fi
}

# bl_start_lt_target BUILD THREADS MAX_SECONDS [CPU]: start lt-target, set
# BL_PORT and BL_SERVER_PID.
bl_start_lt_target() {
	local build=$1 threads=$2 max=$3 cpu=${4:-} pf="$BL_TMP/lt-target.port" i=0
	rm -f "$pf"
	# shellcheck disable=SC2046
	$( [ -n "$cpu" ] && bl_pin "$cpu") "$build/tests/lt-target" --port-file "$pf" \
		--threads "$threads" --max-seconds "$max" >/dev/null 2>"$BL_TMP/lt-target.err" &
	BL_SERVER_PID=$!
	BL_SERVER_PIDS="$BL_SERVER_PIDS $BL_SERVER_PID"
	while [ ! -s "$pf" ]; do
		kill -0 "$BL_SERVER_PID" 2>/dev/null || bl_die "lt-target did not start: $(cat "$BL_TMP/lt-target.err")"
		[ "$i" -ge 100 ] && bl_die "lt-target did not write its port within 10 s"
		sleep 0.1
		i=$((i + 1))
	done
	BL_PORT=$(cat "$pf")
	BL_SERVER_NAME="lt-target ($threads thread$([ "$threads" = 1 ] || echo s))"
}

# bl_start_nginx CPU: start an nginx of our own (one worker, access log off,
# `return 200 "ok"` on /) on a free port of 127.0.0.1; set BL_PORT and
# BL_SERVER_PID.  Ports are tried below the kernel's ephemeral range so that
# the clients' own sockets cannot take ours.  Returns 1 if nginx is missing.
bl_start_nginx() {
	local cpu=$1 dir="$BL_TMP/nginx" port try i nofile
	command -v nginx >/dev/null 2>&1 || return 1
	mkdir -p "$dir" || return 1
	nofile=$(ulimit -n)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM % 12000)))
		bl_port_open "$port" && continue
		cat > "$dir/nginx.conf" <<-EOF
		worker_processes 1;
		daemon off;
		pid $dir/nginx.pid;
		error_log $dir/error.log warn;
		worker_rlimit_nofile $nofile;
		events { worker_connections $((nofile > 16384 ? 16384 : nofile - 16)); use epoll; }
		http {
		  access_log off;
		  # keep every connection for the whole run, as a benchmark server should
		  keepalive_requests 1000000000;
		  keepalive_timeout 600s;
		  client_body_temp_path $dir/tmp-body;
		  proxy_temp_path $dir/tmp-proxy;
		  fastcgi_temp_path $dir/tmp-fastcgi;
		  uwsgi_temp_path $dir/tmp-uwsgi;
		  scgi_temp_path $dir/tmp-scgi;
		  server {
		    listen 127.0.0.1:$port backlog=4096;
		    location / { default_type text/plain; return 200 "ok"; }
		  }
		}
		EOF
		# shellcheck disable=SC2046
		$(bl_pin "$cpu") nginx -p "$dir" -c "$dir/nginx.conf" >/dev/null 2>>"$dir/error.log" &
		BL_SERVER_PID=$!
		i=0
		while [ "$i" -lt 50 ]; do
			kill -0 "$BL_SERVER_PID" 2>/dev/null || break
			if bl_port_open "$port"; then
				BL_SERVER_PIDS="$BL_SERVER_PIDS $BL_SERVER_PID"
				BL_PORT=$port
				BL_SERVER_NAME="nginx $(nginx -v 2>&1 | sed 's|.*nginx/||') (1 worker)"
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		kill -TERM "$BL_SERVER_PID" 2>/dev/null
		bl_wait_gone "$BL_SERVER_PID" 30 || kill -KILL "$BL_SERVER_PID" 2>/dev/null
	done
	bl_say "nginx did not start: $(tail -n 3 "$dir/error.log")"
	return 1
}

# bl_tree_ticks PID: user+sys clock ticks of PID and its direct children
# (nginx's master and workers), from /proc.
bl_tree_ticks() {
	local pid total=0 t
	for pid in "$1" $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		# fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends
		# the command name (which may hold spaces)
		t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		total=$((total + ${t:-0}))
	done
	echo "$total"
}

# bl_host_busy_ticks: clock ticks that all CPUs together have spent busy
# since boot (user, nice, system, irq, softirq, steal), from /proc/stat.
bl_host_busy_ticks() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# bl_wait_quiet MAX_S PCT: wait, at most MAX_S seconds, for a second in which
# the host's CPUs were less than PCT % busy (other engineers' builds and
# tests share this machine).  Prints the busy % of the last second seen;
# returns 1 if the host never went quiet.
bl_wait_quiet() {
	local max=$1 pct=$2 waited=0 b0 b1 busy ncpu clk
	ncpu=$(nproc)
	clk=$(getconf CLK_TCK)
	while :; do
		b0=$(bl_host_busy_ticks)
		sleep 1
		b1=$(bl_host_busy_ticks)
		busy=$(awk -v d=$((b1 - b0)) -v c="$clk" -v n="$ncpu" 'BEGIN { printf "%.0f", 100 * d / c / n }')
		waited=$((waited + 1))
		[ "$busy" -lt "$pct" ] && { echo "$busy"; return 0; }
		[ "$waited" -ge "$max" ] && { echo "$busy"; return 1; }
	done
}

# bl_timed TIMEFILE OUTFILE CMD...: run CMD with stdout and stderr to
# OUTFILE; TIMEFILE gets "wall_s user_s sys_s maxrss_kb exit" of CMD's whole
# process tree (getrusage of the waited-for descendants, via /usr/bin/time).
bl_timed() {
	local tf=$1 of=$2
	shift 2
	/usr/bin/time -o "$tf" -f '%e %U %S %M %x' "$@" >"$of" 2>&1
}

# bl_median: the median of the numbers on stdin (mean of the middle two for
# an even count); prints nothing for no input.
bl_median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit
		if (NR % 2) printf "%.6g\n", v[(NR + 1) / 2]
		else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bl_load: the 1, 5 and 15 minute load averages, as uptime(1) shows them.
bl_load() { awk '{ print "load " $1 ", " $2 ", " $3 }' /proc/loadavg; }

bl_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || bl_die "needs $c"
	done
}
