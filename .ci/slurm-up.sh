#!/usr/bin/env bash
# slurm-up.sh installs and starts a single-node Slurm on this machine, from Debian's
# packages (slurm-wlm, munge), for the integration tests of expman's Slurm executor:
# EXPMAN_SLURM=1 go test -run Slurm ./runtime/...
#
# Runs as root. Idempotent and quick: what is installed is not installed again, daemons
# that answer are left running, and a second call returns within a second or two. No
# Docker and no systemd: the daemons are started directly and keep running after the
# script ends. The controller and the node are this machine; the node has one partition,
# "debug", the default.
#
# Environment:
#   EXPMAN_SLURM_CPUS  CPUs the node offers (default: the larger of nproc and 4; more than
#                      the machine has is allowed, so that light test tasks run side by
#                      side on a small CI machine)
set -euo pipefail

step() { printf '==> slurm-up: %s\n' "$*"; }
die() { printf 'slurm-up: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and starts daemons)"

host=$(hostname -s)
cpus=${EXPMAN_SLURM_CPUS:-$(( $(nproc) > 4 ? $(nproc) : 4 ))}
# Leave the node some memory of its own; --mem requests are checked against this.
mem_mb=$(( $(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo) - 512 ))
conf=/etc/slurm/slurm.conf

# node_state prints the node's state as sinfo sees it (idle, mixed, down*, ...), or
# nothing when the controller does not answer.
node_state() { sinfo -h -n "$host" -o '%T' 2>/dev/null | head -n1 || true; }

ready() {
	case "$(node_state)" in
	idle | mixed | allocated | completing) return 0 ;;
	esac
	return 1
}

want_conf() {
	cat <<EOF
# Written by expman's .ci/slurm-up.sh: a single-node Slurm for integration tests.
ClusterName=expman
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# Tests: a cancelled or timed-out task gets SIGTERM, then SIGKILL KillWait seconds later.
KillWait=15
# Finished jobs leave squeue after this many seconds.
MinJobAge=120
# The node may offer more CPUs than the machine has (EXPMAN_SLURM_CPUS).
SlurmdParameters=config_overrides
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

if command -v sinfo >/dev/null && [ -f "$conf" ] && [ "$(cat "$conf")" = "$(want_conf)" ] && ready; then
	step "already up: $(sinfo -h -o '%P %a %D %T %c')"
	exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
	step "installing slurm-wlm and munge"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

step "munge"
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
key=/etc/munge/munge.key
if [ ! -s "$key" ]; then
	dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
fi
chown munge:munge "$key"
chmod 0400 "$key"
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
	runuser -u munge -- /usr/sbin/munged
	for _ in $(seq 50); do
		munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
		sleep 0.1
	done
	munge -n | unmunge >/dev/null || die "munged does not answer; see /var/log/munge/munged.log"
fi

step "slurm.conf ($host, $cpus CPUs, ${mem_mb}M)"
install -d -m 0755 /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
changed=false
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$(want_conf)" ]; then
	want_conf >"$conf.tmp"
	mv "$conf.tmp" "$conf"
	changed=true
fi

# running PIDFILE tells whether the daemon whose pid the file holds is alive.
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop PIDFILE ends the daemon whose pid the file holds (one this script started) and
# waits for it to exit.
stop() {
	running "$1" || return 0
	local pid
	pid=$(cat "$1")
	kill "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	die "pid $pid ($1) does not exit"
}

step "slurmctld and slurmd"
# Node changes need both daemons restarted; scontrol reconfigure refuses them.
if $changed; then
	stop /run/slurmd.pid
	stop /run/slurmctld.pid
fi
running /run/slurmctld.pid || /usr/sbin/slurmctld
running /run/slurmd.pid || /usr/sbin/slurmd

for _ in $(seq 100); do
	ready && break
	state=$(node_state)
	# A node that was down (an earlier daemon died) comes back when told.
	case "$state" in
	down* | drain* | fail*) scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;;
	esac
	sleep 0.2
done
ready || die "the node is not ready (state \"$(node_state)\"); see /var/log/slurm/slurmctld.log and slurmd.log"
step "up: $(sinfo -h -o '%P %a %D %T %c')"
