#!/usr/bin/env bash
# Validates every file in Deploy/: the systemd units (systemd-analyze verify), the configuration files
# (mirsad config check, the ConfigMap's too), the Kubernetes manifests (kubernetes-validate, strict, against the
# schemas it ships), the compose file (the compose specification's JSON schema, via check-jsonschema) and the
# Prometheus files (promtool). Usage: Deploy/check.sh PATH/TO/mirsad. Needs systemd, promtool (Debian's
# prometheus package) and the PyPI packages kubernetes-validate and check-jsonschema; .ci/run installs them.
set -euo pipefail
mirsad="$(cd "$(dirname "${1:?usage: Deploy/check.sh PATH/TO/mirsad}")" && pwd -P)/$(basename "$1")"
cd "$(dirname "$0")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "Deploy check FAILED: $*" >&2; failed=1; }

# systemd units: verified with the binary path pointed at the built mirsad (verify checks that ExecStart exists);
# any message (unknown key, bad value) is a failure, not only a non-zero exit.
mkdir -p "$work/units"
for unit in systemd/*.service; do
    sed "s#/usr/local/bin/mirsad#$mirsad#g" "$unit" > "$work/units/$(basename "$unit")"
done
if ! out="$(cd "$work/units" && systemd-analyze verify --man=no ./*.service 2>&1)" || [ -n "$out" ]; then
    fail "systemd-analyze verify: $out"
fi
units=$(ls systemd/*.service | wc -l)

# Configuration files, with the environment's MIRSAD_ variables cleared so they check the files alone.
configs=0
clean_env() { env $(env | sed -n 's/^\(MIRSAD_[A-Z_]*\)=.*/-u \1/p') "$@"; }
for config in mirsad.yaml compose/mirsad.yaml; do
    clean_env "$mirsad" config check "$config" >/dev/null || fail "$config"
    configs=$((configs + 1))
done
python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["mirsad.yaml"], end="")' \
    kubernetes/configmap.yaml > "$work/configmap-mirsad.yaml"
clean_env "$mirsad" config check "$work/configmap-mirsad.yaml" >/dev/null || fail "kubernetes/configmap.yaml's mirsad.yaml"
configs=$((configs + 1))

# Kubernetes manifests: strict (unknown fields fail) against a recent version's schemas.
python3 -m kubernetes_validate --strict --quiet -k 1.30.0 kubernetes/*.yaml || fail "kubernetes-validate"
manifests=$(ls kubernetes/*.yaml | wc -l)

# The compose file against the compose specification.
python3 -m check_jsonschema --builtin-schema vendor.compose-spec compose/compose.yaml >/dev/null || fail "compose/compose.yaml"

# Prometheus: the compose cluster's configuration (its rule file path made local) and the alert rules.
promtool check rules prometheus/alerts.yml >/dev/null || fail "prometheus/alerts.yml"
sed "s#/etc/prometheus/alerts.yml#$PWD/prometheus/alerts.yml#" compose/prometheus.yml > "$work/prometheus.yml"
promtool check config "$work/prometheus.yml" >/dev/null || fail "compose/prometheus.yml"

if [ "$failed" -ne 0 ]; then exit 1; fi
echo "Deploy: $units systemd units, $configs configuration files, $manifests Kubernetes manifests, compose, Prometheus: valid"
