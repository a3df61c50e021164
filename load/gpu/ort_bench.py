#!/usr/bin/env python3
"""tickcast's exported ONNX graphs on onnxruntime's Python binding (the same C++ runtime as
onnxruntime-node) — for load/gpu/run.sh on a lent GPU machine, where Node.js is not installed.

Reads the folders load/gpu/prepare.ts wrote (argv[1]: the root with index.json). For each model
and each execution provider that onnxruntime offers there (CPU with 1 thread and with all cores;
CUDA and TensorRT when the build has them): the outputs on the check windows against what
onnxruntime-node gave on the build machine (max |Δ|), windows/s per batch size (wall clock, mean
over ≥ `seconds`), and batch-1 latency. Prints one JSON object; a provider that fails is reported
with its error, not dropped.
"""
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort

BATCHES = {"serving": [1, 64, 1024, 8192], "ett336": [1, 64, 1024]}
SECONDS = float(os.environ.get("ORT_SECONDS", "1.5"))


def session(path, provider, threads):
    so = ort.SessionOptions()
    so.log_severity_level = 3
    if threads:
        so.intra_op_num_threads = threads
    return ort.InferenceSession(path, so, providers=[provider, "CPUExecutionProvider"] if provider != "CPUExecutionProvider" else [provider])


def measure(sess, W, F, batches):
    rng = np.random.default_rng(1)
    tput = {}
    for b in batches:
        x = rng.standard_normal((b, W, F), dtype=np.float32) * 10 + 50
        sess.run(["y"], {"x": x})
        n, t0 = 0, time.perf_counter()
        while n < 2 or time.perf_counter() - t0 < SECONDS:
            sess.run(["y"], {"x": x})
            n += 1
        tput[str(b)] = n * b / (time.perf_counter() - t0)
    x = rng.standard_normal((1, W, F), dtype=np.float32) * 10 + 50
    lat = []
    for _ in range(200):
        t0 = time.perf_counter()
        sess.run(["y"], {"x": x})
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    return tput, {"p50": lat[100], "p99": lat[197]}


def main():
    root = sys.argv[1]
    index = json.load(open(os.path.join(root, "index.json")))
    avail = ort.get_available_providers()
    out = {"onnxruntime": ort.__version__, "device": ort.get_device(), "providers": avail, "onnxruntimeNodeOnBuildMachine": index["onnxruntimeNode"], "cpus": os.cpu_count(), "runs": []}
    plans = [("CPUExecutionProvider", 1), ("CPUExecutionProvider", os.cpu_count())]
    plans += [(p, 0) for p in ("CUDAExecutionProvider", "TensorrtExecutionProvider") if p in avail]
    for name in index["models"]:
        d = os.path.join(root, name)
        m = json.load(open(os.path.join(d, "manifest.json")))
        W, F, cb = m["spec"]["window"], len(m["spec"]["features"]), m["check"]["batch"]
        cx = np.fromfile(os.path.join(d, "check_x.bin"), dtype="<f4").reshape(cb, W, F)
        cy = np.fromfile(os.path.join(d, "check_y.bin"), dtype="<f4")
        ca = np.fromfile(os.path.join(d, "check_attention.bin"), dtype="<f4")
        for provider, threads in plans:
            run = {"model": name, "provider": provider, "threads": threads or None}
            try:
                sess = session(os.path.join(d, "model.onnx"), provider, threads)
                run["activeProviders"] = sess.get_providers()
                y, a = sess.run(["y", "attention"], {"x": cx})
                run["maxAbsDiffVsNode"] = float(max(np.abs(y.ravel() - cy).max(), np.abs(a.ravel() - ca).max()))
                batches = BATCHES.get(name, [1, 64, 1024])
                if threads == 1:  # one core: large batches only cost time, windows/s is flat by then
                    batches = [b for b in batches if b <= 256]
                run["windowsPerSec"], run["latencyMs"] = measure(sess, W, F, batches)
            except Exception as e:  # report, keep going
                run["error"] = str(e).split("\n")[0][:300]
            print(json.dumps(run), file=sys.stderr, flush=True)
            out["runs"].append(run)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
