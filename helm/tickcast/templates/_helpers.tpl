{{/* Chart name, truncated to the 63 characters Kubernetes allows in names and labels. */}}
{{- define "tickcast.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release-chart unless the release name already contains the chart name. */}}
{{- define "tickcast.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tickcast.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tickcast.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tickcast.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tickcast.labels" -}}
helm.sh/chart: {{ include "tickcast.chart" . }}
{{ include "tickcast.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tickcast
{{- end }}

{{- define "tickcast.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tickcast.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: tag defaults to appVersion; the GPU variant appends gpu.imageTagSuffix. */}}
{{- define "tickcast.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.gpu.enabled }}
{{- $tag = printf "%s%s" $tag .Values.gpu.imageTagSuffix }}
{{- end }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* A Kubernetes quantity ("2Gi", "500M", "1.5Gi", or a number of bytes) in MiB, rounded up. */}}
{{- define "tickcast.quantityMi" -}}
{{- $bytes := 0.0 }}
{{- if kindIs "string" . }}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" . }}
{{- $units := dict "" 1 "m" 0.001 "k" 1000 "Ki" 1024 "M" 1000000 "Mi" 1048576 "G" 1000000000 "Gi" 1073741824 "T" 1000000000000 "Ti" 1099511627776 }}
{{- $unit := trimPrefix $num . }}
{{- if not (hasKey $units $unit) }}{{ fail (printf "quantity %q: use a plain number or one of m, k, Ki, M, Mi, G, Gi, T, Ti" .) }}{{ end }}
{{- $bytes = mulf $num (get $units $unit) }}
{{- else }}
{{- $bytes = float64 . }}
{{- end }}
{{- ceil (divf $bytes 1048576) | int }}
{{- end }}

{{/* The container's ephemeral-storage (Mi): the sizeLimits of the pod's emptyDirs plus ephemeralStorage.overhead (values.yaml). */}}
{{- define "tickcast.ephemeralStorageMi" -}}
{{- $mi := add (include "tickcast.quantityMi" .Values.tmp.sizeLimit) (include "tickcast.quantityMi" .Values.ephemeralStorage.overhead) }}
{{- if include "tickcast.snapshotsEnabled" . }}
{{- $mi = add $mi (include "tickcast.quantityMi" .Values.snapshots.sizeLimit) }}
{{- end }}
{{- if eq .Values.modelStore.type "objectStore" }}
{{- $mi = add $mi (include "tickcast.quantityMi" .Values.modelStore.objectStore.sizeLimit) }}
{{- else if eq .Values.modelStore.type "emptyDir" }}
{{- $mi = add $mi (include "tickcast.quantityMi" .Values.modelStore.emptyDir.sizeLimit) }}
{{- end }}
{{- range (include "tickcast.extraEmptyDirs" . | fromJson).dirs }}
{{- if .sizeLimit }}{{ $mi = add $mi (include "tickcast.quantityMi" .sizeLimit) }}{{ end }}
{{- end }}
{{- $mi }}
{{- end }}

{{/* The emptyDirs of extraVolumes that take disk (medium Memory counts as memory), as JSON {"dirs": […]}. */}}
{{- define "tickcast.extraEmptyDirs" -}}
{{- $dirs := list }}
{{- range (.Values.extraVolumes | default list) }}
{{- if hasKey . "emptyDir" }}
{{- $d := .emptyDir | default dict }}
{{- if ne ($d.medium | default "") "Memory" }}{{ $dirs = append $dirs $d }}{{ end }}
{{- end }}
{{- end }}
{{- toJson (dict "dirs" $dirs) }}
{{- end }}

{{/* "true" when an emptyDir of extraVolumes has no sizeLimit: the pod's disk has no bound to add up. */}}
{{- define "tickcast.ephemeralStorageUnbounded" -}}
{{- range (include "tickcast.extraEmptyDirs" . | fromJson).dirs }}{{ if not .sizeLimit }}true{{ end }}{{ end }}
{{- end }}

{{/* Ports of config.kafka.brokers ("host:port"), comma-separated, without repeats; 9092 where a broker names none.
An entry may hold several brokers, comma-separated: the app joins the entries with commas for librdkafka. */}}
{{- define "tickcast.brokerPorts" -}}
{{- $ports := list }}
{{- range splitList "," (include "tickcast.brokers" .) }}
{{- $b := trim . }}
{{- if $b }}
{{- $p := regexFind "[0-9]+$" (regexFind ":[0-9]+$" $b) | default "9092" }}
{{- $ports = append $ports $p }}
{{- end }}
{{- end }}
{{- join "," (uniq $ports) }}
{{- end }}

{{/* What extraEnv gives the first of .names it sets (the loader's order: first wins, NAME_FILE over
NAME), as JSON: {} when it sets none; {"name", "value"}; {"name"} alone when the chart cannot read the
value (valueFrom, or NAME_FILE: a file in the pod). */}}
{{- define "tickcast.extraEnvValue" -}}
{{- $env := dict }}
{{- range .root.Values.extraEnv }}{{ $_ := set $env (.name | toString) . }}{{ end }}
{{- $out := dict }}
{{- range .names }}
{{- if not $out.name }}
{{- if hasKey $env (printf "%s_FILE" .) }}
{{- $out = dict "name" (printf "%s_FILE" .) }}
{{- else if hasKey $env . }}
{{- $e := get $env . }}
{{- $out = ternary (dict "name" . "value" (toString $e.value)) (dict "name" .) (hasKey $e "value") }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/* The brokers the app connects to, comma-joined: TICKCAST_KAFKA_BROKERS, KAFKA_BROKERS or
KAFKA_BOOTSTRAP_SERVERS from extraEnv (they win over the file, src/config/load.ts), else
config.kafka.brokers; "?" when extraEnv gives them in a form the chart cannot read (tickcast.validate
refuses that where the chart needs them). Until 7 Dec 2026 the chart read config.kafka.brokers alone: brokers set through
extraEnv got no NetworkPolicy egress (the consumer could not reach them) and KEDA no bootstrapServers. */}}
{{- define "tickcast.brokers" -}}
{{- $e := include "tickcast.extraEnvValue" (dict "root" . "names" (list "TICKCAST_KAFKA_BROKERS" "KAFKA_BROKERS" "KAFKA_BOOTSTRAP_SERVERS")) | fromJson }}
{{- if hasKey $e "value" }}
{{- $e.value }}
{{- else if $e.name }}
{{- "?" }}
{{- else }}
{{- $kafka := .Values.config.kafka | default dict }}
{{- join "," ($kafka.brokers | default list) }}
{{- end }}
{{- end }}

{{/* The OTLP traces endpoint the app exports to, as it resolves it (src/config/otel-env.ts): extraEnv's
TICKCAST_TELEMETRY_OTLP_ENDPOINT, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else
OTEL_EXPORTER_OTLP_ENDPOINT, else config.telemetry.otlpEndpoint; "" when tracing is off (none of them,
or OTEL_TRACES_EXPORTER=none); "?" when extraEnv gives it in a form the chart cannot read. */}}
{{- define "tickcast.otlpEndpoint" -}}
{{- $e := include "tickcast.extraEnvValue" (dict "root" . "names" (list "TICKCAST_TELEMETRY_OTLP_ENDPOINT" "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" "OTEL_EXPORTER_OTLP_ENDPOINT")) | fromJson }}
{{- $off := include "tickcast.extraEnvValue" (dict "root" . "names" (list "OTEL_TRACES_EXPORTER")) | fromJson }}
{{- $telemetry := .Values.config.telemetry | default dict }}
{{- $endpoint := ternary (toString $e.value) "?" (hasKey $e "value") }}
{{- if not $e.name }}{{ $endpoint = toString ($telemetry.otlpEndpoint | default "") }}{{ end }}
{{- if and (not $e.name) (eq (trim (toString ($off.value | default ""))) "none") }}{{ $endpoint = "" }}{{ end }}
{{- trim $endpoint }}
{{- end }}

{{/* The OTLP wire format the app uses (src/config/otel-env.ts): extraEnv's TICKCAST_TELEMETRY_OTLP_PROTOCOL, else
OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else config.telemetry.otlpProtocol, else
http/protobuf; "?" when extraEnv gives it in a form the chart cannot read. */}}
{{- define "tickcast.otlpProtocol" -}}
{{- $e := include "tickcast.extraEnvValue" (dict "root" . "names" (list "TICKCAST_TELEMETRY_OTLP_PROTOCOL" "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" "OTEL_EXPORTER_OTLP_PROTOCOL")) | fromJson }}
{{- if hasKey $e "value" }}{{ trim $e.value }}{{ else if $e.name }}?{{ else }}{{ (.Values.config.telemetry | default dict).otlpProtocol | default "http/protobuf" | toString | trim }}{{ end }}
{{- end }}

{{/* The TCP ports the app's OTLP exporter may dial for the endpoint (tickcast.otlpEndpoint), comma-separated: the
port for the protocol (tickcast.otlpProtocol), tickcast.otlpPortOver; "" when the endpoint names none. A protocol
the chart cannot read (extraEnv's valueFrom, a Secret) gives the ports of both, HTTP's and gRPC's (80 and 443 for
http://collector; one port when the URL names it): until 7 Dec 2026 it was taken as HTTP, and a gRPC exporter's 443
was blocked. networkPolicy.egress.otlp.ports narrows it. */}}
{{- define "tickcast.otlpPorts" -}}
{{- $endpoint := include "tickcast.otlpEndpoint" . }}
{{- $protocol := include "tickcast.otlpProtocol" . }}
{{- $ports := list }}
{{- range ternary (list "http/protobuf" "grpc") (list $protocol) (eq $protocol "?") }}
{{- $ports = append $ports (include "tickcast.otlpPortOver" (dict "endpoint" $endpoint "protocol" .)) }}
{{- end }}
{{- $ports | compact | uniq | join "," }}
{{- end }}

{{/* The TCP port an OTLP exporter over .protocol dials for .endpoint: over gRPC the URL's host, where
@grpc/grpc-js takes 443 when it names no port (new URL() drops :80 from http:// and :443 from https://, so
those too); over HTTP tickcast.urlPort. Until 7 Dec 2026 always tickcast.urlPort: 80 for http://collector over gRPC. */}}
{{- define "tickcast.otlpPortOver" -}}
{{- $port := include "tickcast.urlPort" .endpoint }}
{{- if eq .protocol "grpc" }}
{{- if or (not $port) (and (eq $port "80") (hasPrefix "http://" (lower .endpoint))) }}443{{ else }}{{ $port }}{{ end }}
{{- else }}{{ $port }}{{ end }}
{{- end }}

{{/* The TCP port of an OTLP endpoint URL: its own, else 443 (https) or 80 (http); "" when it names neither. */}}
{{- define "tickcast.urlPort" -}}
{{- $u := trim (toString .) }}
{{- $scheme := lower (regexFind "^[a-zA-Z][a-zA-Z0-9+.-]*://" $u) }}
{{- $host := regexReplaceAll "^[^@]*@" (regexReplaceAll "[/?#].*$" (regexReplaceAll "^[a-zA-Z][a-zA-Z0-9+.-]*://" $u "") "") "" }}
{{- $port := trimPrefix ":" (regexFind ":[0-9]+$" $host) }}
{{- if $port }}{{ $port }}{{ else if eq $scheme "https://" }}443{{ else if eq $scheme "http://" }}80{{ end }}
{{- end }}

{{/* HTTP port of the app (config.http.port, default 8080). */}}
{{- define "tickcast.httpPort" -}}
{{- $http := .Values.config.http | default dict }}
{{- $http.port | default 8080 | int }}
{{- end }}

{{/* "true" when series-state snapshots are on (config.snapshots.enabled, default true), else "". */}}
{{- define "tickcast.snapshotsEnabled" -}}
{{- $snap := .Values.config.snapshots | default dict }}
{{- if or (not (hasKey $snap "enabled")) $snap.enabled }}true{{ end }}
{{- end }}

{{/* job label of the scraped pods: prometheusRule.rules.targetDown.job, else the Service name
(the ServiceMonitor's default job label). */}}
{{- define "tickcast.scrapeJob" -}}
{{- .Values.prometheusRule.rules.targetDown.job | default (include "tickcast.fullname" .) }}
{{- end }}

{{/* Drain budget in whole seconds, rounded up (config.shutdown.graceMs, default 25000). */}}
{{- define "tickcast.drainSeconds" -}}
{{- $shutdown := .Values.config.shutdown | default dict }}
{{- $ms := $shutdown.graceMs | default 25000 | int }}
{{- /* The app takes TICKCAST_SHUTDOWN_GRACE_MS over the config file: extraEnv's value is the drain. */}}
{{- range .Values.extraEnv }}
{{- if eq (.name | toString) "TICKCAST_SHUTDOWN_GRACE_MS" }}
{{- if hasKey . "value" }}
{{- $ms = .value | int }}
{{- else if not (gt ($.Values.terminationGracePeriodSeconds | int) 0) }}
{{- fail "TICKCAST_SHUTDOWN_GRACE_MS comes from extraEnv's valueFrom, so the chart cannot derive the pod's grace period from the drain time: set terminationGracePeriodSeconds above it plus lifecycle.preStopSleepSeconds, or give the variable a value" }}
{{- else }}
{{- $ms = 0 }}
{{- end }}
{{- end }}
{{- end }}
{{- div (add $ms 999) 1000 }}
{{- end }}

{{/* terminationGracePeriodSeconds: explicit value (checked) or drain + preStop + 10 s margin. */}}
{{- define "tickcast.terminationGracePeriodSeconds" -}}
{{- $floor := add (include "tickcast.drainSeconds" . | int) (.Values.lifecycle.preStopSleepSeconds | int) }}
{{- if gt (.Values.terminationGracePeriodSeconds | int) 0 }}
{{- if le (.Values.terminationGracePeriodSeconds | int) $floor }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed the drain time plus the preStop sleep (%d s): raise it, or lower config.shutdown.graceMs" (.Values.terminationGracePeriodSeconds | int) $floor) }}
{{- end }}
{{- .Values.terminationGracePeriodSeconds | int }}
{{- else }}
{{- add $floor 10 }}
{{- end }}
{{- end }}

{{/* Upper bound for autoscalers: a consumer group never uses more consumers than partitions. */}}
{{- define "tickcast.maxReplicas" -}}
{{- min (.Values.autoscaling.maxReplicas | int) (.Values.autoscaling.partitionCount | int) }}
{{- end }}

{{/* Kafka bootstrap servers for KEDA: explicit value or the brokers the app uses (tickcast.brokers). */}}
{{- define "tickcast.bootstrapServers" -}}
{{- if .Values.autoscaling.keda.bootstrapServers }}
{{- .Values.autoscaling.keda.bootstrapServers }}
{{- else }}
{{- include "tickcast.brokers" . }}
{{- end }}
{{- end }}

{{/* The Kafka client's security.protocol, as the app derives it (src/config/kafka-security.ts,
effectiveProtocol): config.kafka.securityProtocol when set and not "auto" (any case), else from
config.kafka.ssl and kafkaAuth.sasl.enabled. Until 7 Dec 2026 the chart read config.kafka.ssl alone:
securityProtocol sasl_ssl gave KEDA tls "disable" and a CA Secret failed the render. */}}
{{- define "tickcast.kafkaProtocol" -}}
{{- $kafka := .Values.config.kafka | default dict }}
{{- $protocol := lower (toString ($kafka.securityProtocol | default "auto")) }}
{{- if ne $protocol "auto" }}
{{- $protocol }}
{{- else }}
{{- printf "%s%s" (ternary "sasl_" "" (not (not .Values.kafkaAuth.sasl.enabled))) (ternary "ssl" "plaintext" (not (not $kafka.ssl))) }}
{{- end }}
{{- end }}

{{/* "true" when the Kafka client talks TLS to the brokers (protocol ssl or sasl_ssl), else "". */}}
{{- define "tickcast.kafkaTls" -}}
{{- if has (include "tickcast.kafkaProtocol" .) (list "ssl" "sasl_ssl") }}true{{ end }}
{{- end }}

{{/* A Prometheus duration ("1m30s", "500ms"; values.schema.json checks the form) in milliseconds. */}}
{{- define "tickcast.durationMs" -}}
{{- $units := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 "w" 604800000 "y" 31536000000 }}
{{- $total := 0 }}
{{- range regexFindAll "[0-9]+(ms|s|m|h|d|w|y)" (toString .) -1 }}
{{- $total = add $total (mul (regexFind "^[0-9]+" . | int64) (get $units (regexReplaceAll "^[0-9]+" . ""))) }}
{{- end }}
{{- $total }}
{{- end }}

{{/* The environment variables the Deployment sets in this render, each with the value that sets it
(as JSON: name → key). Keep in step with deployment.yaml's env (helm-render.test.ts checks every one). */}}
{{- define "tickcast.chartEnv" -}}
{{- $env := dict "TICKCAST_CONFIG_FILE" "config" "TICKCAST_HTTP_PORT" "config.http.port" "TICKCAST_MODEL_DIR" "modelStore.mountPath" "CONTAINER_HEAP_PERCENT" "heapPercent" }}
{{- $_ := set $env "K8S_POD_NAME" "metadata.name" }}{{ $_ := set $env "K8S_NAMESPACE_NAME" "metadata.namespace" }}
{{- if not (include "tickcast.extraEnvValue" (dict "root" . "names" (list "TICKCAST_TELEMETRY_RESOURCE_ATTRIBUTES")) | fromJson).name }}
{{- $_ := set $env "OTEL_RESOURCE_ATTRIBUTES" "config.telemetry.resourceAttributes" }}
{{- end }}
{{- if include "tickcast.snapshotsEnabled" . }}{{ $_ := set $env "TICKCAST_SNAPSHOTS_DIR" "snapshots.mountPath" }}{{ end }}
{{- if .Values.apiKeys.existingSecret }}{{ $_ := set $env "TICKCAST_HTTP_API_KEYS_FILE" "apiKeys.existingSecret" }}{{ end }}
{{- $sasl := .Values.kafkaAuth.sasl }}
{{- if $sasl.enabled }}
{{- $_ := set $env "TICKCAST_KAFKA_SASL_MECHANISM" "kafkaAuth.sasl.mechanism" }}
{{- if eq $sasl.mechanism "oauthbearer" }}
{{- range list "TICKCAST_KAFKA_OIDC_TOKEN_ENDPOINT_URL" "TICKCAST_KAFKA_OIDC_CLIENT_ID" "TICKCAST_KAFKA_OIDC_CLIENT_SECRET_FILE" }}{{ $_ := set $env . "kafkaAuth.sasl.oauthbearer" }}{{ end }}
{{- if $sasl.oauthbearer.scope }}{{ $_ := set $env "TICKCAST_KAFKA_OIDC_SCOPE" "kafkaAuth.sasl.oauthbearer.scope" }}{{ end }}
{{- else }}
{{- $_ := set $env "TICKCAST_KAFKA_SASL_PASSWORD_FILE" "kafkaAuth.sasl.existingSecret" }}
{{- if $sasl.username }}{{ $_ := set $env "TICKCAST_KAFKA_SASL_USERNAME" "kafkaAuth.sasl.username" }}{{ else }}{{ $_ := set $env "TICKCAST_KAFKA_SASL_USERNAME_FILE" "kafkaAuth.sasl.existingSecret" }}{{ end }}
{{- end }}
{{- end }}
{{- if .Values.kafkaAuth.tls.caSecret }}{{ $_ := set $env "TICKCAST_KAFKA_TLS_CA_LOCATION" "kafkaAuth.tls.caSecret" }}{{ end }}
{{- if .Values.kafkaAuth.tls.clientSecret }}
{{- range list "TICKCAST_KAFKA_TLS_CERT_LOCATION" "TICKCAST_KAFKA_TLS_KEY_LOCATION" }}{{ $_ := set $env . "kafkaAuth.tls.clientSecret" }}{{ end }}
{{- if .Values.kafkaAuth.tls.keyPasswordKey }}{{ $_ := set $env "TICKCAST_KAFKA_TLS_KEY_PASSWORD_FILE" "kafkaAuth.tls.keyPasswordKey" }}{{ end }}
{{- end }}
{{- toJson $env }}
{{- end }}

{{/* Fails rendering on value combinations that cannot work. */}}
{{- define "tickcast.validate" -}}
{{- if and .Values.autoscaling.keda.enabled .Values.autoscaling.hpa.enabled }}
{{- fail "autoscaling.keda.enabled and autoscaling.hpa.enabled are mutually exclusive: enable one" }}
{{- end }}
{{- /* The API server refuses an HPA (KEDA's too) whose minReplicas exceeds maxReplicas; the cap is the partition count. */}}
{{- if and (or .Values.autoscaling.keda.enabled .Values.autoscaling.hpa.enabled) (gt (.Values.autoscaling.minReplicas | int) (include "tickcast.maxReplicas" . | int)) }}
{{- fail (printf "autoscaling.minReplicas (%d) exceeds the replica cap min(autoscaling.maxReplicas, autoscaling.partitionCount) = %d: the API server refuses the autoscaler. Lower minReplicas, or raise maxReplicas / partitionCount (the ticks topic's real partition count)" (.Values.autoscaling.minReplicas | int) (include "tickcast.maxReplicas" . | int)) }}
{{- end }}
{{- $kafka := .Values.config.kafka | default dict }}
{{- $brokers := include "tickcast.brokers" . }}
{{- if and .Values.autoscaling.keda.enabled (not $brokers) (not .Values.autoscaling.keda.bootstrapServers) }}
{{- fail "autoscaling.keda.enabled needs Kafka: set config.kafka.brokers (embedded mode has no consumer lag to scale on)" }}
{{- end }}
{{- if and .Values.autoscaling.keda.enabled (eq $brokers "?") (not .Values.autoscaling.keda.bootstrapServers) }}
{{- fail "extraEnv gives the brokers by valueFrom or as a _FILE, which the chart cannot read: set autoscaling.keda.bootstrapServers for KEDA's lag trigger" }}
{{- end }}
{{- $np := .Values.networkPolicy }}
{{- if and $np.enabled (eq $brokers "?") (not $np.egress.kafka.ports) }}
{{- fail "networkPolicy.enabled with the brokers from extraEnv's valueFrom or a _FILE, which the chart cannot read: set networkPolicy.egress.kafka.ports (the brokers' ports, advertised ones included), or the pods could not reach Kafka" }}
{{- end }}
{{- $otlp := include "tickcast.otlpEndpoint" . }}
{{- if and $np.enabled (eq $otlp "?") (not $np.egress.otlp.ports) }}
{{- fail "networkPolicy.enabled with the OTLP endpoint from extraEnv's valueFrom or a _FILE, which the chart cannot read: set networkPolicy.egress.otlp.ports (the collector's port), or the pods' spans would be dropped" }}
{{- end }}
{{- if and $np.enabled $otlp (ne $otlp "?") (not $np.egress.otlp.ports) (not (include "tickcast.otlpPorts" .)) }}
{{- fail (printf "networkPolicy.enabled: the OTLP endpoint %q names no port and no http:// or https:// scheme to take one from: write it as http://host:port, or set networkPolicy.egress.otlp.ports" $otlp) }}
{{- end }}
{{- if and $np.enabled .Values.kafkaAuth.sasl.enabled (eq .Values.kafkaAuth.sasl.mechanism "oauthbearer") (not $np.egress.oidc.ports) (not (include "tickcast.urlPort" .Values.kafkaAuth.sasl.oauthbearer.tokenEndpointUrl)) }}
{{- fail (printf "networkPolicy.enabled: kafkaAuth.sasl.oauthbearer.tokenEndpointUrl %q names no port and no http:// or https:// scheme to take one from: write it as a URL, or set networkPolicy.egress.oidc.ports" .Values.kafkaAuth.sasl.oauthbearer.tokenEndpointUrl) }}
{{- end }}
{{- $s3 := .Values.modelStore.objectStore.endpoint }}
{{- if and $np.enabled (eq .Values.modelStore.type "objectStore") $s3 (not $np.egress.objectStore.ports) (not (include "tickcast.urlPort" $s3)) }}
{{- fail (printf "networkPolicy.enabled: modelStore.objectStore.endpoint %q names no port and no http:// or https:// scheme to take one from: write it as a URL, or set networkPolicy.egress.objectStore.ports" $s3) }}
{{- end }}
{{- if and .Values.kafkaAuth.sasl.enabled (not .Values.kafkaAuth.sasl.existingSecret) }}
{{- fail "kafkaAuth.sasl.enabled needs kafkaAuth.sasl.existingSecret (a Secret with the SASL username and password)" }}
{{- end }}
{{- $oauth := .Values.kafkaAuth.sasl.oauthbearer }}
{{- if and .Values.kafkaAuth.sasl.enabled (eq .Values.kafkaAuth.sasl.mechanism "oauthbearer") (not (and $oauth.tokenEndpointUrl $oauth.clientId)) }}
{{- fail "kafkaAuth.sasl.mechanism oauthbearer needs kafkaAuth.sasl.oauthbearer.tokenEndpointUrl and .clientId (the app refuses OAUTHBEARER without them at start: exit 78)" }}
{{- end }}
{{- /* ReadWriteOncePod: one pod in the cluster may use the claim; every other replica stays Pending for good. */}}
{{- if and (eq .Values.modelStore.type "pvc") (has "ReadWriteOncePod" .Values.modelStore.pvc.accessModes) }}
{{- $autoscaled := or .Values.autoscaling.keda.enabled .Values.autoscaling.hpa.enabled }}
{{- $replicas := ternary (include "tickcast.maxReplicas" . | int) (.Values.replicaCount | int) $autoscaled }}
{{- if gt $replicas 1 }}
{{- fail (printf "modelStore.pvc.accessModes has ReadWriteOncePod, which one pod alone may mount, but up to %d replicas would run (%s): every pod but one would stay Pending. Use ReadWriteMany (shared model store), modelStore.type emptyDir or objectStore, or one replica" $replicas (ternary "autoscaling.maxReplicas / partitionCount" "replicaCount" $autoscaled)) }}
{{- end }}
{{- end }}
{{- if and (eq .Values.modelStore.type "objectStore") (not .Values.modelStore.objectStore.uri) }}
{{- fail "modelStore.type objectStore needs modelStore.objectStore.uri (s3://bucket/prefix)" }}
{{- end }}
{{- $http := .Values.config.http | default dict }}
{{- if and .Values.serviceMonitor.enabled $http.requireAuthForReads (not .Values.serviceMonitor.authorization.secretName) }}
{{- fail "config.http.requireAuthForReads makes /metrics need an API key: set serviceMonitor.authorization.secretName (a Secret whose key serviceMonitor.authorization.secretKey holds one API key) so Prometheus can scrape" }}
{{- end }}
{{- /* Prometheus refuses a scrape whose timeout exceeds its interval: the target would never be scraped (TickcastTargetDown). */}}
{{- if .Values.serviceMonitor.enabled }}
{{- $interval := include "tickcast.durationMs" .Values.serviceMonitor.interval | int64 }}
{{- $timeout := include "tickcast.durationMs" .Values.serviceMonitor.scrapeTimeout | int64 }}
{{- if gt $timeout $interval }}
{{- fail (printf "serviceMonitor.scrapeTimeout (%s) exceeds serviceMonitor.interval (%s): Prometheus refuses such a scrape, so tickcast would not be scraped. Lower scrapeTimeout to at most the interval" .Values.serviceMonitor.scrapeTimeout .Values.serviceMonitor.interval) }}
{{- end }}
{{- end }}
{{- /* extraEnv naming a variable the chart sets: the pod would carry it twice and the app take the later,
extraEnv's (a port the probes do not use, a model dir on the read-only root). Each one's _FILE twin too:
the loader takes X_FILE over X, so one of the two would be ignored without a word. */}}
{{- $chartEnv := include "tickcast.chartEnv" . | fromJson }}
{{- range .Values.extraEnv }}
{{- $name := .name | toString }}
{{- range $own, $key := $chartEnv }}
{{- if or (eq $name $own) (and (hasPrefix "TICKCAST_" $own) (eq $name (printf "%s_FILE" $own))) (and (hasSuffix "_FILE" $own) (eq $name (trimSuffix "_FILE" $own))) }}
{{- if hasPrefix "metadata." $key }}
{{- fail (printf "extraEnv sets %s, which the chart sets itself (the pod's %s, from the downward API): drop it" $name $key) }}
{{- end }}
{{- fail (printf "extraEnv sets %s, which the chart sets itself (from %s): set %s instead" $name $key $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- $targetDown := .Values.prometheusRule.rules.targetDown }}
{{- if and .Values.prometheusRule.enabled $targetDown.enabled (not .Values.serviceMonitor.enabled) (not $targetDown.job) }}
{{- fail "prometheusRule.rules.targetDown selects up{job=<the Service name>}, the job of the chart's ServiceMonitor, but serviceMonitor.enabled is false: scraped any other way, TickcastTargetDown would fire forever (absent(up)). Enable serviceMonitor, set prometheusRule.rules.targetDown.job to the job label your scrape gives the pods, or set prometheusRule.rules.targetDown.enabled=false" }}
{{- end }}
{{- /* The app refuses each of these at start (TC_CONFIG_INVALID, exit 78): say so at install instead. */}}
{{- $protocol := include "tickcast.kafkaProtocol" . }}
{{- if not (has $protocol (list "plaintext" "ssl" "sasl_plaintext" "sasl_ssl")) }}
{{- fail (printf "config.kafka.securityProtocol %q is not one of auto, plaintext, ssl, sasl_plaintext, sasl_ssl" $kafka.securityProtocol) }}
{{- end }}
{{- $tls := include "tickcast.kafkaTls" . }}
{{- if and .Values.kafkaAuth.tls.caSecret (not $tls) }}
{{- fail (printf "kafkaAuth.tls.caSecret is set but the Kafka client does not use TLS (security protocol %s): set config.kafka.ssl: true (or config.kafka.securityProtocol ssl / sasl_ssl), or drop the CA" $protocol) }}
{{- end }}
{{- if and .Values.kafkaAuth.tls.clientSecret (not $tls) }}
{{- fail (printf "kafkaAuth.tls.clientSecret (mutual TLS) is set but the Kafka client does not use TLS (security protocol %s): set config.kafka.ssl: true (or config.kafka.securityProtocol ssl / sasl_ssl), or drop the client certificate" $protocol) }}
{{- end }}
{{- if and (hasPrefix "sasl_" $protocol) (not .Values.kafkaAuth.sasl.enabled) }}
{{- fail (printf "config.kafka.securityProtocol is %s but kafkaAuth.sasl.enabled is false: enable kafkaAuth.sasl (mechanism and existingSecret) or use %s" $protocol (trimPrefix "sasl_" $protocol)) }}
{{- end }}
{{- if and .Values.kafkaAuth.sasl.enabled (not (hasPrefix "sasl_" $protocol)) }}
{{- fail (printf "kafkaAuth.sasl.enabled but config.kafka.securityProtocol is %s: use sasl_%s, or leave securityProtocol at auto" $protocol $protocol) }}
{{- end }}
{{- /* The root filesystem is read-only: the feedback log (appended, fsync'd) must be on a volume that outlives the pod. */}}
{{- $feedbackFile := (index .Values.config "feedback" | default dict).file }}
{{- if $feedbackFile }}
{{- $writable := list (printf "%s/" (trimSuffix "/" .Values.modelStore.mountPath)) }}
{{- range .Values.extraVolumeMounts }}
{{- if not .readOnly }}
{{- $writable = append $writable (printf "%s/" (trimSuffix "/" .mountPath)) }}
{{- end }}
{{- end }}
{{- $onVolume := false }}
{{- range $writable }}
{{- if hasPrefix . $feedbackFile }}
{{- $onVolume = true }}
{{- end }}
{{- end }}
{{- if not $onVolume }}
{{- fail (printf "config.feedback.file %s is on the read-only root filesystem: leave it empty (<modelStore.mountPath>/feedback.jsonl), put it under modelStore.mountPath (%s), or under a writable volume of extraVolumes/extraVolumeMounts" $feedbackFile .Values.modelStore.mountPath) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
An alert's dashboard_url annotation, only with prometheusRule.dashboardUrl set: the dashboard opened on
the alert's release (var-namespace, var-job) and, where the alert names a pod (`instance`), that pod
(var-instance; the dashboard's Pod variable). Indented for the annotations of prometheusrule.yaml.
*/}}
{{- define "tickcast.alertDashboardUrl" -}}
{{- with .Values.prometheusRule.dashboardUrl }}
            dashboard_url: "{{ . }}{{ if contains "?" . }}&{{ else }}?{{ end }}{{`{{ with $labels.namespace }}var-namespace={{ . | urlquery }}&{{ end }}var-job={{ $labels.job | urlquery }}{{ with $labels.instance }}&var-instance={{ . | urlquery }}{{ end }}`}}"
{{- end }}
{{- end }}
