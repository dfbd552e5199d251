#!/usr/bin/env bash
# Runs a command inside a network namespace of its own, then deletes the namespace.
#
# Two Chromium instances on one machine offer WebRTC host candidates on the machine's
# outward interface, so a browser test would send its WebRTC traffic there. Inside this
# namespace the only interfaces are loopback and a veth pair whose two ends both stay in
# the namespace, so every packet stays among the test's own processes. The default route
# points at the other veth end only so that Chromium finds a "default" local address to
# gather candidates on; IP forwarding is off in a new namespace, so nothing leaves it.
#
# Usage: scripts/in-netns.sh COMMAND [ARG...]
#
# The namespace needs root and iproute2. Without either, the command runs in the current
# network namespace and the script prints a notice. Inside a namespace created by this script
# (MESHTEXT_NETNS is set), it runs the command directly. MESHTEXT_NETNS_LINKS names the veth
# pair, so that a test can take the links down to cut the browsers off from each other, and
# MESHTEXT_NETNS_ROUTE is the default route to restore afterwards.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 64
fi

if [[ -n "${MESHTEXT_NETNS:-}" ]]; then
  echo "in-netns: already inside network namespace ${MESHTEXT_NETNS}"
  exec "$@"
fi

if [[ "$(id -u)" -ne 0 ]] || ! command -v ip >/dev/null 2>&1; then
  echo "in-netns: plain mode (needs root and iproute2 for a private network namespace)"
  exec "$@"
fi

namespace="meshtext-$$"
# Interface names may have at most 15 characters, which fits because a process id has at most 7 digits.
veth_a="mtveth$$a"
veth_b="mtveth$$b"
address_a="10.231.0.1"
address_b="10.231.0.2"

delete_namespace() {
  # Deleting the namespace also deletes the veth pair inside it.
  ip netns delete "$namespace" 2>/dev/null || true
}
trap delete_namespace EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! ip netns add "$namespace"; then
  echo "in-netns: could not create network namespace ${namespace}. It needs root with CAP_SYS_ADMIN." >&2
  exit 1
fi
ip -n "$namespace" link set lo up
ip -n "$namespace" link add "$veth_a" type veth peer name "$veth_b"
ip -n "$namespace" address add "${address_a}/24" dev "$veth_a"
ip -n "$namespace" address add "${address_b}/24" dev "$veth_b"
ip -n "$namespace" link set "$veth_a" up
ip -n "$namespace" link set "$veth_b" up
ip -n "$namespace" route add default via "$address_b" dev "$veth_a"

echo "in-netns: network namespace ${namespace} (${veth_a} ${address_a}, ${veth_b} ${address_b})"

# Not exec: the EXIT trap must run after the command to delete the namespace.
status=0
ip netns exec "$namespace" env MESHTEXT_NETNS="$namespace" MESHTEXT_NETNS_LINKS="$veth_a $veth_b" \
  MESHTEXT_NETNS_ROUTE="default via $address_b dev $veth_a" "$@" || status=$?
exit "$status"
