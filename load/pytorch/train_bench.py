#!/usr/bin/env python3
"""Training-speed reference of the tickcast hybrid model in PyTorch, for `npm run bench:train` only.

Same architecture and training step as src/model (docs/model.md): RevIN, patch embedding (patches of
P steps every S, end-aligned), 2-layer BiLSTM with gated skip + LayerNorm, projection + positional
embedding, post-norm Transformer encoder, attention pooling, quantile head ordered by construction,
NLinear-style linear skip; pinball loss, Adam, global-norm clipping at 1.0, dropout between LSTM
layers. Random initialisation (timing only). Reads a JSON request on argv[1] ({threads, minSeconds,
shapes, device?: "cpu" | "cuda", infer?: [{window, horizon, patchLength, patchStride, batch}]}); prints
one JSON object: steps/s per training shape and, for `infer`, windows/s of the forward pass alone.
On "cuda" every timed span ends with torch.cuda.synchronize(), so GPU work is counted, not queued.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as Fn


class Hybrid(nn.Module):
    def __init__(self, W, H, P, S, D=32, Hh=48, layers=2, heads=4, quantiles=(0.1, 0.5, 0.9)):
        super().__init__()
        P = min(P, W)
        S = min(S, P)
        self.W, self.H, self.P, self.S = W, H, P, S
        self.N = (W - P) // S + 1
        self.t0 = W - (self.N - 1) * S - P
        self.register_buffer("q", torch.tensor(quantiles))
        self.m = list(quantiles).index(0.5)
        O = 2 * Hh
        self.embed = nn.Linear(P, D)
        self.lstm = nn.LSTM(D, Hh, num_layers=layers, bidirectional=True, batch_first=True, dropout=0.2)
        self.skip = nn.Linear(D, O)
        self.gate = nn.Linear(2 * O, O)
        self.ln = nn.LayerNorm(O)
        self.proj = nn.Linear(O, D)
        self.pos = nn.Parameter(torch.randn(self.N, D) * 0.02)
        self.enc = nn.TransformerEncoderLayer(D, heads, dim_feedforward=2 * D, dropout=0.0, batch_first=True)
        self.pool = nn.Linear(D, D)
        self.query = nn.Parameter(torch.randn(D) * 0.02)
        self.head = nn.Linear(D, H * len(quantiles))
        self.linear_skip = nn.Linear(W, H)

    def forward(self, x):  # x [B, W]
        mu = x.mean(1, keepdim=True)
        sd = torch.sqrt(x.var(1, unbiased=False, keepdim=True) + 1e-5)
        xn = (x - mu) / sd
        tok = xn[:, self.t0:].unfold(1, self.P, self.S)  # [B, N, P]
        p = self.embed(tok)
        h, _ = self.lstm(p)
        s = self.skip(p)
        g = torch.sigmoid(self.gate(torch.cat([h, s], -1)))
        z = self.ln(s + g * (h - s))
        e = self.enc(self.proj(z) + self.pos)
        alpha = torch.softmax(self.pool(e) @ self.query / e.shape[-1] ** 0.5, 1)
        pooled = (alpha.unsqueeze(-1) * e).sum(1)
        r = self.head(pooled).view(-1, self.H, len(self.q))
        base = self.linear_skip(xn)
        m = self.m
        ys = [None] * len(self.q)
        ys[m] = base + r[..., m]
        for k in range(m + 1, len(self.q)):
            ys[k] = ys[k - 1] + Fn.softplus(r[..., k])
        for k in range(m - 1, -1, -1):
            ys[k] = ys[k + 1] - Fn.softplus(r[..., k])
        y = torch.stack(ys, -1)
        return y * sd.unsqueeze(-1) + mu.unsqueeze(-1)


def pinball(pred, y, q):
    e = y.unsqueeze(-1) - pred
    return torch.maximum(q * e, (q - 1) * e).mean()


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def batch_of(W, H, B, device):
    t = torch.arange(W + H, dtype=torch.float32)
    series = torch.sin(t.unsqueeze(0) / 10 + torch.rand(B, 1) * 6) + 0.1 * torch.randn(B, W + H)
    return series[:, :W].contiguous().to(device), series[:, W:].contiguous().to(device)


def timed(fn, min_seconds, device):
    fn()  # warm-up (cuDNN picks its kernels here)
    sync(device)
    n, t0 = 0, time.perf_counter()
    while n < 2 or time.perf_counter() - t0 < min_seconds:
        fn()
        n += 1
        if device == "cuda" and n % 8 == 0:
            sync(device)
    sync(device)
    return n, time.perf_counter() - t0


def measure(shape, min_seconds, device="cpu"):
    torch.manual_seed(1)
    W, H, B = shape["window"], shape["horizon"], shape["batch"]
    model = Hybrid(W, H, shape["patchLength"], shape["patchStride"]).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = batch_of(W, H, B, device)

    def step():
        opt.zero_grad()
        loss = pinball(model(x), y, model.q)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    n, sec = timed(step, min_seconds, device)
    return {**shape, "device": device, "steps": n, "seconds": sec, "stepsPerSec": n / sec, "windowsPerSec": n * B / sec, "tokens": model.N}


def measure_infer(shape, min_seconds, device="cpu"):
    torch.manual_seed(1)
    W, H, B = shape["window"], shape["horizon"], shape["batch"]
    model = Hybrid(W, H, shape["patchLength"], shape["patchStride"]).to(device).eval()
    x, _ = batch_of(W, H, B, device)
    with torch.inference_mode():
        n, sec = timed(lambda: model(x), min_seconds, device)
    return {**shape, "device": device, "calls": n, "seconds": sec, "windowsPerSec": n * B / sec, "msPerCall": 1000 * sec / n}


def main():
    req = json.loads(sys.argv[1])
    torch.set_num_threads(req["threads"])
    device = req.get("device", "cpu")
    if device == "cuda":
        torch.backends.cudnn.benchmark = True
    out = [measure(s, req["minSeconds"], device) for s in req["shapes"]]
    infer = [measure_infer(s, req["minSeconds"], device) for s in req.get("infer", [])]
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": device}
    if device == "cuda":
        info["gpu"] = torch.cuda.get_device_name(0)
    print(json.dumps({**info, "results": out, "infer": infer}))


if __name__ == "__main__":
    main()
