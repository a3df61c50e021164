/**
 * onnxruntime's own usage telemetry, off before onnxruntime-node starts. Its Linux build (1.30
 * here) records events with Microsoft's 1DS SDK in a SQLite file under
 * `$HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/`, uploads them to
 * mobile.events.data.microsoft.com when it finds a CA bundle, and at process exit checkpoints that
 * file with fsyncs on the exiting thread — seconds on a busy disk, after every log line (the
 * "forced exit 3.2 s later" in docs/reliability.md). A service has no business doing either.
 * `ORT_DISABLE_TELEMETRY` is onnxruntime's own switch; a value the operator set is kept.
 *
 * Set on the process environment from the main thread (importers: ./onnx-pool.ts and
 * ./onnx-predictor.ts, before onnxruntime-node): worker threads and the trainer process inherit
 * it, whereas a worker's own `process.env` is a private copy native code does not see.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';
