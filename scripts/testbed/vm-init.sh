#!/bin/bash
# The "init" of one testbed VM. testbed.sh starts it inside the VM's network namespace and in fresh UTS
# and mount namespaces:  ip netns exec bst-<vm> unshare --uts --mount --propagation private vm-init.sh ...
# It sets the hostname, gives the VM a private /tmp, starts the VM's services (each with a pid file and a
# log in the VM's state dir) and then waits; 'testbed.sh down' stops everything in the namespace.
# Usage: vm-init.sh <vm-name> <role: ssh|xrdp|shadow|weston> <state-dir-of-vm>
set -u
vm=$1 role=$2 dir=$3
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
STATE_DIR=$(dirname "$dir")

# start NAME CMD...: run a service in the background, stdio to NAME.log, pid to NAME.pid
start() {
  local name=$1; shift
  "$@" </dev/null >>"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

# as_user CMD...: run as the test user in its home, like a desktop session would (only under start:
# it execs, replacing the background subshell). setpriv, not runuser: runuser stays as a parent and
# delays its exit by 2 s on SIGTERM, which slowed 'down'.
# shellcheck disable=SC2016  # $HOME and $@ are for the inner sh
as_user() {
  exec setpriv --reuid "$VM_USER" --regid "$VM_USER" --init-groups -- \
    env HOME="/home/$VM_USER" USER="$VM_USER" LOGNAME="$VM_USER" SHELL=/bin/bash \
    sh -c 'cd "$HOME" && exec "$@"' sh "$@"
}

# Wait (bounded) for an X server's socket in our private /tmp.
wait_for_display() {
  local n=$1 _
  for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$n" ] && return 0; sleep 0.05; done
  echo "X display :$n did not appear" >&2; return 1
}

# On TERM take the services down with us.
trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM INT

# Private /tmp, as on a real machine: X sockets and lock files cannot clash with the host's or another
# VM's. The state dir usually lives under /tmp: park it on a mount point outside /tmp, mount the tmpfs,
# then move it back to the same path.
private_tmp() {
  local hold=/run/bastion-testbed/$vm
  mkdir -p "$hold"
  mount --bind "$STATE_DIR" "$hold"
  mount -t tmpfs -o mode=1777,size=256m "tmp-$vm" /tmp
  mkdir -p "$STATE_DIR"
  mount --move "$hold" "$STATE_DIR"
}

# Daemon hygiene: drop every descriptor inherited from whoever ran 'testbed.sh up' (a CI runner's or a
# test runner's pipe held open by the VM would keep that caller waiting for end-of-file forever).
close_inherited_fds() {
  local fd
  for fd in "/proc/$$/fd/"*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] && [ "$fd" != 255 ] && eval "exec $fd>&-"
  done
  return 0
}

close_inherited_fds
cd /
hostname "$vm"
private_tmp || { echo "vm-init: could not set up a private /tmp" >&2; exit 1; }

start sshd /usr/sbin/sshd -D -e -f "$dir/sshd_config"

case $role in
  xrdp)
    # xrdp finds sesman through /etc/xrdp/sesman.ini and keeps sockets/pids in /run/xrdp: private copies.
    mount --bind "$dir/etc-xrdp" /etc/xrdp
    mount --bind "$dir/run-xrdp" /run/xrdp
    mkdir -p /run/xrdp/sockdir && chmod 1777 /run/xrdp/sockdir
    start sesman /usr/sbin/xrdp-sesman --nodaemon
    start xrdp /usr/sbin/xrdp --nodaemon
    ;;
  shadow)
    # A desktop that exists before anyone connects (like a Windows console session), shared over RDP.
    # -noreset: otherwise the server resets when xsetroot (its only client) leaves, losing the colour.
    start xvfb Xvfb :0 -screen 0 1024x768x24 -nolisten tcp -noreset
    wait_for_display 0
    export DISPLAY=:0
    xsetroot -solid "${VM_DESKTOP_COLOR[$vm]}"
    # LC_ALL=C: without xfonts-* twm finds no font *set* for UTF-8 locales and exits; "fixed" is built in.
    start twm as_user env LC_ALL=C twm
    start xterm as_user xterm -geometry 90x25+40+40 -T testbed-xterm \
      -e bash -c "echo \"${VM_BANNER[$vm]} on \$(hostname)\"; exec bash"
    # NLA (CredSSP/NTLM) against the SAM file; +auth also checks the password with PAM.
    start shadow env HOME="$dir/home" freerdp-shadow-cli /port:3389 /sec:nla +auth /sam-file:"$dir/sam"
    ;;
  weston)
    # weston runs as the test user (its session, like a desktop login); this namespace only lets
    # unprivileged processes bind 3389 and up, so it can listen on the RDP port.
    sysctl -qw net.ipv4.ip_unprivileged_port_start=3389
    export XDG_RUNTIME_DIR=/tmp/xdg-$VM_USER
    install -d -m 700 -o "$VM_USER" -g "$VM_USER" "$XDG_RUNTIME_DIR"
    start weston as_user env XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" weston --backend=rdp-backend.so \
      --config="$dir/weston.ini" --port=3389 --width=1024 --height=768 --socket=wayland-0 \
      --rdp-tls-cert="$dir/rdp-cert.pem" --rdp-tls-key="$dir/rdp-key.pem"
    for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/wayland-0" ] && break; sleep 0.05; done
    start terminal as_user env XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" WAYLAND_DISPLAY=wayland-0 \
      weston-terminal --shell="$dir/terminal-shell.sh"
    ;;
esac

# Stay alive as the VM's anchor (wait returns when all services ended).
wait
