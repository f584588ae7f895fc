#!/usr/bin/env bash
# Installs what resume-optimizer needs on a cluster, at pinned versions, into the current kubectl context:
#   1. cert-manager           (KServe's webhook certificates)
#   2. KServe                 (CRDs + controller), default deployment mode Standard = raw Deployments,
#                             no Knative or Istio (KServe before 0.16 called it RawDeployment)
#   3. kube-prometheus-stack  (Prometheus Operator, Prometheus, Grafana with the dashboard sidecar), with
#                             kube-prometheus-stack-values.yaml beside this script
# Needs kubectl and helm (v3.8+ or v4, for OCI charts), and network access to the chart registries.
# Every version can be overridden by its environment variable; re-running upgrades in place.
set -euo pipefail

CERT_MANAGER_VERSION="${CERT_MANAGER_VERSION:-v1.18.2}"
KSERVE_VERSION="${KSERVE_VERSION:-v0.20.0}"
KUBE_PROMETHEUS_STACK_VERSION="${KUBE_PROMETHEUS_STACK_VERSION:-75.15.0}"
# Standard (KServe >= 0.16) is raw Kubernetes Deployments; RawDeployment is its older name.
KSERVE_DEPLOYMENT_MODE="${KSERVE_DEPLOYMENT_MODE:-Standard}"
KSERVE_NAMESPACE="${KSERVE_NAMESPACE:-kserve}"
MONITORING_NAMESPACE="${MONITORING_NAMESPACE:-monitoring}"
WAIT_TIMEOUT="${WAIT_TIMEOUT:-600s}"

here="$(cd "${BASH_SOURCE[0]%/*}" && pwd)"

log() { printf '==> %s\n' "$*" >&2; }

for tool in kubectl helm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "install.sh needs ${tool} on PATH" >&2
		exit 2
	fi
done

log "cert-manager ${CERT_MANAGER_VERSION}"
helm upgrade --install cert-manager cert-manager \
	--repo https://charts.jetstack.io \
	--version "${CERT_MANAGER_VERSION}" \
	--namespace cert-manager --create-namespace \
	--set crds.enabled=true \
	--wait --timeout "${WAIT_TIMEOUT}"

log "KServe ${KSERVE_VERSION} (CRDs, then the controller; default deployment mode ${KSERVE_DEPLOYMENT_MODE})"
helm upgrade --install kserve-crd oci://ghcr.io/kserve/charts/kserve-crd \
	--version "${KSERVE_VERSION}" \
	--namespace "${KSERVE_NAMESPACE}" --create-namespace \
	--wait --timeout "${WAIT_TIMEOUT}"
# The chart writes these into the inferenceservice-config ConfigMap (keys "deploy" and "ingress").
# No ingress objects: nothing on kind serves them, and the e2e script reaches the service directly.
helm upgrade --install kserve oci://ghcr.io/kserve/charts/kserve-resources \
	--version "${KSERVE_VERSION}" \
	--namespace "${KSERVE_NAMESPACE}" --create-namespace \
	--set "kserve.controller.deploymentMode=${KSERVE_DEPLOYMENT_MODE}" \
	--set kserve.controller.gateway.disableIngressCreation=true \
	--wait --timeout "${WAIT_TIMEOUT}"

# Check that the default really landed in inferenceservice-config; set it there if the chart did not
# (then restart the controller, which reads the ConfigMap at start-up).
deploy_config="$(kubectl get configmap inferenceservice-config -n "${KSERVE_NAMESPACE}" -o jsonpath='{.data.deploy}')"
if [[ "${deploy_config}" != *"\"${KSERVE_DEPLOYMENT_MODE}\""* ]]; then
	log "inferenceservice-config has deploy=${deploy_config}; setting defaultDeploymentMode=${KSERVE_DEPLOYMENT_MODE}"
	kubectl patch configmap inferenceservice-config -n "${KSERVE_NAMESPACE}" --type merge \
		-p "{\"data\":{\"deploy\":\"{\\\"defaultDeploymentMode\\\": \\\"${KSERVE_DEPLOYMENT_MODE}\\\"}\"}}"
	kubectl rollout restart deployment/kserve-controller-manager -n "${KSERVE_NAMESPACE}"
fi
kubectl rollout status deployment/kserve-controller-manager -n "${KSERVE_NAMESPACE}" --timeout "${WAIT_TIMEOUT}"

log "kube-prometheus-stack ${KUBE_PROMETHEUS_STACK_VERSION}"
helm upgrade --install kube-prometheus-stack kube-prometheus-stack \
	--repo https://prometheus-community.github.io/helm-charts \
	--version "${KUBE_PROMETHEUS_STACK_VERSION}" \
	--namespace "${MONITORING_NAMESPACE}" --create-namespace \
	--values "${here}/kube-prometheus-stack-values.yaml" \
	--wait --timeout "${WAIT_TIMEOUT}"

log "dependencies ready: cert-manager ${CERT_MANAGER_VERSION}, KServe ${KSERVE_VERSION}, kube-prometheus-stack ${KUBE_PROMETHEUS_STACK_VERSION}"
