{{/* Names, labels and small shared snippets (Bitnami style). */}}

{{- define "resume-optimizer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: the release name when it already contains the chart name (resume-optimizer -> resume-optimizer). */}}
{{- define "resume-optimizer.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of the InferenceService; KServe names the predictor and transformer Services after it. */}}
{{- define "resume-optimizer.isvcName" -}}
{{- default (include "resume-optimizer.fullname" .) .Values.inferenceService.name | trunc 45 | trimSuffix "-" -}}
{{- end -}}

{{- define "resume-optimizer.servingRuntimeName" -}}
{{- default (printf "%s-vllm" (include "resume-optimizer.fullname" .)) .Values.predictor.servingRuntime.name -}}
{{- end -}}

{{- define "resume-optimizer.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "resume-optimizer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "resume-optimizer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "resume-optimizer.labels" -}}
helm.sh/chart: {{ include "resume-optimizer.chart" . }}
{{ include "resume-optimizer.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: resume-optimizer
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels KServe puts on the pods of one component (predictor or transformer) of our InferenceService. */}}
{{- define "resume-optimizer.kservePodLabels" -}}
serving.kserve.io/inferenceservice: {{ include "resume-optimizer.isvcName" .root }}
component: {{ .component }}
{{- end -}}

{{/* image reference: repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "resume-optimizer.image" -}}
{{- $registry := .root.Values.global.imageRegistry -}}
{{- $repo := .image.repository -}}
{{- if $registry }}{{ $repo = printf "%s/%s" $registry $repo }}{{ end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
One env var value as a string. Helm reads numbers as float64, so whole numbers are printed as integers
(10485760, never 1.048576e+07); lists and maps are JSON (pydantic-settings parses complex types as JSON).
*/}}
{{- define "resume-optimizer.envValue" -}}
{{- $v := . -}}
{{- if or (kindIs "slice" $v) (kindIs "map" $v) -}}
{{- toJson $v -}}
{{- else if kindIs "float64" $v -}}
{{- if eq $v (floor $v) -}}{{- int64 $v -}}{{- else -}}{{- $v -}}{{- end -}}
{{- else -}}
{{- $v | toString -}}
{{- end -}}
{{- end -}}

{{/* env entries PREFIX_NAME for every non-null key of a settings map (null: the settings class default). */}}
{{- define "resume-optimizer.settingsEnv" -}}
{{- $skip := .skip | default list -}}
{{- range $key := keys .settings | sortAlpha }}
{{- $value := index $.settings $key }}
{{- if and (not (kindIs "invalid" $value)) (not (has $key $skip)) }}
- name: {{ printf "%s%s" $.prefix ($key | upper) }}
  value: {{ include "resume-optimizer.envValue" $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* In-cluster addresses of KServe's Services for our InferenceService (RawDeployment and Serverless alike). */}}
{{- define "resume-optimizer.predictorHost" -}}
{{- printf "%s-predictor.%s" (include "resume-optimizer.isvcName" .) .Release.Namespace -}}
{{- end -}}

{{- define "resume-optimizer.transformerUrl" -}}
{{- printf "http://%s-transformer.%s.svc" (include "resume-optimizer.isvcName" .) .Release.Namespace -}}
{{- end -}}

{{/* Where the predictor reads the base model: the storageUri's mount path, else predictor.settings.model. */}}
{{- define "resume-optimizer.modelPath" -}}
{{- if .Values.predictor.model.storageUri -}}
{{- .Values.predictor.model.mountPath -}}
{{- else -}}
{{- required "predictor: set model.storageUri or settings.model" .Values.predictor.settings.model -}}
{{- end -}}
{{- end -}}

{{/* The LoRA adapter: the storageUri's mount path, else predictor.settings.adapter (empty: none). */}}
{{- define "resume-optimizer.adapterPath" -}}
{{- if .Values.predictor.adapter.storageUri -}}
{{- .Values.predictor.adapter.mountPath -}}
{{- else -}}
{{- .Values.predictor.settings.adapter | default "" -}}
{{- end -}}
{{- end -}}

{{- define "resume-optimizer.hubTokenSecretName" -}}
{{- default (printf "%s-hub-token" (include "resume-optimizer.fullname" .)) .Values.secrets.hubToken.existingSecret -}}
{{- end -}}

{{- define "resume-optimizer.apiKeysSecretName" -}}
{{- default (printf "%s-api-keys" (include "resume-optimizer.fullname" .)) .Values.secrets.apiKeys.existingSecret -}}
{{- end -}}

{{- define "resume-optimizer.artifactsClaimName" -}}
{{- default (printf "%s-artifacts" (include "resume-optimizer.fullname" .)) .Values.persistence.existingClaim -}}
{{- end -}}

{{- define "resume-optimizer.batchClaimName" -}}
{{- default (printf "%s-batch" (include "resume-optimizer.fullname" .)) .Values.batch.persistence.existingClaim -}}
{{- end -}}

{{- define "resume-optimizer.podSecurityContext" -}}
{{- omit . "enabled" | toYaml -}}
{{- end -}}

{{/* scaleMetric/scaleTarget of one component; Knative metrics (concurrency, rps) need Serverless mode. */}}
{{- define "resume-optimizer.autoscaling" -}}
{{- $c := .component -}}
{{- if and (has $c.scaleMetric (list "concurrency" "rps")) (ne .root.Values.inferenceService.deploymentMode "Serverless") -}}
{{- fail (printf "scaleMetric %s needs inferenceService.deploymentMode Serverless (RawDeployment's HPA scales on cpu or memory)" $c.scaleMetric) -}}
{{- end -}}
{{- if not (kindIs "invalid" $c.scaleMetric) }}
scaleMetric: {{ $c.scaleMetric }}
{{- end }}
{{- if not (kindIs "invalid" $c.scaleTarget) }}
scaleTarget: {{ $c.scaleTarget }}
{{- end }}
{{- end -}}

{{/* The vocabulary-drift report: the transformer's setting where set, else drift/vocabulary.json beside the artifacts
     (the transformer's own default, <artifacts_dir>/../drift/vocabulary.json). */}}
{{- define "resume-optimizer.driftReport" -}}
{{- $s := .Values.transformer.settings -}}
{{- if index $s "vocabulary_drift_report" -}}
{{- $s.vocabulary_drift_report -}}
{{- else -}}
{{- printf "%s/drift/vocabulary.json" (dir $s.artifacts_dir) -}}
{{- end -}}
{{- end -}}

{{/* "true" when monitoring/baseline.json is shipped as a ConfigMap (and mounted at /etc/resume-optimizer). */}}
{{- define "resume-optimizer.baselineEnabled" -}}
{{- if and (or .Values.metrics.baseline.enabled .Values.drift.cronJob.enabled) (.Files.Get "monitoring/baseline.json") -}}
true
{{- end -}}
{{- end -}}

{{/* Mounts of the artifacts PVC: artifacts/ at artifacts_dir, drift/ where the drift report lives. */}}
{{- define "resume-optimizer.dataMounts" -}}
- name: artifacts
  mountPath: {{ .Values.transformer.settings.artifacts_dir }}
  subPath: artifacts
- name: artifacts
  mountPath: {{ dir (include "resume-optimizer.driftReport" .) }}
  subPath: drift
{{- if include "resume-optimizer.baselineEnabled" . }}
- name: baseline
  mountPath: /etc/resume-optimizer
  readOnly: true
{{- end }}
{{- end -}}

{{- define "resume-optimizer.dataVolumes" -}}
- name: artifacts
  {{- if .Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "resume-optimizer.artifactsClaimName" . }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- if include "resume-optimizer.baselineEnabled" . }}
- name: baseline
  configMap:
    name: {{ include "resume-optimizer.fullname" . }}-baseline
{{- end }}
{{- end -}}
