#!/bin/sh
# install.sh - run by the DaemonSet's init container on every node: the
# plugin into /opt/cni/bin and the conflist, with this node's podCIDR as the
# subnet, into /etc/cni/net.d. Both go through a temporary file in the same
# directory and rename(): the runtime sees the old file or the new one,
# never half of one.
set -eu
: "${NODE_NAME:?}" "${NSNET_NETWORK:=nsnet}" "${NSNET_BRIDGE:=nsc0}"
sa=/var/run/secrets/kubernetes.io/serviceaccount
api="https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT}"

cp /nsnet-cni /host/opt/cni/bin/.nsnet-cni.tmp
chmod 0755 /host/opt/cni/bin/.nsnet-cni.tmp
mv -f /host/opt/cni/bin/.nsnet-cni.tmp /host/opt/cni/bin/nsnet-cni

cidr=$(curl -sf --cacert "$sa/ca.crt" -H "Authorization: Bearer $(cat "$sa/token")" \
	"$api/api/v1/nodes/$NODE_NAME" | jq -r '.spec.podCIDR // empty')
[ -n "$cidr" ] || { echo "install.sh: node $NODE_NAME has no spec.podCIDR (start the controller manager with --allocate-node-cidrs)" >&2; exit 1; }

cat > /host/etc/cni/net.d/.10-nsnet.conflist.tmp <<J
{
  "cniVersion": "1.0.0",
  "name": "$NSNET_NETWORK",
  "plugins": [
    {
      "type": "nsnet-cni",
      "bridge": "$NSNET_BRIDGE",
      "subnet": "$cidr",
      "ipMasq": true,
      "hairpinMode": true,
      "capabilities": { "portMappings": true }
    }
  ]
}
J
mv -f /host/etc/cni/net.d/.10-nsnet.conflist.tmp /host/etc/cni/net.d/10-nsnet.conflist
echo "install.sh: nsnet-cni on $NODE_NAME with subnet $cidr"
