package dev.lathe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.models.Denoiser;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.ModelSource;
import dev.lathe.models.zimage.ZImage;
import dev.lathe.nn.Modules;
import dev.lathe.torch.Allocator;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;

/**
 * What both benches start from: the runtime, the inputs, the model (from a weights file or random from a seed) and
 * the token geometry of the batch. Closing frees the model and the inputs.
 */
final class Setup implements AutoCloseable {
  static final int SEQ_MULTIPLE = 32;   // Z-Image pads caption and image token lists to a multiple of this


  final Runtime rt;
  final BenchFiles.Inputs inputs;
  final JsonNode config;
  final Denoiser model;
  final long params;
  final long rssAfterLoad;
  final long imageTokens;   // real image tokens per item
  final long imageLen;      // per item, padded to 32
  final long captionLen;    // per item, padded to 32
  private final ModelFamily.LoadedModel loaded;   // null for a random model

  Setup(BenchSource s) throws IOException {
    if (s.inputs() == null && s.size() == null) throw new IllegalArgumentException("give --size, or --inputs (and --weights) written by 'lathe bench export'");
    if (s.weights() != null && s.inputs() == null) throw new IllegalArgumentException("--weights needs --inputs (both are written by 'lathe bench export')");
    rt = Runtime.create(s.device() == null ? "cpu" : s.device(), s.dtype(), s.threads());
    if (s.blasThreads() > 0) dev.lathe.torch.Blas.setThreads(s.blasThreads());
    inputs = s.inputs() != null ? BenchFiles.readInputs(s.inputs()) : BenchFiles.generate(s.size(), s.seed() + 1, 16);
    try {
      config = inputs.config();
      long[] lat = inputs.latent();
      long p = config.path("all_patch_size").path(0).asLong(2), pf = config.path("all_f_patch_size").path(0).asLong(1);
      if (lat[1] != 1) throw new IllegalArgumentException(where(s) + ": latents have " + lat[1] + " frames; the bench runs images (F = 1)");
      if (lat[2] % p != 0 || lat[3] % p != 0) throw new IllegalArgumentException(where(s) + ": latent " + lat[2] + "×" + lat[3] + " is not a multiple of the patch " + p);
      imageTokens = (lat[1] / pf) * (lat[2] / p) * (lat[3] / p);
      imageLen = roundUp(imageTokens);
      long cap = -1;
      for (var c : inputs.captions()) {
        long padded = roundUp(c.size(0));
        if (cap >= 0 && padded != cap) throw new IllegalArgumentException(where(s) + ": bench batches need equal caption lengths (after padding to 32)");
        cap = padded;
      }
      captionLen = cap;
      checkMemory(s);
      if (s.weights() != null) {
        checkSameConfig(s.weights(), s.inputs());
        loaded = new ZImage().load(ModelSource.of(s.weights().toString()), rt);
        model = loaded.denoiser();
      } else {
        loaded = null;
        model = BenchFiles.randomModel(config, s.seed(), rt);
      }
      params = Modules.parameterCount(model.module());
      rssAfterLoad = Pointer.physicalBytes();
    } catch (IOException | RuntimeException e) {
      inputs.release();
      throw e;
    }
  }

  private static String where(BenchSource s) {
    return s.inputs() != null ? s.inputs().toString() : "size " + s.size().id();
  }

  static long roundUp(long n) {
    return (n + SEQ_MULTIPLE - 1) / SEQ_MULTIPLE * SEQ_MULTIPLE;
  }

  /** Refuses up front when the weights alone would not fit (the full size on a small machine). */
  private void checkMemory(BenchSource s) {
    Denoiser shape = ZImage.placeholderDenoiser(config, rt);   // one element per parameter: costs nothing
    long bytes = Modules.parameterCount(shape.module()) * (rt.computeDtype().intern() == org.bytedeco.pytorch.global.torch.ScalarType.Float ? 4 : 2);
    long have = rt.isCuda() ? rt.memory().deviceFree() : available();
    if (have > 0 && bytes > have * 0.9)
      throw new IllegalStateException(where(s) + ": the weights alone need " + gib(bytes) + " in " + rt.computeDtype().intern()
          + ", and " + (rt.isCuda() ? "the GPU has " : "this machine has ") + gib(have) + " available; pick a smaller size or another device");
  }

  private static long available() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo")))
        if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    } catch (IOException | NumberFormatException ignored) {
      // not Linux: no check
    }
    return -1;
  }

  private static String gib(long b) {
    return String.format(java.util.Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
  }

  /** The weights' own config (metadata) must describe the model the inputs were made for. */
  private static void checkSameConfig(Path weights, Path inputs) throws IOException {
    String text = SafeTensorsFile.readHeader(weights).metadata().get("config");
    if (text == null) return;   // a checkpoint without metadata: the loader checks shapes against its own config
    JsonNode w = BenchFiles.config(weights, text);
    JsonNode i = BenchFiles.config(inputs, SafeTensorsFile.readHeader(inputs).metadata().get("config"));
    for (String k : List.of("dim", "n_layers", "n_refiner_layers", "n_heads", "cap_feat_dim", "in_channels", "axes_dims", "axes_lens",
        "all_patch_size", "all_f_patch_size"))
      if (!w.path(k).toString().equals(i.path(k).toString()))
        throw new IllegalArgumentException(inputs + ": its config differs from the one in " + weights + " (" + k + " " + i.path(k) + " vs "
            + w.path(k) + "): files of two sizes?");
  }

  /** Fields every result carries, in the reference's order. */
  Map<String, Object> describe(String impl) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("impl", impl);
    r.put("torch", Machine.torchVersion());
    r.put("blas", Machine.blas());
    r.put("malloc", Allocator.current());
    r.put("blas_threads", Machine.blasThreads());
    r.put("threads", org.bytedeco.pytorch.global.torch.get_num_threads());
    r.put("device", rt.deviceName());
    r.put("dtype", dtypeName());
    r.put("size", inputs.size());
    r.put("batch", inputs.batch());
    r.put("latent", inputs.latent());
    r.put("caption_tokens", inputs.captions().stream().map(c -> c.size(0)).toList());
    r.put("image_tokens", inputs.batch() * imageTokens);
    r.put("seq_len", imageLen + captionLen);
    r.put("params", params);
    return r;
  }

  private String dtypeName() {
    return switch (rt.computeDtype().intern()) {
      case Float -> "float32";
      case BFloat16 -> "bfloat16";
      case Half -> "float16";
      default -> rt.computeDtype().intern().toString();
    };
  }

  /** Peak memory so far: process RSS, and on a GPU the allocator's peak. */
  void putPeakMemory(Map<String, Object> r) {
    r.put("peak_rss_bytes", Runtime.peakRss());
    if (rt.isCuda()) r.put("peak_vram_bytes", rt.memory().devicePeak());
    r.put("rss_after_load_bytes", rssAfterLoad);
  }

  @Override
  public void close() {
    if (loaded != null) loaded.close();
    else Modules.free(model.module());
    inputs.release();
  }
}
