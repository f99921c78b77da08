package dev.lathe.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.io.AtomicFiles;
import dev.lathe.models.Denoiser;
import dev.lathe.models.zimage.ZImage;
import dev.lathe.nn.Keep;
import dev.lathe.nn.Modules;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The files the bench shares with the PyTorch reference (format in {@code scripts/bench/README.md}):
 * {@code weights.safetensors} (F32, diffusers key names, the config in {@code __metadata__}) and
 * {@code inputs.safetensors} (x0, noise, sigma, cap_feats.i). Either side may write them; both only read them.
 */
public final class BenchFiles {
  /** The {@code format} metadata value of an inputs file. */
  public static final String FORMAT = "lathe-bench-inputs/1";
  public static final String WEIGHTS = "weights.safetensors";
  public static final String INPUTS = "inputs.safetensors";

  private BenchFiles() {}

  /**
   * What one bench run feeds the model, fp32 on the CPU; the tensors outlive any PointerScope.
   *
   * @param x0 clean latents [B, C, F, H, W]
   * @param noise ε, the same shape
   * @param sigma σ per item [B]; the model's time is 1 − σ
   * @param captions per item the caption features [S_i, cap_feat_dim]
   * @param config the model's diffusers config.json
   * @param rank the LoRA rank the file asks for
   * @param size the size's name, or "custom"
   */
  public record Inputs(Tensor x0, Tensor noise, Tensor sigma, List<Tensor> captions, JsonNode config, int rank, String size) {
    public int batch() {
      return (int) x0.size(0);
    }

    /** σ per item as doubles. */
    public double[] sigmas() {
      float[] f = Tensors.toFloats(sigma);
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) d[i] = f[i];
      return d;
    }

    /** [C, F, H, W] of one item. */
    public long[] latent() {
      long[] s = Tensors.shape(x0);
      return Arrays.copyOfRange(s, 1, s.length);
    }

