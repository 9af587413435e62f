#!/usr/bin/env bash
# Tests the container image without running a container (these machines cannot: cgroups): save
# the image, unpack its layers into a folder, and run its entrypoint there under chroot as the
# image's user, with the image's environment — then its health check, one complete payment and
# verify (dist/smoke.sh), and the refusal to start on 0.0.0.0 with the control plane neither
# locked nor opened.
#
#   bash dist/image-smoke.sh [IMAGE]     # default: gptom-mock (built by podman from dist/Containerfile)
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${1:-gptom-mock}
WORK=$(mktemp -d)
MOCK_PID=
cleanup() {
  [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

podman save --quiet --format docker-archive -o "$WORK/image.tar" "$IMAGE"
mkdir "$WORK/archive" "$WORK/root"
tar -xf "$WORK/image.tar" -C "$WORK/archive"
# What the image says: entrypoint, user, environment, health check, and its layers in order.
python3 - "$WORK" <<'PY'
import json, shlex, sys
work = sys.argv[1]
manifest = json.load(open(f"{work}/archive/manifest.json"))[0]
config = json.load(open(f"{work}/archive/{manifest['Config']}"))["config"]
health = config.get("Healthcheck", {}).get("Test", [])
assert health[:1] == ["CMD"], f"health check must be an exec CMD, is {health}"
with open(f"{work}/image.env", "w") as out:
    out.write(f"LAYERS=({' '.join(shlex.quote(layer) for layer in manifest['Layers'])})\n")
    out.write(f"ENTRYPOINT=({' '.join(map(shlex.quote, config['Entrypoint']))})\n")
    out.write(f"HEALTH=({' '.join(map(shlex.quote, health[1:]))})\n")
    out.write(f"USERSPEC={shlex.quote(config.get('User') or '0:0')}\n")
    out.write(f"IMAGE_ENV=({' '.join(map(shlex.quote, config.get('Env', [])))})\n")
    out.write(f"EXPOSED={shlex.quote(' '.join(config.get('ExposedPorts', {})))}\n")
PY
# shellcheck disable=SC1091
source "$WORK/image.env"
for layer in "${LAYERS[@]}"; do
  tar -xf "$WORK/archive/$layer" -C "$WORK/root"
done
echo "== image $IMAGE: entrypoint ${ENTRYPOINT[*]}, user $USERSPEC, exposes $EXPOSED, $(du -sh "$WORK/root" | cut -f1) unpacked"
[ "${USERSPEC%%:*}" != 0 ] || { echo "the image runs as root" >&2; exit 1; }
[ "$EXPOSED" = "8080/tcp" ] || { echo "the image exposes '$EXPOSED', not 8080/tcp" >&2; exit 1; }

in_image() {  # runs a command inside the unpacked image, as its user, with its environment
  env -i "${IMAGE_ENV[@]}" "$@"
}
start_mock() {  # the entrypoint in the background; MOCK_PID is the mock itself (env and chroot exec)
  env -i "${IMAGE_ENV[@]}" "$@" chroot --userspec="$USERSPEC" "$WORK/root" "${ENTRYPOINT[@]}" \
    > "$WORK/mock.log" 2>&1 &
  MOCK_PID=$!
}
stop_mock() {
  kill "$MOCK_PID"
  wait "$MOCK_PID" 2>/dev/null || true
  MOCK_PID=
}
healthy() {  # the image's own health check, retried as a container engine would (up to 20 times)
  for _ in $(seq 20); do
    if in_image "$@" chroot --userspec="$USERSPEC" "$WORK/root" "${HEALTH[@]}" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "the health check (${HEALTH[*]}) never passed" >&2
  return 1
}

# 1. Neither a token nor the explicit switch: it must refuse to start on 0.0.0.0.
if in_image chroot --userspec="$USERSPEC" "$WORK/root" "${ENTRYPOINT[@]}" > "$WORK/refused.log" 2>&1; then
  echo "the image started on 0.0.0.0 with an open control plane and no switch" >&2; exit 1
fi
grep -q "GPTOM_MOCK_OPEN_CONTROL_PLANE" "$WORK/refused.log"
echo "== without a token or the switch it refuses to start: $(head -c 120 "$WORK/refused.log")…"

# 2. Opened by the named switch, on a free port: health check, a payment, verify.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_mock GPTOM_MOCK_OPEN_CONTROL_PLANE=true GPTOM_MOCK_PORT="$PORT"
healthy GPTOM_MOCK_URL="http://127.0.0.1:$PORT"
echo "== health check passed (${HEALTH[*]})"
bash dist/smoke.sh "http://127.0.0.1:$PORT"
stop_mock

# 3. Locked by a token from the environment: the control plane refuses without it.
TOKEN=image-smoke-admin-token-0123456789
start_mock GPTOM_MOCK_ADMIN_TOKEN="$TOKEN" GPTOM_MOCK_PORT="$PORT"
healthy GPTOM_MOCK_ADMIN_TOKEN="$TOKEN" GPTOM_MOCK_URL="http://127.0.0.1:$PORT"
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/__mock/reset")
[ "$status" = 401 ] || { echo "locked control plane answered $status without the token" >&2; exit 1; }
echo "== locked by GPTOM_MOCK_ADMIN_TOKEN: health check passed, /__mock/reset without it → 401"
