#!/usr/bin/python3
"""Helpers of run.sh that read the JSON results of `lathe bench train` and zimage_ref.py.

  compare.py loss JAVA.json PYTORCH.json   exit 1 unless |loss_java − loss_py| <= 1e-4·|loss_py| (step 1)
  compare.py table RESULTS.jsonl           the side-by-side table (one JSON object per line, both sides)
"""

import json
import sys

LOSS_TOL = 1e-4
REQUIRED = ("impl", "size", "checkpointing", "loss_step1", "step_ms", "peak_rss_bytes", "tokens_per_s")


def load(path):
    """The last JSON object line of a file (tools may print other lines first)."""
    try:
        with open(path) as f:
            lines = [ln for ln in f.read().splitlines() if ln.strip().startswith("{")]
    except OSError as e:
        sys.exit(f"compare: {path}: {e.strerror}")
    if not lines:
        sys.exit(f"compare: {path}: no JSON object in the output")
    try:
        obj = json.loads(lines[-1])
    except json.JSONDecodeError as e:
        sys.exit(f"compare: {path}: invalid JSON ({e})")
    missing = [k for k in REQUIRED if k not in obj] if "step_ms" in obj or "loss_step1" in obj else []
    if missing:
        sys.exit(f"compare: {path}: missing fields {missing}")
    return obj


def check_loss(java_path, py_path):
    j, p = load(java_path), load(py_path)
    lj, lp = float(j["loss_step1"]), float(p["loss_step1"])
    diff = abs(lj - lp)
    rel = diff / abs(lp) if lp else diff
    if diff > LOSS_TOL * abs(lp):
        print(f"LOSS MISMATCH ({p.get('size')}): Java {lj:.8f} vs PyTorch {lp:.8f}, |d| = {diff:.3e} "
              f"= {rel:.2e} relative > {LOSS_TOL:g}. The two sides do not compute the same model on these "
              f"files, so their timings cannot be compared. Not timing anything.")
        return 1
    print(f"loss at step 1 agrees ({p.get('size')}): Java {lj:.8f}, PyTorch {lp:.8f}, relative |d| {rel:.2e}")
    return 0


def mib(b):
    return f"{b / 2**20:,.0f} MiB" if b else "-"


def table(path):
    runs = {}
    with open(path) as f:
        for ln in f:
            if ln.strip():
                r = json.loads(ln)
                runs.setdefault((r["size"], r["checkpointing"], r["impl"]), []).append(r)
    # With several runs per side (run.sh --repeats), report the run with the median step time.
    rows = {k: sorted(v, key=lambda r: r["step_ms"]["median"])[len(v) // 2] for k, v in runs.items()}
    n_runs = max(len(v) for v in runs.values()) if runs else 0
    if n_runs > 1:
        print(f"(each figure is from the median of {n_runs} alternating runs per side; 'pairs' is the range of "
              f"Java/PyTorch over the runs taken side by side, which shows how much the machine drifted)")
    order = {"tiny": 0, "small": 1, "medium": 2, "full": 3}
    keys = sorted({(s, c) for s, c, _ in rows}, key=lambda k: (order.get(k[0], 9), k[0], k[1]))
    head = ["size", "ckpt", "Java ms", "PyTorch ms", "Java/PyTorch"] + (["pairs"] if n_runs > 1 else []) + [
        "Java RSS", "PyTorch RSS", "Java img tok/s", "PyTorch img tok/s"]
    out = []
    for size, ck in keys:
        j, p = rows.get((size, ck, "lathe")), rows.get((size, ck, "pytorch"))
        jm = j["step_ms"]["median"] if j else None
        pm = p["step_ms"]["median"] if p else None
        row = [size, ck, f"{jm:,.1f}" if jm else "missing", f"{pm:,.1f}" if pm else "missing",
               f"{jm / pm:.2f}" if jm and pm else "-"]
        if n_runs > 1:
            row.append(pair_range(runs.get((size, ck, "lathe"), []), runs.get((size, ck, "pytorch"), [])))
        out.append(row + [mib(j["peak_rss_bytes"]) if j else "-", mib(p["peak_rss_bytes"]) if p else "-",
                          f"{j['tokens_per_s']:,.0f}" if j else "-", f"{p['tokens_per_s']:,.0f}" if p else "-"])
    print_rows(head, out)

    print("\nsplit (medians, ms; CPU = process CPU time per step, all threads) and achieved matmul FLOP/s per side:")
    head2 = ["size", "ckpt", "side", "fwd", "bwd", "optim", "min", "max", "CPU", "GFLOP/step", "GFLOP/s", "% GEMM peak",
             "loss@1"]
    out2 = []
    for size, ck in keys:
        for side in ("lathe", "pytorch"):
            r = rows.get((size, ck, side))
            if not r:
                continue
            s = r["step_ms"]
            pk = r.get("peak_fraction")
            out2.append([size, ck, side, f"{r.get('forward_ms', 0):,.1f}", f"{r.get('backward_ms', 0):,.1f}",
                         f"{r.get('optimizer_ms', 0):,.1f}", f"{s['min']:,.1f}", f"{s['max']:,.1f}",
                         f"{r['cpu_ms']:,.0f}" if "cpu_ms" in r else "-",
                         f"{r.get('flops_per_step', 0) / 1e9:,.2f}", f"{r.get('achieved_gflops', 0):,.1f}",
                         f"{100 * pk:.0f}%" if pk is not None else "-", f"{r['loss_step1']:.6f}"])
    print_rows(head2, out2)
    print()
    for impl, side in (("lathe", "Java"), ("pytorch", "PyTorch")):   # each side's allocator moves its figures
        mallocs = sorted({r.get("malloc", "not reported") for (_, _, i), v in runs.items() if i == impl for r in v})
        if mallocs:
            print(f"{side} malloc: {', '.join(mallocs)}")


def pair_range(java_runs, py_runs):
    """Lowest and highest Java/PyTorch ratio over the i-th runs of each side, which run.sh makes one after the other."""
    ratios = [j["step_ms"]["median"] / p["step_ms"]["median"] for j, p in zip(java_runs, py_runs)]
    if not ratios:
        return "-"
    return f"{min(ratios):.2f}-{max(ratios):.2f}"


def print_rows(head, rows):
    w = [max(len(str(x)) for x in col) for col in zip(head, *rows)] if rows else [len(h) for h in head]
    line = lambda cells: "  ".join(str(c).rjust(n) if i > 1 else str(c).ljust(n)  # noqa: E731
                                   for i, (c, n) in enumerate(zip(cells, w)))
    print(line(head))
    print("  ".join("-" * n for n in w))
    for r in rows:
        print(line(r))


def main(argv):
    if len(argv) == 3 and argv[0] == "loss":
        return check_loss(argv[1], argv[2])
    if len(argv) == 2 and argv[0] == "table":
        table(argv[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
