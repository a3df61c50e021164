#!/usr/bin/env python3
"""Scale-out on CPU, as tickcast serves: N processes, each one onnxruntime session with 1 intra-op
thread (tickcast's default `model.onnxIntraOpThreads: 1`, cores used through
`batching.maxInFlightBatches` and replicas), all running tickcast's exported graph at the same
time. Prints the total windows/s per (model, processes, batch). For load/gpu/run.sh; argv[1] is
the folder load/gpu/prepare.ts wrote, argv[2] a comma list of process counts (default: all cores).
"""
import json
import multiprocessing as mp
import os
import sys
import time

SECONDS = float(os.environ.get("ORT_SECONDS", "3"))


def worker(path, W, F, b, start, q):
    import numpy as np
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(os.getpid()).standard_normal((b, W, F), dtype=np.float32) * 10 + 50
    sess.run(["y"], {"x": x})
    start.wait()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < SECONDS:
        sess.run(["y"], {"x": x})
        n += 1
    q.put(n * b / (time.perf_counter() - t0))


def main():
    root = sys.argv[1]
    counts = [int(v) for v in (sys.argv[2] if len(sys.argv) > 2 else str(os.cpu_count())).split(",")]
    index = json.load(open(os.path.join(root, "index.json")))
    out = []
    for name in index["models"]:
        m = json.load(open(os.path.join(root, name, "manifest.json")))
        W, F = m["spec"]["window"], len(m["spec"]["features"])
        for procs in counts:
            for b in (64, 1024):
                start, q = mp.Event(), mp.Queue()
                ps = [mp.Process(target=worker, args=(os.path.join(root, name, "model.onnx"), W, F, b, start, q)) for _ in range(procs)]
                for p in ps:
                    p.start()
                time.sleep(2.0)  # sessions created and warmed up
                start.set()
                rates = [q.get(timeout=120) for _ in ps]
                for p in ps:
                    p.join()
                row = {"model": name, "processes": procs, "batch": b, "windowsPerSec": sum(rates), "perProcess": min(rates)}
                print(json.dumps(row), file=sys.stderr, flush=True)
                out.append(row)
    print(json.dumps({"cpus": os.cpu_count(), "seconds": SECONDS, "runs": out}))


if __name__ == "__main__":
    main()
