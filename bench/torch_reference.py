#!/usr/bin/env python3
"""PyTorch CUDA's cross-entropy on the same shapes as `npm run bench:gpu`, on the same GPU.

Times torch.nn.functional.cross_entropy (sparse labels, mean) forward, and the loss with its
gradient (torch.autograd.grad), eager and torch.compile'd, and writes JSON that the Node
benchmark merges (--reference FILE) so its report can say "x times PyTorch CUDA".

  python3 bench/torch_reference.py --out torch.json [--shapes 1024x1000,256x32000] [--quick]

Per call: CUDA events around the call (GPU time) and perf_counter around the call and
loss.item() (wall: the call and one readback of its scalar, as the Node benchmark times its
calls); medians over the warm calls after warm-up. Each variant is first checked against float64
PyTorch on the same inputs; a wrong one is not timed. Without a CUDA PyTorch it says so and
exits with status 3, writing nothing.
"""
import argparse
import json
import platform
import statistics
import sys
import time

# The same default list as bench/config.ts (run.sh passes the Node benchmark's own list).
DEFAULT_SHAPES = "4096x10,16384x100,1024x1000,256x32000,64x50257,8x128256,2048x32000"
LOSS_RTOL = 1e-4  # bench/data.ts: LOSS_RTOL, GRAD_RTOL, gradAtol
GRAD_RTOL = 1e-4
NO_CUDA = 3


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shapes", default=DEFAULT_SHAPES, help="ROWSxCLASSES,... (default: the benchmark's)")
    p.add_argument("--iters", type=int, help="most warm calls per shape and variant (default 30; --quick 5)")
    p.add_argument("--quick", action="store_true", help="fewer calls, a smaller time budget")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-compile", action="store_true", help="eager only (torch.compile takes seconds per shape)")
    p.add_argument("--out", required=True, help="where the JSON goes")
    return p.parse_args()


def parse_shapes(s):
    out = []
    for t in filter(None, (x.strip() for x in s.split(","))):
        r, _, c = t.lower().replace("×", "x").partition("x")
        if not (r.isdigit() and c.isdigit()):
            sys.exit(f"bad shape {t!r}: expected ROWSxCLASSES, e.g. 1024x1000")
        out.append((int(r), int(c)))
    return out


def cuda_torch():
    """torch when it is installed with a working CUDA device, else None and why."""
    try:
        import torch
    except ImportError:
        return None, "torch is not installed"
    if not torch.cuda.is_available():
        return None, f"torch {torch.__version__} sees no CUDA device (built for CUDA: {torch.version.cuda or 'no'})"
    return torch, None


def quantile(s, f):
    if len(s) == 1:
        return s[0]
    pos = f * (len(s) - 1)
    lo = int(pos)
    hi = min(len(s) - 1, lo + 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def stats(xs, reduced):
    """The Node benchmark's Timing (bench/types.ts)."""
    s = sorted(xs)
    return {"median": quantile(s, 0.5), "p10": quantile(s, 0.1), "p90": quantile(s, 0.9), "min": s[0], "n": len(s), "reduced": reduced}


class Bench:
    def __init__(self, torch, iters, budget_s, warmup):
        self.torch, self.iters, self.budget_s, self.warmup = torch, iters, budget_s, warmup

    def check(self, loss, grad, x, y):
        torch, F = self.torch, self.torch.nn.functional
        x64 = x.detach().double().requires_grad_(grad is not None)
        want = F.cross_entropy(x64, y)
        rel = abs(loss.item() - want.item()) / abs(want.item())
        ok = rel <= LOSS_RTOL
        msg = f"loss {loss.item():.7g} vs float64 {want.item():.7g} (rel err {rel:.1e})"
        out = {"ok": ok, "loss": loss.item(), "expected": want.item(), "relErr": rel}
        if grad is not None:
            (g64,) = torch.autograd.grad(want, x64)
            # Error as a fraction of the tolerance: 1 is at the edge.
            err = (grad.double() - g64).abs() / (1e-6 / x.shape[0] + GRAD_RTOL * g64.abs())
            failed = int((err > 1).sum().item())
            worst = err.max().item()
            message = f"grad ok (worst {worst:.2f} of tolerance)" if failed == 0 else f"grad: {failed} of {grad.numel()} outside tolerance"
            out["grad"] = {"ok": failed == 0, "failed": failed, "count": grad.numel(), "worst": worst, "message": message}
            out["ok"] = ok and failed == 0
            msg += f"; {out['grad']['message']}"
        out["message"] = msg
        return out

    def run(self, fn, x, y, grad):
        """First call, check, then warm calls: (firstMs, check, wall, gpu)."""
        torch = self.torch
        t0 = time.perf_counter()
        loss, g = fn(x, y)
        loss.item()
        first = (time.perf_counter() - t0) * 1e3
        check = self.check(loss, g if grad else None, x, y)
        if not check["ok"]:
            return first, check, None, None
        for _ in range(self.warmup):
            fn(x, y)[0].item()
        walls, gpus = [], []
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        deadline = time.perf_counter() + self.budget_s
        while len(walls) < self.iters and (len(walls) < 3 or time.perf_counter() < deadline):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            start.record()
            loss, g = fn(x, y)
            end.record()
            loss.item()
            walls.append((time.perf_counter() - t0) * 1e3)
            end.synchronize()
            gpus.append(start.elapsed_time(end))
            del loss, g
        reduced = len(walls) < self.iters
        return first, check, stats(walls, reduced), stats(gpus, reduced)


def variants(torch, compile_too, notes):
    F = torch.nn.functional

    def forward(x, y):
        return F.cross_entropy(x, y), None

    def fused_of(loss_fn):
        def fused(x, y):
            loss = loss_fn(x, y)
            (g,) = torch.autograd.grad(loss, x)
            return loss, g
        return fused

    out = [("torch-cuda", "PyTorch CUDA: F.cross_entropy", "forward", forward),
           ("torch-cuda-grad", "PyTorch CUDA: F.cross_entropy + autograd.grad", "fused", fused_of(lambda x, y: F.cross_entropy(x, y)))]
    if compile_too:
        try:
            torch._dynamo.config.cache_size_limit = max(64, torch._dynamo.config.cache_size_limit)
            # dynamic=False: a kernel specialised to each shape, torch at its best.
            cfwd = torch.compile(lambda x, y: F.cross_entropy(x, y), dynamic=False)
            out += [("torch-compile", "PyTorch CUDA: torch.compile(F.cross_entropy)", "forward", lambda x, y: (cfwd(x, y), None)),
                    ("torch-compile-grad", "PyTorch CUDA: torch.compile(F.cross_entropy) + autograd.grad", "fused", fused_of(cfwd))]
        except Exception as e:  # an older torch, a missing compiler: eager still counts
            notes.append(f"torch.compile unavailable: {type(e).__name__}: {e}")
    else:
        notes.append("torch.compile not run (--no-compile)")
    return out


def main():
    a = parse_args()
    shapes = parse_shapes(a.shapes)
    torch, why = cuda_torch()
    if torch is None:
        print(f"torch_reference: no CUDA PyTorch here ({why}); nothing measured, no JSON written.", file=sys.stderr)
        return NO_CUDA
    iters = a.iters or (5 if a.quick else 30)
    bench = Bench(torch, iters, 0.6 if a.quick else 2.0, 2 if a.quick else 5)
    notes = []
    impls = variants(torch, not a.no_compile, notes)
    dev = torch.cuda.get_device_name(0)
    print(f"torch {torch.__version__} (CUDA {torch.version.cuda}) on {dev}", flush=True)
    out_shapes = []
    gen = torch.Generator(device="cuda")
    for rows, classes in shapes:
        gen.manual_seed(a.seed * 1_000_003 + rows * 7919 + classes)
        x = (2 * torch.randn(rows, classes, device="cuda", generator=gen)).requires_grad_(True)
        y = torch.randint(0, classes, (rows,), device="cuda", generator=gen)
        rows_out = []
        for id_, label, work, fn in impls:
            row = {"id": id_, "label": label, "work": work}
            try:
                first, check, wall, gpu = bench.run(fn, x, y, work == "fused")
                row.update({"firstMs": first, "check": check})
                if wall:
                    row.update({"wall": wall, "gpu": gpu})
                    print(f"  {rows}x{classes} {id_}: GPU {gpu['median']:.4f} ms, wall {wall['median']:.4f} ms (n {wall['n']})", flush=True)
                else:
                    print(f"  {rows}x{classes} {id_}: WRONG RESULT, not timed: {check['message']}", flush=True)
            except torch.cuda.OutOfMemoryError as e:
                row["skipped"] = f"out of memory: {e}".splitlines()[0]
            except Exception as e:  # one variant failing (a compiler error) must not lose the others
                row["error"] = f"{type(e).__name__}: {e}".splitlines()[0]
                print(f"  {rows}x{classes} {id_}: ERROR {row['error']}", flush=True)
            rows_out.append(row)
        out_shapes.append({"rows": rows, "classes": classes, "impls": rows_out})
        del x, y
        torch.cuda.empty_cache()
    result = {
        "schema": 1, "kind": "torch-reference", "device": dev,
        "versions": {"torch": torch.__version__, "cuda": str(torch.version.cuda), "python": platform.python_version()},
        "notes": notes, "shapes": out_shapes,
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
