{{/* Pod spec of the batch Job and CronJob: `resume-optimizer batch` against the in-cluster transformer. */}}
{{- define "resume-optimizer.batchArgs" -}}
{{- $b := .Values.batch -}}
{{- $in := $b.inputs -}}
{{- $root := $b.persistence.mountPath -}}
- batch
- --url
- {{ include "resume-optimizer.transformerUrl" . }}
{{- if $in.pairs }}
- --pairs
- {{ printf "%s/%s" $root $in.pairs }}
{{- else if and $in.resume $in.jds }}
- --resume
- {{ printf "%s/%s" $root $in.resume }}
- --jds
- {{ printf "%s/%s" $root $in.jds }}
{{- else if and $in.resumes $in.jd }}
- --resumes
- {{ printf "%s/%s" $root $in.resumes }}
- --jd
- {{ printf "%s/%s" $root $in.jd }}
{{- else }}
{{- fail "batch.inputs: set pairs, or resume and jds, or resumes and jd" }}
{{- end }}
- --out
- {{ printf "%s/%s" $root $b.out }}
- --concurrency
- {{ $b.concurrency | quote }}
{{- with $b.extraArgs }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "resume-optimizer.batchPodSpec" -}}
{{- $b := .Values.batch -}}
{{- $image := mergeOverwrite (deepCopy .Values.transformer.image) $b.image -}}
restartPolicy: Never
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
containers:
  - name: batch
    image: {{ include "resume-optimizer.image" (dict "image" $image "root" .) }}
    imagePullPolicy: {{ $image.pullPolicy }}
    command: ["resume-optimizer"]
    args:
      {{- include "resume-optimizer.batchArgs" . | nindent 6 }}
    env:
      - name: HOME  # the root filesystem is read-only
        value: /tmp
    envFrom:
      - secretRef:
          name: {{ include "resume-optimizer.apiKeysSecretName" . }}
          optional: true
    resources:
      {{- toYaml $b.resources | nindent 6 }}
    securityContext:
      {{- toYaml .Values.containerSecurityContext | nindent 6 }}
    volumeMounts:
      - name: data
        mountPath: {{ $b.persistence.mountPath }}
      - name: tmp
        mountPath: /tmp
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: {{ include "resume-optimizer.batchClaimName" . }}
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- end -}}
