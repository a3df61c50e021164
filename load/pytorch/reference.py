#!/usr/bin/env python3
"""PyTorch reference of the tickcast hybrid model, for `npm run bench:model` only (not product code).

Loads the weights the benchmark dumped (manifest.json + weights.bin, float32 little-endian, kernels
[in, out] as in src/model/weight-names.ts), builds the same architecture from stock PyTorch modules
(nn.LSTM, nn.TransformerEncoderLayer, nn.Linear), checks it reproduces the ONNX outputs the benchmark
wrote, then measures windows/s per batch size and batch-1 latency. Prints one JSON object on stdout.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as Fn


class Hybrid(nn.Module):
    def __init__(self, m, w):
        super().__init__()
        spec, cfg = m["spec"], m["config"]
        self.W = spec["window"]
        self.F = len(spec["features"])
        self.targets = [spec["features"].index(t) for t in spec["targets"]]
        self.T, self.H, self.Q = len(spec["targets"]), spec["horizon"], len(spec["quantiles"])
        self.median = spec["quantiles"].index(0.5)
        self.D = cfg["dModel"]
        self.Hh = cfg["lstm"]["hiddenSize"]
        self.dirs = 2 if cfg["lstm"]["bidirectional"] else 1
        self.revin = cfg["revin"]
        patch = cfg.get("patch") or {"length": 1, "stride": 1}
        # Patch tokens as src/model/patch.ts: N patches of P steps every S, aligned to the window's end.
        self.P, self.S = patch["length"], patch["stride"]
        self.N = (self.W - self.P) // self.S + 1
        self.t0 = self.W - (self.N - 1) * self.S - self.P
        self.use_attention = cfg["lstm"]["useAttention"]
        D, Hh, dirs = self.D, self.Hh, self.dirs
        O = dirs * Hh
        t = lambda name: torch.from_numpy(w[name])

        def dense(kernel, bias):
            k = t(kernel)
            lin = nn.Linear(k.shape[0], k.shape[1])
            lin.weight.data = k.T.contiguous()
            lin.bias.data = t(bias).clone()
            return lin

        self.input_proj = dense("input_proj/kernel", "input_proj/bias")
        L = cfg["lstm"]["numLayers"]
        self.lstm = nn.LSTM(D, Hh, num_layers=L, bidirectional=dirs == 2, batch_first=True)
        for l in range(L):
            in_size = D if l == 0 else O
            for d, suffix in enumerate(["", "_reverse"][:dirs]):
                k = t(f"lstm_{l}_{'fwd' if d == 0 else 'bwd'}/kernel")
                b = t(f"lstm_{l}_{'fwd' if d == 0 else 'bwd'}/bias")
                getattr(self.lstm, f"weight_ih_l{l}{suffix}").data = k[:in_size].T.contiguous()  # gates i,f,g,o as PyTorch
                getattr(self.lstm, f"weight_hh_l{l}{suffix}").data = k[in_size:].T.contiguous()
                getattr(self.lstm, f"bias_ih_l{l}{suffix}").data = b.clone()
                getattr(self.lstm, f"bias_hh_l{l}{suffix}").data = torch.zeros_like(b)
        self.lstm.flatten_parameters()
        self.skip = dense("skip/kernel", "skip/bias")
        self.gate = dense("gate/kernel", "gate/bias")
        self.ln_skip = nn.LayerNorm(O, eps=1e-5)
        self.ln_skip.weight.data, self.ln_skip.bias.data = t("ln_skip/gamma").clone(), t("ln_skip/beta").clone()
        self.proj = dense("proj/kernel", "proj/bias")
        self.pos = nn.Parameter(t("pos_emb").clone())
        tr = cfg["transformer"]
        self.encoder = nn.ModuleList()
        for i in range(tr["layers"]):
            p = f"enc_{i}"
            layer = nn.TransformerEncoderLayer(D, tr["heads"], dim_feedforward=tr["ffn"], dropout=0.0, activation="relu",
                                               layer_norm_eps=1e-5, batch_first=True, norm_first=False)
            layer.self_attn.in_proj_weight.data = torch.cat([t(f"{p}/wq").T, t(f"{p}/wk").T, t(f"{p}/wv").T], 0).contiguous()
            layer.self_attn.in_proj_bias.data = torch.cat([t(f"{p}/bq"), t(f"{p}/bk"), t(f"{p}/bv")])
            layer.self_attn.out_proj.weight.data = t(f"{p}/wo").T.contiguous()
            layer.self_attn.out_proj.bias.data = t(f"{p}/bo").clone()
            layer.linear1.weight.data, layer.linear1.bias.data = t(f"{p}/ffn1/kernel").T.contiguous(), t(f"{p}/ffn1/bias").clone()
            layer.linear2.weight.data, layer.linear2.bias.data = t(f"{p}/ffn2/kernel").T.contiguous(), t(f"{p}/ffn2/bias").clone()
            layer.norm1.weight.data, layer.norm1.bias.data = t(f"{p}/ln1/gamma").clone(), t(f"{p}/ln1/beta").clone()
            layer.norm2.weight.data, layer.norm2.bias.data = t(f"{p}/ln2/gamma").clone(), t(f"{p}/ln2/beta").clone()
            self.encoder.append(layer)
        if self.use_attention:
            self.pool = dense("pool/kernel", "pool/bias")
            self.query = nn.Parameter(t("pool/query").clone())
        self.head = dense("head/kernel", "head/bias")
        self.lin_skip = dense("linear_skip/kernel", "linear_skip/bias")

    def forward(self, x):
        B = x.shape[0]
        if self.revin:
            mu = x.mean(1, keepdim=True)
            sd = torch.sqrt(x.var(1, keepdim=True, unbiased=False) + 1e-5)
            xn = (x - mu) / sd
        else:
            xn = x
        if self.P == 1 and self.S == 1:
            p = self.input_proj(xn)
        else:  # [B, W, F] → [B, N, P·F], element p·F + f = step start(n) + p, feature f
            tok = xn[:, self.t0:].unfold(1, self.P, self.S)  # [B, N, F, P]
            p = self.input_proj(tok.transpose(2, 3).reshape(B, self.N, self.P * self.F))
        h, _ = self.lstm(p)
        s = self.skip(p)
        g = torch.sigmoid(self.gate(torch.cat([h, s], 2)))
        z = self.ln_skip(g * h + (1 - g) * s)
        e = self.proj(z) + self.pos
        for layer in self.encoder:
            e = layer(e)
        if self.use_attention:
            score = self.pool(e) @ self.query / math.sqrt(self.D)
            alpha = torch.softmax(score, 1)
        else:
            alpha = torch.full((B, self.N), 1.0 / self.N, device=x.device)
        pooled = torch.bmm(alpha.unsqueeze(1), e).squeeze(1)
        r = self.head(pooled).reshape(B, self.H, self.T, self.Q)
        xt = xn[:, :, self.targets].transpose(1, 2)  # [B, T, W]
        base = self.lin_skip(xt).transpose(1, 2)  # [B, H, T]
        m = self.median
        cols = [None] * self.Q
        cols[m] = base + r[..., m]
        for k in range(m + 1, self.Q):
            cols[k] = cols[k - 1] + Fn.softplus(r[..., k])
        for k in range(m - 1, -1, -1):
            cols[k] = cols[k + 1] - Fn.softplus(r[..., k])
        y = torch.stack(cols, -1)
        if self.revin:
            y = y * sd[:, 0, self.targets].reshape(B, 1, self.T, 1) + mu[:, 0, self.targets].reshape(B, 1, self.T, 1)
        if self.P != 1 or self.S != 1:  # token attention spread evenly over each token's steps
            steps = torch.zeros(B, self.W, device=x.device)
            for n in range(self.N):
                s0 = self.t0 + n * self.S
                steps[:, s0:s0 + self.P] += alpha[:, n:n + 1] / self.P
            alpha = steps
        return y, alpha


def load(dir_):
    with open(os.path.join(dir_, "manifest.json")) as f:
        m = json.load(f)
    raw = np.fromfile(os.path.join(dir_, "weights.bin"), dtype="<f4")
    w = {}
    for entry in m["weights"]:
        n = int(np.prod(entry["shape"])) if entry["shape"] else 1
        w[entry["name"]] = raw[entry["offset"]: entry["offset"] + n].reshape(entry["shape"]).copy()
    return m, w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--batches", default="1,32,128,512")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--latency-runs", type=int, default=300)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu", help="cpu or cuda (every timed span ends with a synchronize)")
    ap.add_argument("--no-tf32", action="store_true", help="cuda: plain fp32 matrix math (PyTorch lets cuDNN use TF32 by default)")
    args = ap.parse_args()
    if args.no_tf32:
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    torch.set_num_threads(args.threads)
    dev = args.device
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    m, w = load(args.dir)
    model = Hybrid(m, w).eval().to(dev)
    W, F = model.W, model.F
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": dev, "tf32": dev == "cuda" and torch.backends.cudnn.allow_tf32}
    if dev == "cuda":
        out["gpu"] = torch.cuda.get_device_name(0)
    with torch.inference_mode():
        check = m.get("check")
        if check:
            x = torch.from_numpy(np.fromfile(os.path.join(args.dir, "check_x.bin"), dtype="<f4").reshape(check["batch"], W, F)).to(dev)
            y, a = model(x)
            y_onnx = np.fromfile(os.path.join(args.dir, "check_y.bin"), dtype="<f4")
            a_onnx = np.fromfile(os.path.join(args.dir, "check_attention.bin"), dtype="<f4")
            out["maxAbsDiffVsOnnx"] = float(max(np.abs(y.cpu().numpy().ravel() - y_onnx).max(), np.abs(a.cpu().numpy().ravel() - a_onnx).max()))
            out["maxRelDiffVsOnnx"] = float((np.abs(y.cpu().numpy().ravel() - y_onnx) / np.maximum(np.abs(y_onnx), 1.0)).max())
        rng = np.random.default_rng(1)
        tput, tput_cpu = {}, {}
        for b in [int(v) for v in args.batches.split(",")]:
            x = torch.from_numpy(rng.standard_normal((b, W, F), dtype=np.float32)).to(dev)
            model(x)
            sync()
            n, t0, c0 = 0, time.perf_counter(), time.process_time()
            while time.perf_counter() - t0 < args.seconds or n < 1:
                model(x)
                n += 1
                if n % 8 == 0:
                    sync()
            sync()
            tput[str(b)] = n * b / (time.perf_counter() - t0)  # wall-clock mean, as the Node benchmark
            tput_cpu[str(b)] = n * b / max(time.process_time() - c0, 1e-9)  # per CPU-second of this process
        out["windowsPerCpuSec"] = tput_cpu
        out["windowsPerSec"] = tput
        x = torch.from_numpy(rng.standard_normal((1, W, F), dtype=np.float32)).to(dev)
        lat = []
        for _ in range(args.latency_runs):
            t0 = time.perf_counter()
            y, _ = model(x)
            y.cpu()  # the forecast reaches the host, as a serving call needs
            lat.append((time.perf_counter() - t0) * 1000)
        lat.sort()
        out["latencyMs"] = {"p50": lat[len(lat) // 2], "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))]}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