    public void release() {
      x0.releaseReference();
      noise.releaseReference();
      sigma.releaseReference();
      captions.forEach(Tensor::releaseReference);
    }
  }

  /** Inputs of {@code size} drawn from {@code seed}: x0, ε, caption features ~ N(0, 1), σ = sigmoid(N(0, 1)). */
  public static Inputs generate(BenchSize size, long seed, int rank) {
    Runtime.load();
    Generator gen = Runtime.generator(seed);
    int[] l = size.latent();
    long[] shape = {size.batch, l[0], l[1], l[2], l[3]};
    try (PointerScope scope = new PointerScope()) {
      Tensor x0 = Keep.retained(randn(gen, shape));
      Tensor noise = Keep.retained(randn(gen, shape));
      Tensor sigma = Keep.retained(torch.sigmoid(randn(gen, size.batch)));   // sigmoid timestep sampling, drawn once
      List<Tensor> caps = new ArrayList<>();
      for (int i = 0; i < size.batch; i++) caps.add(Keep.retained(randn(gen, size.captionTokens, size.capFeatDim)));
      return new Inputs(x0, noise, sigma, List.copyOf(caps), size.config(), rank, size.id());
    }
  }

  private static Tensor randn(Generator gen, long... shape) {
    return torch.randn(shape, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float));
  }

  /**
   * Reads and checks an inputs file.
   *
   * @throws IOException naming the file and what is wrong (missing tensor, shapes, config)
   */
  public static Inputs readInputs(Path file) throws IOException {
    Runtime.load();
    try (Checkpoint ck = Checkpoint.open(file); PointerScope scope = new PointerScope()) {
      for (String k : List.of("x0", "noise", "sigma"))
        if (!ck.contains(k)) throw new IOException(file + ": missing tensor '" + k + "' (expected x0, noise, sigma, cap_feats.<i>)");
      Tensor x0 = ck.load("x0", ScalarType.Float, null);
      Tensor noise = ck.load("noise", ScalarType.Float, null);
      Tensor sigma = ck.load("sigma", ScalarType.Float, null);
      long b = x0.size(0);
      if (x0.dim() != 5 || !Arrays.equals(Tensors.shape(noise), Tensors.shape(x0)) || sigma.dim() != 1 || sigma.size(0) != b)
        throw new IOException(file + ": shapes x0 " + Arrays.toString(Tensors.shape(x0)) + ", noise " + Arrays.toString(Tensors.shape(noise))
            + ", sigma " + Arrays.toString(Tensors.shape(sigma)) + ": expected [B, C, F, H, W], the same, and [B]");
      JsonNode config = config(file, ck.metadata().get("config"));
      long capDim = config.path("cap_feat_dim").asLong();
      List<Tensor> caps = new ArrayList<>();
      for (int i = 0; i < b; i++) {
        String k = "cap_feats." + i;
        if (!ck.contains(k)) throw new IOException(file + ": missing tensor '" + k + "' (one per batch item)");
        Tensor c = ck.load(k, ScalarType.Float, null);
        if (c.dim() != 2 || c.size(1) != capDim)
          throw new IOException(file + ": " + k + " has shape " + Arrays.toString(Tensors.shape(c)) + ", expected [S, " + capDim + "]");
        caps.add(Keep.retained(c));
      }
      int rank;
      try {
        rank = Integer.parseInt(ck.metadata().getOrDefault("rank", "16").trim());
      } catch (NumberFormatException e) {
        throw new IOException(file + ": metadata 'rank' is not a number: " + ck.metadata().get("rank"));
      }
      return new Inputs(Keep.retained(x0), Keep.retained(noise), Keep.retained(sigma), List.copyOf(caps), config, rank,
          ck.metadata().getOrDefault("size", "custom"));
    }
  }

  /** The config.json text of a file's {@code __metadata__}. */
  static JsonNode config(Path file, String text) throws IOException {
    if (text == null) throw new IOException(file + ": no 'config' in __metadata__ (write the files with 'lathe bench export')");
    try {
      JsonNode n = new ObjectMapper().readTree(text);
      if (n == null || !n.isObject() || !n.has("dim")) throw new IOException(file + ": __metadata__ config is not a transformer config.json");
      return n;
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": __metadata__ config is not JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Fills every parameter of a freshly built model from {@code gen}, in module order, as the reference's input maker
   * does: pad tokens N(0, 1), norm scales 1 + 0.1·N, biases 0.02·N, matrices N(0, 1/fan_in). Values only matter for
   * keeping activations O(1) through the stack.
   */
  public static void initWeights(Module model, Generator gen, ScalarType dtype, org.bytedeco.pytorch.Device device) {
    try (NoGradGuard g = new NoGradGuard()) {
      for (Modules.Named p : Modules.parameters(model)) {
        try (PointerScope scope = new PointerScope()) {
          long[] shape = p.tensor().sizes().vec().get();
          Tensor v = randn(gen, shape);
          if (p.name().endsWith("pad_token")) {
            // N(0, 1) as drawn
          } else if (shape.length == 1 && p.name().endsWith("weight")) {
            v = v.mul(new Scalar(0.1)).add(new Scalar(1.0));
          } else if (shape.length == 1) {
            v = v.mul(new Scalar(0.02));
          } else {
            v = v.div(new Scalar(Math.sqrt(shape[1])));
          }
          p.tensor().set_data(v.to(device, dtype));
        }
      }
    }
  }

  /** A model of {@code config} with the random weights of {@link #initWeights} from {@code seed}, on the runtime. */
  public static Denoiser randomModel(JsonNode config, long seed, Runtime rt) {
    Denoiser d = ZImage.placeholderDenoiser(config, rt);
    initWeights(d.module(), Runtime.generator(seed), rt.computeDtype(), rt.device());
    return d;
  }

  /**
   * Writes {@code DIR/weights.safetensors}, {@code DIR/inputs.safetensors} and {@code DIR/config.json} for
   * {@code size}: weights from {@code seed}, inputs from {@code seed + 1}. Every file is written atomically.
   *
   * @return the number of model parameters written
   */
  public static long export(BenchSize size, long seed, int rank, Path dir) throws IOException {
    Files.createDirectories(dir);
    String configText = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(size.config());
    Runtime rt = Runtime.create("cpu", "fp32", 0);
    Denoiser model = randomModel(size.config(), seed, rt);
    long params;
    try (PointerScope scope = new PointerScope()) {
      SafeTensorsWriter w = new SafeTensorsWriter().metadata("config", configText);
      params = 0;
      for (Modules.Named p : Modules.parameters(model.module())) {
        w.put(p.name(), p.tensor());
        params += p.tensor().numel();
      }
      Modules.free(model.module());   // the writer holds its own copies
      w.write(dir.resolve(WEIGHTS));
    }
    Inputs in = generate(size, seed + 1, rank);
    try (PointerScope scope = new PointerScope()) {
      SafeTensorsWriter w = new SafeTensorsWriter()
          .metadata("config", configText).metadata("rank", Integer.toString(rank)).metadata("size", size.id())
          .metadata("seed", Long.toString(seed)).metadata("format", FORMAT);
      w.put("x0", in.x0()).put("noise", in.noise()).put("sigma", in.sigma());
      for (int i = 0; i < in.captions().size(); i++) w.put("cap_feats." + i, in.captions().get(i));
      w.write(dir.resolve(INPUTS));
    } finally {
      in.release();
    }
    AtomicFiles.write(dir.resolve("config.json"), (configText + "\n").getBytes(StandardCharsets.UTF_8));
    return params;
  }
}
