#!/usr/bin/python3
"""PyTorch-eager reference of the Z-Image transformer and of one LoRA training step, for `lathe bench`.

An independent re-implementation of diffusers' `ZImageTransformer2DModel` (semantics as in
docs/reference/models.md §1.3 and fixtures/zimage/README.md), written for Debian's python3-torch 1.13
(no scaled_dot_product_attention, no safetensors package): attention is written out and safetensors are
parsed by hand. check_ref.py validates it against the goldens; this file times it.

Usage (JSON on stdout with --json, human text otherwise; errors are one line on stderr):
  zimage_ref.py --weights W --inputs I [--steps N] [--warmup K] [--checkpointing on|off] [--threads T]
                [--rank R] [--seed S] [--json]
  zimage_ref.py --matmul-peak [--matmul-n 2048] [--threads T] [--json]
"""

import argparse
import json
import os
import sys


# ---------------------------------------------------------------------------------------------------------
# Command line. Parsed before `import torch` because OpenMP and OpenBLAS read their thread counts from the
# environment once, when the libraries load.
# ---------------------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(prog="zimage_ref.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--weights", help="weights.safetensors (diffusers key names)")
    p.add_argument("--inputs", help="inputs.safetensors (x0, noise, sigma, cap_feats.<i>; config in metadata)")
    p.add_argument("--steps", type=int, default=5, help="timed steps (default 5)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps before them (default 2)")
    p.add_argument("--checkpointing", choices=["on", "off"], default="off",
                   help="gradient checkpointing per main block (default off)")
    p.add_argument("--threads", type=int, default=0, help="intra-op and BLAS threads (default: all CPUs)")
    p.add_argument("--rank", type=int, default=0, help="LoRA rank (default: the inputs' metadata, else 16)")
    p.add_argument("--seed", type=int, default=0, help="seed of the LoRA A init (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--matmul-peak", action="store_true", help="measure fp32 GEMM GFLOP/s and exit")
    p.add_argument("--matmul-n", type=int, default=2048, help="matrix size for --matmul-peak (default 2048)")
    p.add_argument("--no-peak", action="store_true", help="skip the matmul peak measured after training")
    a = p.parse_args(argv)
    if not a.matmul_peak and (a.weights is None or a.inputs is None):
        p.error("--weights and --inputs are required (or --matmul-peak)")
    if a.steps < 1 or a.warmup < 0:
        p.error("--steps must be >= 1 and --warmup >= 0")
    return a


def set_thread_env(threads):
    """Pin every thread pool the process may use to the same count; spin-waiting off (as Lathe does)."""
    t = str(threads)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = t
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


if __name__ == "__main__":
    ARGS = parse_args(sys.argv[1:])
    if ARGS.threads <= 0:
        ARGS.threads = len(os.sched_getaffinity(0))
    set_thread_env(ARGS.threads)

import ctypes  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import struct  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch.utils.checkpoint  # noqa: E402


class BenchError(Exception):
    """A problem the user can fix; reaches them as one line. code: 2 usage, 3 config, 4 data, 5 runtime."""

    def __init__(self, message, code=4):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------------------------------------
# safetensors, by hand: u64 LE header length N, N bytes of JSON, then the raw little-endian row-major data.
# ---------------------------------------------------------------------------------------------------------

_ST_DTYPES = {  # name -> (torch dtype stored, bytes per element)
    "F64": (torch.float64, 8), "F32": (torch.float32, 4), "F16": (torch.float16, 2),
    "BF16": (torch.int16, 2),  # read as int16, widened to float32 below
    "I64": (torch.int64, 8), "I32": (torch.int32, 4), "I16": (torch.int16, 2), "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1), "BOOL": (torch.bool, 1),
}
_ST_NAMES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.int64: "I64",
             torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


class SafeTensors:
    """A validated safetensors file; tensors are read one at a time (no second copy of the file in memory)."""

    def __init__(self, path):
        if sys.byteorder != "little":
            raise BenchError("this reader assumes a little-endian machine", 5)
        self.path = path
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                head = f.read(8)
                if len(head) < 8:
                    raise BenchError(f"{path}: too short for a safetensors file")
                (n,) = struct.unpack("<Q", head)
                if n > 100_000_000 or 8 + n > size:
                    raise BenchError(f"{path}: header length {n} does not fit the file ({size} bytes)")
                header = json.loads(f.read(n).decode("utf-8"))
        except FileNotFoundError:
            raise BenchError(f"{path}: no such file", 2) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise BenchError(f"{path}: header is not valid JSON ({e})") from None
        if not isinstance(header, dict):
            raise BenchError(f"{path}: header is not a JSON object")
        self.metadata = header.pop("__metadata__", None) or {}
        self.data_start = 8 + n
        self.entries = {}
        spans = []
        for name, e in header.items():
            try:
                dtype, shape, (begin, end) = e["dtype"], list(e["shape"]), e["data_offsets"]
            except (KeyError, TypeError, ValueError):
                raise BenchError(f"{path}: tensor {name!r}: malformed header entry") from None
            if dtype not in _ST_DTYPES:
                raise BenchError(f"{path}: tensor {name!r}: dtype {dtype} is not supported here")
            numel = math.prod(shape)
            if end - begin != numel * _ST_DTYPES[dtype][1]:
                raise BenchError(f"{path}: tensor {name!r}: {end - begin} bytes for {dtype}{shape}")
            self.entries[name] = (dtype, shape, begin, end)
            spans.append((begin, end, name))
        pos = 0
        for begin, end, name in sorted(spans):
            if begin != pos:
                raise BenchError(f"{path}: tensor {name!r} starts at {begin}, expected {pos} (hole or overlap)")
            pos = end
        if self.data_start + pos != size:
            raise BenchError(f"{path}: data ends at {self.data_start + pos} but the file has {size} bytes")

    def keys(self):
        return list(self.entries)

    def shape(self, name):
        return list(self.entries[name][1])

    def _raw(self, name):
        dtype, shape, begin, end = self.entries[name]
        t = torch.empty(shape, dtype=_ST_DTYPES[dtype][0])
        if end > begin:
            with open(self.path, "rb") as f:
                f.seek(self.data_start + begin)
                got = f.readinto(memoryview(t.numpy()).cast("B"))
            if got != end - begin:
                raise BenchError(f"{self.path}: tensor {name!r}: short read")
        return dtype, t

    def get(self, name):
        """The tensor; BF16 comes back as float32 (exact: bf16 is the top half of an fp32)."""
        if name not in self.entries:
            raise BenchError(f"{self.path}: missing tensor {name!r}")
        dtype, t = self._raw(name)
        if dtype == "BF16":
            t = (t.to(torch.int32) << 16).view(torch.float32)
        return t

    def read_into(self, name, out):
        """Copy tensor `name` into `out` (same shape), converting to out's dtype."""
        src = self.get(name)
        if list(src.shape) != list(out.shape):
            raise BenchError(f"{self.path}: tensor {name!r} has shape {list(src.shape)}, "
                             f"the model expects {list(out.shape)}")
        with torch.no_grad():
            out.copy_(src)


