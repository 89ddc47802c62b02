{{/* The release's base name, at most 63 characters (a DNS label). */}}
{{- define "warden.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "warden.retrievalName" -}}
{{- printf "%s-retrieval" (include "warden.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "warden.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: warden
{{- end -}}

{{/* Selector labels: never change them after a release, Deployments' selectors are immutable. */}}
{{- define "warden.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "warden.retrievalSelectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: retrieval
{{- end -}}

{{- define "warden.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "warden.gpuImage" -}}
{{- printf "%s:%s" .Values.retrieval.gpu.image.repository (default (printf "%s-gpu" .Chart.AppVersion) .Values.retrieval.gpu.image.tag) -}}
{{- end -}}

{{/*
The settings every Warden process of this release shares (gateways and retrieval nodes run the same jar against the
same database). Secret values are never written here: the file names environment variables, filled from Secrets.
*/}}
{{- define "warden.sharedConfig" -}}
warden:
  data-dir: /var/lib/warden
  db:
    url: {{ .Values.database.url | quote }}
    user: ${WARDEN_DB_USER}
    password: ${WARDEN_DB_PASSWORD}
    migration-user: ${WARDEN_DB_MIGRATION_USER:${WARDEN_DB_USER}}
    migration-password: ${WARDEN_DB_MIGRATION_PASSWORD:${WARDEN_DB_PASSWORD}}
    max-pool-size: {{ .Values.database.maxPoolSize }}
  identity:
    provider: {{ .Values.identity.provider }}
    issuer: {{ .Values.identity.issuer | quote }}
    audience: {{ .Values.identity.audience | quote }}
    {{- if .Values.identity.roleValues }}
    role-values:
      {{- toYaml .Values.identity.roleValues | nindent 6 }}
    {{- end }}
  audit:
    signing-key: /etc/warden/audit-key/signing-key
    signing-public-key: /etc/warden/audit-key/signing-public-key
  retrieval:
    collections-dir: /var/lib/warden-shared/collections
  collections:
    storage-dir: /var/lib/warden-shared/collection-builds
  cohort:
    runs-dir: /var/lib/warden-shared/cohort-runs
  approvals:
    portal-url: {{ .Values.portalUrl | quote }}
  {{- if .Values.entra.graph.enabled }}
  directory:
    provider: graph
  graph:
    authority: {{ .Values.entra.graph.authority | quote }}
    client-id: {{ .Values.entra.graph.clientId | quote }}
    client-secret: ${WARDEN_GRAPH_CLIENT_SECRET}
  {{- end }}
management:
  server:
    port: {{ .Values.service.managementPort }}
{{- end -}}

{{/* Environment of every Warden container: the profile, where the chart's settings are, and the Secrets. */}}
{{- define "warden.env" -}}
- name: SPRING_PROFILES_ACTIVE
  value: prod
- name: WARDEN_PORT
  value: {{ .Values.service.port | quote }}
- name: WARDEN_DB_USER
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: username
- name: WARDEN_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: password
- name: WARDEN_DB_MIGRATION_USER
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: migration-username
      optional: true
- name: WARDEN_DB_MIGRATION_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: migration-password
      optional: true
{{- if .Values.identity.existingSecret }}
- name: WARDEN_IDENTITY_KEY_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.identity.existingSecret }}
      key: key-encryption-key
{{- end }}
{{- if .Values.entra.graph.enabled }}
- name: WARDEN_GRAPH_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.entra.graph.existingSecret }}
      key: client-secret
{{- end }}
- name: WARDEN_SCRAPE_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.metrics.existingSecret }}
      key: scrape-token
{{- if .Values.retrieval.enabled }}
- name: WARDEN_RETRIEVAL_NODE_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.retrieval.existingSecret }}
      key: token
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Volumes every Warden container mounts: the root filesystem is read-only, so data and tmp are volumes. */}}
{{- define "warden.volumeMounts" -}}
- name: config
  mountPath: /etc/warden/config
  readOnly: true
- name: audit-key
  mountPath: /etc/warden/audit-key
  readOnly: true
- name: data
  mountPath: /var/lib/warden
- name: shared
  mountPath: /var/lib/warden-shared
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "warden.volumes" -}}
- name: config
  configMap:
    name: {{ include "warden.fullname" . }}
- name: audit-key
  secret:
    secretName: {{ .Values.audit.existingSecret }}
    # readable by the pod's group (fsGroup), since the files belong to root
    defaultMode: 0440
- name: data
  emptyDir: {}
- name: shared
  {{- if .Values.sharedStorage.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.sharedStorage.existingClaim }}
  {{- else }}
  emptyDir: {}
  {{- end }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "warden.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
{{- end -}}

{{- define "warden.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "warden.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: management
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: management
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: management
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
{{- end -}}

{{/* Egress every Warden process needs: DNS, PostgreSQL and HTTPS to the configured blocks. */}}
{{- define "warden.commonEgress" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
- to:
    {{- range .Values.networkPolicy.database.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - port: {{ .Values.networkPolicy.database.port }}
      protocol: TCP
{{- if .Values.networkPolicy.httpsEgressCidrs }}
- to:
    {{- range .Values.networkPolicy.httpsEgressCidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - port: 443
      protocol: TCP
{{- end }}
{{- end -}}