def write_safetensors(path, tensors, metadata=None):
    """Write `tensors` (name -> tensor) atomically: temp file in the same folder, fsync, rename."""
    header, offset, order = {}, 0, sorted(tensors)
    for name in order:
        t = tensors[name]
        if t.dtype not in _ST_NAMES:
            raise BenchError(f"{path}: cannot write dtype {t.dtype} ({name})", 5)
        nbytes = t.numel() * t.element_size()
        header[name] = {"dtype": _ST_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * (-len(blob) % 8)  # data start 8-aligned, as the reference writer does
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".safetensors", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)           # mkstemp creates 0600; give the usual file mode
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(blob)))
            f.write(blob)
            for name in order:
                t = tensors[name].detach().contiguous().cpu()
                if t.numel():
                    f.write(memoryview(t.numpy()).cast("B"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------------------------

SEQ_MULTI_OF = 32       # caption and image token lists are each padded to a multiple of this
ADALN_MAX = 256         # adaLN conditioning width = min(dim, 256)
T_FREQS = 256           # sinusoidal timestep channels
T_MID = 1024            # t_embedder hidden width

# The bench sizes of issue 9: model config, batch, latent (C, F, H, W) and caption length per item.
_TINY = {"dim": 64, "n_heads": 2, "axes_dims": [8, 12, 12], "axes_lens": [64, 16, 16], "n_layers": 2,
         "n_refiner_layers": 2, "cap_feat_dim": 32}
SIZES = {
    "tiny": {"model": _TINY, "batch": 2, "latent": [16, 1, 16, 24], "caption": 13},
    "small": {"model": {"dim": 256, "n_heads": 4, "axes_dims": [16, 24, 24], "axes_lens": [256, 64, 64],
                        "n_layers": 4, "n_refiner_layers": 2, "cap_feat_dim": 256},
              "batch": 1, "latent": [16, 1, 32, 32], "caption": 77},
    "medium": {"model": {"dim": 768, "n_heads": 12, "axes_dims": [16, 24, 24], "axes_lens": [512, 128, 128],
                         "n_layers": 8, "n_refiner_layers": 2, "cap_feat_dim": 768},
               "batch": 1, "latent": [16, 1, 64, 64], "caption": 128},
}


def model_config(size):
    """The full config.json dict of a bench size (class defaults for everything the size leaves out)."""
    m = SIZES[size]["model"]
    return {"_class_name": "ZImageTransformer2DModel", "all_patch_size": [2], "all_f_patch_size": [1],
            "in_channels": 16, "dim": m["dim"], "n_layers": m["n_layers"],
            "n_refiner_layers": m["n_refiner_layers"], "n_heads": m["n_heads"], "n_kv_heads": m["n_heads"],
            "norm_eps": 1e-5, "qk_norm": True, "cap_feat_dim": m["cap_feat_dim"], "siglip_feat_dim": None,
            "rope_theta": 256.0, "t_scale": 1000.0, "axes_dims": m["axes_dims"], "axes_lens": m["axes_lens"]}


class Config:
    """The fields of config.json this model reads, checked."""

    def __init__(self, d, source="config"):
        try:
            self.dim = int(d["dim"])
            self.n_heads = int(d["n_heads"])
            self.n_layers = int(d["n_layers"])
            self.n_refiner_layers = int(d.get("n_refiner_layers", 2))
            self.in_channels = int(d.get("in_channels", 16))
            self.cap_feat_dim = int(d["cap_feat_dim"])
            self.norm_eps = float(d.get("norm_eps", 1e-5))
            self.qk_norm = bool(d.get("qk_norm", True))
            self.rope_theta = float(d.get("rope_theta", 256.0))
            self.t_scale = float(d.get("t_scale", 1000.0))
            self.axes_dims = [int(v) for v in d["axes_dims"]]
            self.axes_lens = [int(v) for v in d["axes_lens"]]
            self.patches = [(int(p), int(f)) for p, f in zip(d.get("all_patch_size", [2]),
                                                              d.get("all_f_patch_size", [1]))]
        except (KeyError, TypeError, ValueError) as e:
            raise BenchError(f"{source}: bad or missing field ({e})", 3) from None
        if d.get("siglip_feat_dim"):
            raise BenchError(f"{source}: siglip_feat_dim is set (the Omni variant is not supported)", 3)
        if self.dim % self.n_heads:
            raise BenchError(f"{source}: dim {self.dim} is not a multiple of n_heads {self.n_heads}", 3)
        self.head_dim = self.dim // self.n_heads
        if sum(self.axes_dims) != self.head_dim or any(a % 2 for a in self.axes_dims):
            raise BenchError(f"{source}: axes_dims {self.axes_dims} must be even and sum to head_dim "
                             f"{self.head_dim}", 3)
        self.ffn_hidden = int(self.dim / 3 * 8)
        self.adaln_dim = min(self.dim, ADALN_MAX)


# ---------------------------------------------------------------------------------------------------------
# Layers. Base parameters are created empty and frozen (weights come from a file); LoRA factors are the only
# trainable tensors.
# ---------------------------------------------------------------------------------------------------------

def _frozen(*shape):
    return nn.Parameter(torch.empty(*shape), requires_grad=False)


class Linear(nn.Module):
    """y = x·Wᵀ + b, plus an optional LoRA path scale·B·(A·x) with W frozen."""

    def __init__(self, fin, fout, bias):
        super().__init__()
        self.fin, self.fout = fin, fout
        self.weight = _frozen(fout, fin)
        self.bias = _frozen(fout) if bias else None
        self.lora_A = self.lora_B = None
        self.lora_scale = 1.0

    def set_lora(self, a, b, scale):
        self.lora_A = nn.Parameter(a.clone().float())  # [r, in]
        self.lora_B = nn.Parameter(b.clone().float())  # [out, r]
        self.lora_scale = float(scale)

    def forward(self, x):
        y = F.linear(x, self.weight, self.bias)
        if self.lora_A is not None:
            lo = F.linear(F.linear(x, self.lora_A), self.lora_B)
            y = y + (lo if self.lora_scale == 1.0 else self.lora_scale * lo)
        return y


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = _frozen(dim)

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def apply_rope(x, cos, sin):
    """Rotate adjacent pairs (x[2j], x[2j+1]) by angle j. x [B, L, H, hd]; cos/sin [B, L, hd/2]."""
    x0, x1 = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)      # [B, L, H, hd/2] each
    c, s = cos.unsqueeze(2), sin.unsqueeze(2)                # broadcast over heads
    return torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.dim
        self.heads, self.head_dim = cfg.n_heads, cfg.head_dim
        self.to_q, self.to_k, self.to_v = Linear(d, d, False), Linear(d, d, False), Linear(d, d, False)
        self.to_out = nn.ModuleList([Linear(d, d, False)])           # key "to_out.0"
        # diffusers builds the q/k norms with eps 1e-5 whatever norm_eps says
        self.norm_q = RMSNorm(cfg.head_dim, 1e-5) if cfg.qk_norm else None
        self.norm_k = RMSNorm(cfg.head_dim, 1e-5) if cfg.qk_norm else None

    def forward(self, x, cos, sin, mask):
        b, n, d = x.shape
        q = self.to_q(x).view(b, n, self.heads, self.head_dim)
        k = self.to_k(x).view(b, n, self.heads, self.head_dim)
        v = self.to_v(x).view(b, n, self.heads, self.head_dim)
        if self.norm_q is not None:
            q, k = self.norm_q(q), self.norm_k(k)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        q = q.transpose(1, 2) * (1.0 / math.sqrt(self.head_dim))   # [B, H, L, hd]
        k, v = k.transpose(1, 2), v.transpose(1, 2)
        scores = q @ k.transpose(-1, -2)                           # [B, H, L, L]
        if mask is not None:                                       # key padding only (ragged batches)
            scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        o = scores.softmax(-1) @ v                                 # [B, H, L, hd]
        return self.to_out[0](o.transpose(1, 2).reshape(b, n, d))


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.w1 = Linear(cfg.dim, cfg.ffn_hidden, False)
        self.w2 = Linear(cfg.ffn_hidden, cfg.dim, False)
        self.w3 = Linear(cfg.dim, cfg.ffn_hidden, False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    """Single-stream block. Modulated: (scale_msa, gate_msa, scale_mlp, gate_mlp) from the adaLN input,
    no SiLU before that linear, tanh gates, 1+scale, no shift. Unmodulated (context refiner): no factors."""

    def __init__(self, cfg, modulated):
        super().__init__()
        self.attention = Attention(cfg)
        self.feed_forward = FeedForward(cfg)
        self.attention_norm1 = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attention_norm2 = RMSNorm(cfg.dim, cfg.norm_eps)
        self.ffn_norm1 = RMSNorm(cfg.dim, cfg.norm_eps)
        self.ffn_norm2 = RMSNorm(cfg.dim, cfg.norm_eps)
        self.modulated = modulated
        if modulated:
            self.adaLN_modulation = nn.ModuleList([Linear(cfg.adaln_dim, 4 * cfg.dim, True)])

    def forward(self, x, cos, sin, mask, adaln=None):
        if self.modulated:
            mod = self.adaLN_modulation[0](adaln).unsqueeze(1)                 # [B, 1, 4·dim]
            scale_msa, gate_msa, scale_mlp, gate_mlp = mod.chunk(4, dim=-1)
            h = self.attention(self.attention_norm1(x) * (1.0 + scale_msa), cos, sin, mask)
            x = x + gate_msa.tanh() * self.attention_norm2(h)
            h = self.feed_forward(self.ffn_norm1(x) * (1.0 + scale_mlp))
            return x + gate_mlp.tanh() * self.ffn_norm2(h)
        x = x + self.attention_norm2(self.attention(self.attention_norm1(x), cos, sin, mask))
        return x + self.ffn_norm2(self.feed_forward(self.ffn_norm1(x)))


class FinalLayer(nn.Module):
    def __init__(self, cfg, out):
        super().__init__()
        self.linear = Linear(cfg.dim, out, True)
        self.adaLN_modulation = nn.ModuleList([nn.SiLU(), Linear(cfg.adaln_dim, cfg.dim, True)])  # ".1"

    def forward(self, x, adaln):
        scale = 1.0 + self.adaLN_modulation[1](F.silu(adaln))                  # [B, dim]
        return self.linear(F.layer_norm(x, x.shape[-1:], eps=1e-6) * scale.unsqueeze(1))


class TimestepEmbedder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.mlp = nn.ModuleList([Linear(T_FREQS, T_MID, True), nn.SiLU(), Linear(T_MID, cfg.adaln_dim, True)])

    @staticmethod
    def frequencies(t):
        """[cos | sin] of t·f_k, f_k = exp(−ln(10000)·k/128), in fp32. t [B] (already ·t_scale)."""
        half = T_FREQS // 2
        f = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
        args = t.float()[:, None] * f[None]
        return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)

    def forward(self, t_freq):
        return self.mlp[2](F.silu(self.mlp[0](t_freq)))


def _pad_batch(rows):
    """List of [L_i, ...] -> ([B, Lmax, ...] zero-padded, key mask [B, Lmax] or None when all L_i agree)."""
    lens = [r.shape[0] for r in rows]
    if len(set(lens)) == 1:
        return torch.stack(rows), None
    out = torch.nn.utils.rnn.pad_sequence(rows, batch_first=True)
    mask = torch.arange(max(lens))[None, :] < torch.tensor(lens)[:, None]
    return out, mask


class ZImageTransformer(nn.Module):
    """ZImageTransformer2DModel: state_dict keys are the diffusers ones (plus lora_A/lora_B where set)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        c, d = cfg.in_channels, cfg.dim
        self.all_x_embedder = nn.ModuleDict(
            {f"{p}-{f}": Linear(f * p * p * c, d, True) for p, f in cfg.patches})
        self.all_final_layer = nn.ModuleDict(
            {f"{p}-{f}": FinalLayer(cfg, f * p * p * c) for p, f in cfg.patches})
        self.noise_refiner = nn.ModuleList([Block(cfg, True) for _ in range(cfg.n_refiner_layers)])
        self.context_refiner = nn.ModuleList([Block(cfg, False) for _ in range(cfg.n_refiner_layers)])
        self.t_embedder = TimestepEmbedder(cfg)
        self.cap_embedder = nn.ModuleList([RMSNorm(cfg.cap_feat_dim, cfg.norm_eps),
                                           Linear(cfg.cap_feat_dim, d, True)])
        self.x_pad_token = _frozen(1, d)
        self.cap_pad_token = _frozen(1, d)
        self.layers = nn.ModuleList([Block(cfg, True) for _ in range(cfg.n_layers)])
        # RoPE tables per axis: angle = pos·theta^(−2j/d) with the product in float64, then fp32 cos/sin.
        self.rope_cos, self.rope_sin = [], []
        for dim_a, len_a in zip(cfg.axes_dims, cfg.axes_lens):
            freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, dim_a, 2, dtype=torch.float64) / dim_a))
            ang = torch.outer(torch.arange(len_a, dtype=torch.float64), freq).float()
            self.rope_cos.append(torch.cos(ang))
            self.rope_sin.append(torch.sin(ang))

    def rope(self, ids):
        """ids [N, 3] -> (cos, sin) [N, head_dim/2]: axis0 pairs ‖ axis1 pairs ‖ axis2 pairs."""
        for a, n in enumerate(self.cfg.axes_lens):
            top = int(ids[:, a].max())
            if top >= n:
                raise BenchError(f"position id {top} on RoPE axis {a} exceeds axes_lens[{a}] = {n} "
                                 f"(caption or image too long for this config)", 3)
        ids = ids.long()
        cos = torch.cat([tab[ids[:, a]] for a, tab in enumerate(self.rope_cos)], dim=-1)
        sin = torch.cat([tab[ids[:, a]] for a, tab in enumerate(self.rope_sin)], dim=-1)
        return cos, sin

    @staticmethod
    def _grid(f, h, w, start):
        axes = [torch.arange(s, s + n, dtype=torch.int32) for s, n in zip(start, (f, h, w))]
        return torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1).reshape(-1, 3)

    def forward(self, xs, t, caps, checkpointing=False, capture=None, patch=None):
        """xs: list of latents [C, F, H, W]; t [B] (t = 1 − σ); caps: list of [S_i, cap_feat_dim].
        Returns the list of raw outputs [C, F, H, W] (not negated). `capture`, a dict, receives the
        intermediates named as in the fixture's outputs.safetensors (per item, cut to its own length)."""
        cfg = self.cfg
        p, pf = patch or cfg.patches[0]
        key = f"{p}-{pf}"
        bsz = len(xs)
        keep = capture is not None

        # 1. timestep -> adaLN conditioning [B, adaln_dim]
        t_freq = TimestepEmbedder.frequencies(t * cfg.t_scale)
        adaln = self.t_embedder(t_freq)

        # 2-3. patchify (token vector (pf, ph, pw, c), c fastest), pad each list to a multiple of 32, ids
        img_rows, img_pad, img_ids, img_real, sizes = [], [], [], [], []
        cap_rows, cap_pad, cap_ids, cap_real = [], [], [], []
        for x, cap in zip(xs, caps):
            c, f, h, w = x.shape
            if c != cfg.in_channels or f % pf or h % p or w % p:
                raise BenchError(f"latent shape {list(x.shape)} does not fit in_channels {cfg.in_channels} "
                                 f"and patch {p}x{p}x{pf}", 4)
            if cap.dim() != 2 or cap.shape[1] != cfg.cap_feat_dim:
                raise BenchError(f"caption features {list(cap.shape)}: expected [S, {cfg.cap_feat_dim}]", 4)
            fn, hn, wn = f // pf, h // p, w // p
            tok = x.reshape(c, fn, pf, hn, p, wn, p).permute(1, 3, 5, 2, 4, 6, 0).reshape(fn * hn * wn, -1)
            n_cap = cap.shape[0]
            cap_len = n_cap + (-n_cap) % SEQ_MULTI_OF
            n_img = tok.shape[0]
            img_len = n_img + (-n_img) % SEQ_MULTI_OF
            img_rows.append(F.pad(tok, (0, 0, 0, img_len - n_img)))
            img_pad.append(torch.arange(img_len) >= n_img)
            img_ids.append(torch.cat([self._grid(fn, hn, wn, (cap_len + 1, 0, 0)),
                                      torch.zeros(img_len - n_img, 3, dtype=torch.int32)]))
            img_real.append(n_img)
            sizes.append((c, f, h, w, fn, hn, wn))
            cap_rows.append(F.pad(cap, (0, 0, 0, cap_len - n_cap)))
            cap_pad.append(torch.arange(cap_len) >= n_cap)
            cap_ids.append(self._grid(cap_len, 1, 1, (1, 0, 0)))
            cap_real.append(n_cap)
        img_lens = [r.shape[0] for r in img_rows]
        cap_lens = [r.shape[0] for r in cap_rows]

        # embed; the learned pad tokens replace pad rows after the embedders (they are not masked)
        xe = self.all_x_embedder[key](torch.cat(img_rows))
        xe = torch.where(torch.cat(img_pad)[:, None], self.x_pad_token, xe)
        ce = self.cap_embedder[1](self.cap_embedder[0](torch.cat(cap_rows)))
        ce = torch.where(torch.cat(cap_pad)[:, None], self.cap_pad_token, ce)
        x_items, c_items = list(xe.split(img_lens)), list(ce.split(cap_lens))
        x_rope = [self.rope(i) for i in img_ids]
        c_rope = [self.rope(i) for i in cap_ids]
        if keep:
            capture["inter.t_freq"], capture["inter.adaln_input"] = t_freq, adaln
            for i in range(bsz):
                capture[f"x_pos_ids.{i}"], capture[f"cap_pos_ids.{i}"] = img_ids[i], cap_ids[i]
                capture[f"inter.x_embedded.{i}"] = x_items[i][:img_real[i]]
                capture[f"inter.cap_embedded.{i}"] = c_items[i][:cap_real[i]]

        # 5. noise refiner: image tokens alone, modulated
        x, mask = _pad_batch(x_items)
        cos, _ = _pad_batch([r[0] for r in x_rope])
        sin, _ = _pad_batch([r[1] for r in x_rope])
        for blk in self.noise_refiner:
            x = blk(x, cos, sin, mask, adaln)
        # 6. context refiner: caption tokens alone, not modulated
        cx, cmask = _pad_batch(c_items)
        ccos, _ = _pad_batch([r[0] for r in c_rope])
        csin, _ = _pad_batch([r[1] for r in c_rope])
        for blk in self.context_refiner:
            cx = blk(cx, ccos, csin, cmask)
        if keep:
            for i in range(bsz):
                capture[f"inter.after_noise_refiner.{i}"] = x[i, :img_lens[i]]
                capture[f"inter.after_context_refiner.{i}"] = cx[i, :cap_lens[i]]

        # 7. joint sequence, image first then caption; the main blocks
        u, umask = _pad_batch([torch.cat([x[i, :img_lens[i]], cx[i, :cap_lens[i]]]) for i in range(bsz)])
        ucos, _ = _pad_batch([torch.cat([x_rope[i][0], c_rope[i][0]]) for i in range(bsz)])
        usin, _ = _pad_batch([torch.cat([x_rope[i][1], c_rope[i][1]]) for i in range(bsz)])
        ulens = [a + b for a, b in zip(img_lens, cap_lens)]
        if keep:
            for i in range(bsz):
                capture[f"inter.unified_input.{i}"] = u[i, :ulens[i]]
                capture[f"inter.unified_freqs.{i}"] = torch.stack([ucos[i, :ulens[i]], usin[i, :ulens[i]]], -1)
        ckpt = checkpointing and torch.is_grad_enabled()
        for j, blk in enumerate(self.layers):
            if ckpt:  # non-reentrant: works although the block's input itself needs no grad
                u = torch.utils.checkpoint.checkpoint(blk, u, ucos, usin, umask, adaln, use_reentrant=False)
            else:
                u = blk(u, ucos, usin, umask, adaln)
            if keep:
                for i in range(bsz):
                    capture[f"inter.after_layer_{j}.{i}"] = u[i, :ulens[i]]

        # 9-10. final layer, then unpatchify the image prefix
        out = self.all_final_layer[key](u, adaln)
        res = []
        for i, (c, f, h, w, fn, hn, wn) in enumerate(sizes):
            o = out[i, :img_real[i]].reshape(fn, hn, wn, pf, p, p, c)
            res.append(o.permute(6, 0, 3, 1, 4, 2, 5).reshape(c, f, h, w))
        return res

    def base_keys(self):
        return [k for k, _ in self.named_parameters() if ".lora_" not in k]

    def load(self, st):
        """Load every base tensor from SafeTensors `st`; the key sets must match exactly."""
        want, have = set(self.base_keys()), set(st.keys())
        if want != have:
            missing, extra = sorted(want - have), sorted(have - want)
            raise BenchError(f"{st.path}: keys do not match the config: missing {missing[:5]}"
                             f"{'...' if len(missing) > 5 else ''}, unexpected {extra[:5]}"
                             f"{'...' if len(extra) > 5 else ''}")
        params = dict(self.named_parameters())
        for k in want:
            st.read_into(k, params[k])

    def lora_targets(self):
        """(name, Linear) for every Linear of the main blocks `layers.*` — what Lathe's LoRA targets."""
        return [(n, m) for n, m in self.named_modules() if n.startswith("layers.") and isinstance(m, Linear)]


def config_from_metadata(st):
    text = st.metadata.get("config")
    if text is None:
        raise BenchError(f"{st.path}: no 'config' in __metadata__", 3)
    try:
        return Config(json.loads(text), f"{st.path}: config")
    except json.JSONDecodeError as e:
        raise BenchError(f"{st.path}: __metadata__ config is not JSON ({e})", 3) from None


# ---------------------------------------------------------------------------------------------------------
# Analytic FLOP count (matmuls only; elementwise ops, norms and softmax are left out)
# ---------------------------------------------------------------------------------------------------------

def step_flops(cfg, batch, img_len, cap_len, rank, checkpointing):
    """FLOPs of one LoRA training step, counted exactly per matmul as eager autograd performs them.
    img_len / cap_len: per-item token counts after padding to 32 (a uniform batch). A matmul [m,k]x[k,n]
    counts 2·m·k·n. Forward: every Linear (base + LoRA), attention QKᵀ and PV, embedders, refiners, final
    layer. Backward (only what needs gradients: the main blocks and the final layer): frozen Linear -> grad
    of its input; LoRA -> dB, d(Ax), dA and the input grad through A; attention -> 4 matmuls (2× its
    forward); the adaLN linears' input (the t embedding) needs no grad. Checkpointing adds one more forward
    of the main blocks. Returns a dict with forward, backward, recompute and total."""
    d, hf, a, r, b = cfg.dim, cfg.ffn_hidden, cfg.adaln_dim, rank, batch
    pvec = cfg.patches[0][0] ** 2 * cfg.patches[0][1] * cfg.in_channels

    def lin(rows, fin, fout):
        return 2 * rows * fin * fout

    big = [(d, d)] * 4 + [(d, hf), (hf, d), (d, hf)]          # to_q, to_k, to_v, to_out.0, w1, w2, w3

    def block_fwd(seq, modulated, lora):
        rows = b * seq
        f = sum(lin(rows, i, o) for i, o in big) + 2 * 2 * b * seq * seq * d
        if modulated:
            f += lin(b, a, 4 * d)
        if lora:
            f += sum(lin(rows, i, r) + lin(rows, r, o) for i, o in big) + lin(b, a, r) + lin(b, r, 4 * d)
        return f

    def block_bwd(seq):
        rows = b * seq
        f = sum(lin(rows, i, o) for i, o in big) + 4 * 2 * b * seq * seq * d           # dX + attention
        f += sum(2 * (lin(rows, i, r) + lin(rows, r, o)) for i, o in big)              # LoRA with dX
        f += 2 * lin(b, r, 4 * d) + lin(b, a, r)                                       # adaLN LoRA: dB, dh, dA
        return f

    u = img_len + cap_len
    fwd = lin(b, T_FREQS, T_MID) + lin(b, T_MID, a)
    fwd += lin(b * img_len, pvec, d) + lin(b * cap_len, cfg.cap_feat_dim, d)
    fwd += cfg.n_refiner_layers * (block_fwd(img_len, True, False) + block_fwd(cap_len, False, False))
    fwd += cfg.n_layers * block_fwd(u, True, True)
    fwd += lin(b, a, d) + lin(b * u, d, pvec)
    bwd = cfg.n_layers * block_bwd(u) + lin(b * u, d, pvec)
    rec = cfg.n_layers * block_fwd(u, True, True) if checkpointing else 0
    return {"forward": fwd, "backward": bwd, "recompute": rec, "total": fwd + bwd + rec}


# ---------------------------------------------------------------------------------------------------------
# Environment report: which BLAS the process actually loaded, and its threads
# ---------------------------------------------------------------------------------------------------------

def blas_info():
    """(description, threads) of the BLAS mapped into this process (after a matmul has loaded it)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    paths = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                part = line.split()
                if len(part) >= 6 and "blas" in os.path.basename(part[5]).lower():
                    paths.add(part[5])
    except OSError:
        pass
    if not paths:
        return "unknown (no BLAS library mapped; torch may use its own kernels)", None
    desc, threads = [], None
    for path in sorted(paths, key=lambda q: ("libblas.so" not in q, q)):   # the name torch links first
        real = os.path.realpath(path)
        name = f"unknown BLAS ({real})"
        try:
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_get_config"):
                lib.openblas_get_config.restype = ctypes.c_char_p
                lib.openblas_get_corename.restype = ctypes.c_char_p
                name = (f"{lib.openblas_get_config().decode().strip()} core={lib.openblas_get_corename().decode()}"
                        f" ({path})")
                threads = int(lib.openblas_get_num_threads())
            elif "/blas/" in real:
                name = f"reference BLAS, unoptimised ({real})"
        except OSError:
            pass
        if not any(name.split(" (")[0] == d.split(" (")[0] for d in desc):  # libblas.so.3 -> libopenblas: once
            desc.append(name)
    return "; ".join(desc), threads


def malloc_info():
    """The malloc serving this process: a preloaded tcmalloc / jemalloc / mimalloc if one is mapped, else glibc's."""
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                part = line.split()
                name = os.path.basename(part[5]) if len(part) >= 6 else ""
                for kind in ("tcmalloc", "jemalloc", "mimalloc"):
                    if name.lower().startswith("lib" + kind):
                        return f"{kind} ({name})"
    except OSError:
        return "unknown (/proc/self/maps unreadable)"
    return "glibc malloc"


def matmul_peak(n=2048, repeats=8):
    """fp32 GEMM GFLOP/s on n×n: best and median of `repeats` timed runs after two warm-ups."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    c = torch.empty(n, n)
    for _ in range(2):
        torch.mm(a, b, out=c)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        times.append(time.perf_counter() - t0)
    flops = 2.0 * n ** 3
    return {"n": n, "gflops_best": flops / min(times) / 1e9, "gflops_median": flops / statistics.median(times) / 1e9}


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------------------------------------
# The LoRA training step
# ---------------------------------------------------------------------------------------------------------

def add_lora(model, rank, seed):
    """Rank-r LoRA, alpha = r (scale 1), on every Linear of layers.*: A ~ U(±1/√in), B = 0 (as Lathe).
    Returns the trainable parameters in a fixed order."""
    g = torch.Generator().manual_seed(seed)
    params = []
    for _, m in model.lora_targets():
        bound = 1.0 / math.sqrt(m.fin)
        a = torch.rand(rank, m.fin, generator=g) * (2 * bound) - bound
        m.set_lora(a, torch.zeros(m.fout, rank), 1.0)
        params += [m.lora_A, m.lora_B]
    return params


def load_bench_inputs(path):
    st = SafeTensors(path)
    need = ["x0", "noise", "sigma"]
    for k in need:
        if k not in st.entries:
            raise BenchError(f"{path}: missing tensor {k!r} (expected x0, noise, sigma, cap_feats.<i>)")
    x0, noise, sigma = st.get("x0").float(), st.get("noise").float(), st.get("sigma").float()
    bsz = x0.shape[0]
    if x0.dim() != 5 or noise.shape != x0.shape or list(sigma.shape) != [bsz]:
        raise BenchError(f"{path}: shapes x0 {list(x0.shape)}, noise {list(noise.shape)}, sigma "
                         f"{list(sigma.shape)}: expected [B,C,F,H,W], the same, and [B]")
    caps = []
    for i in range(bsz):
        if f"cap_feats.{i}" not in st.entries:
            raise BenchError(f"{path}: missing tensor 'cap_feats.{i}' (one per batch item)")
        caps.append(st.get(f"cap_feats.{i}").float())
    return st, x0, noise, sigma, caps


def flow_matching_loss(model, x0, noise, sigma, caps, checkpointing):
    """x_t = (1−σ)·x0 + σ·ε; the model sees t = 1−σ; pred = −out; loss = mean((pred − (ε − x0))²)."""
    s = sigma.view(-1, 1, 1, 1, 1)
    xt = (1.0 - s) * x0 + s * noise
    out = torch.stack(model(list(xt.unbind(0)), 1.0 - sigma, caps, checkpointing=checkpointing))
    return ((-out) - (noise - x0)).pow(2).mean()


def run_bench(a):
    torch.set_num_threads(a.threads)
    wst = SafeTensors(a.weights)
    ist, x0, noise, sigma, caps = load_bench_inputs(a.inputs)
    cfg = config_from_metadata(ist if "config" in ist.metadata else wst)
    if "config" in ist.metadata and "config" in wst.metadata and \
            config_from_metadata(wst).__dict__ != cfg.__dict__:
        raise BenchError(f"{a.inputs}: its config differs from the one in {a.weights} (files of two sizes?)", 3)
    rank = a.rank or int(ist.metadata.get("rank", 16))
    model = ZImageTransformer(cfg)
    model.load(wst)
    params = add_lora(model, rank, a.seed)
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4)
    ckpt = a.checkpointing == "on"
    # FLOPs from the shapes; the count assumes a uniform batch (no batch-padding mask), so check that first
    bsz, (c, f, h, w) = x0.shape[0], x0.shape[1:]
    p, pf = cfg.patches[0]
    img_tokens = (f // pf) * (h // p) * (w // p)
    img_len = img_tokens + (-img_tokens) % SEQ_MULTI_OF
    cap_lens = {cp.shape[0] + (-cp.shape[0]) % SEQ_MULTI_OF for cp in caps}
    if len(cap_lens) != 1:
        raise BenchError(f"{a.inputs}: bench batches need equal caption lengths (after padding to 32)")
    cap_len = cap_lens.pop()
    flops = step_flops(cfg, bsz, img_len, cap_len, rank, ckpt)
    rss_loaded = rss_bytes()

    fwd, bwd, optim, step, cpu, losses = [], [], [], [], [], []
    for i in range(a.warmup + a.steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        loss = flow_matching_loss(model, x0, noise, sigma, caps, ckpt)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        opt.zero_grad(set_to_none=True)
        t3 = time.perf_counter()
        c3 = time.process_time()
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            raise BenchError(f"loss is {losses[-1]} at step {i + 1}", 5)
        if i >= a.warmup:
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
            optim.append(t3 - t2)
            step.append(t3 - t0)
            cpu.append(c3 - c0)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # ru_maxrss is KiB on Linux

    med = statistics.median(step)
    blas, blas_threads = blas_info()
    ms = 1000.0
    res = {
        "impl": "pytorch", "torch": torch.__version__, "blas": blas, "malloc": malloc_info(),
        "blas_threads": blas_threads, "threads": torch.get_num_threads(), "device": "cpu", "dtype": "float32",
        "size": ist.metadata.get("size", "custom"), "batch": bsz, "latent": [c, f, h, w],
        "caption_tokens": [cp.shape[0] for cp in caps], "image_tokens": bsz * img_tokens,
        "seq_len": img_len + cap_len,
        "params": sum(p_.numel() for k, p_ in model.named_parameters() if ".lora_" not in k),
        "trainable_params": sum(p_.numel() for p_ in params), "rank": rank,
        "checkpointing": a.checkpointing, "warmup": a.warmup, "steps": a.steps,
        "loss_step1": losses[0], "loss_last": losses[-1],
        "step_ms": {"median": med * ms, "min": min(step) * ms, "max": max(step) * ms},
        "forward_ms": statistics.median(fwd) * ms, "backward_ms": statistics.median(bwd) * ms,
        "optimizer_ms": statistics.median(optim) * ms, "cpu_ms": statistics.median(cpu) * ms,
        "peak_rss_bytes": peak_rss, "rss_after_load_bytes": rss_loaded,
        "tokens_per_s": bsz * img_tokens / med,
        "flops_per_step": flops["total"], "flops_forward": flops["forward"],
        "flops_method": "analytic matmul count: forward + backward as autograd runs it + checkpoint recompute",
        "achieved_gflops": flops["total"] / med / 1e9,
    }
    if not a.no_peak:
        pk = matmul_peak(a.matmul_n)
        res["matmul_peak_gflops"] = pk["gflops_best"]
        res["peak_fraction"] = res["achieved_gflops"] / pk["gflops_best"]
    return res


def print_human(r):
    if "step_ms" not in r:
        print(f"fp32 GEMM {r['n']}x{r['n']}: best {r['gflops_best']:.1f} GFLOP/s, median "
              f"{r['gflops_median']:.1f} ({r['threads']} threads; BLAS {r['blas']})")
        return
    s = r["step_ms"]
    print(f"PyTorch {r['torch']} eager, {r['threads']} threads, BLAS {r['blas']} ({r['blas_threads']} threads), "
          f"{r['malloc']}")
    print(f"size {r['size']}: batch {r['batch']}, latent {r['latent']}, captions {r['caption_tokens']}, "
          f"{r['params']:,} params, LoRA rank {r['rank']} ({r['trainable_params']:,} trainable), "
          f"checkpointing {r['checkpointing']}")
    print(f"loss at step 1: {r['loss_step1']:.6f}   (last: {r['loss_last']:.6f})")
    print(f"step: median {s['median']:.1f} ms, min {s['min']:.1f}, max {s['max']:.1f} over {r['steps']} steps "
          f"(after {r['warmup']} warm-up)")
    print(f"  forward {r['forward_ms']:.1f} ms, backward {r['backward_ms']:.1f} ms, "
          f"optimizer {r['optimizer_ms']:.1f} ms (medians)")
    print(f"peak RSS {r['peak_rss_bytes'] / 2**20:.0f} MiB (after load {r['rss_after_load_bytes'] / 2**20:.0f} MiB)"
          f"; {r['tokens_per_s']:.0f} image tokens/s")
    line = f"{r['flops_per_step'] / 1e9:.2f} GFLOP/step -> {r['achieved_gflops']:.1f} GFLOP/s"
    if "matmul_peak_gflops" in r:
        line += f" = {100 * r['peak_fraction']:.0f}% of the measured GEMM peak {r['matmul_peak_gflops']:.1f}"
    print(line)


def main(a):
    if a.matmul_peak:
        torch.set_num_threads(a.threads)
        blas, blas_threads = blas_info()
        res = {"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
               "blas": blas, "blas_threads": blas_threads, **matmul_peak(a.matmul_n)}
    else:
        res = run_bench(a)
    if a.json:
        print(json.dumps(res))
    else:
        print_human(res)


if __name__ == "__main__":
    try:
        main(ARGS)
    except BenchError as e:
        print(f"zimage_ref: {e}", file=sys.stderr)
        sys.exit(e.code)
    except KeyboardInterrupt:
        sys.exit(6)
