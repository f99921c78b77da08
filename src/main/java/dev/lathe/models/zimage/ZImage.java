package dev.lathe.models.zimage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.models.Denoiser;
import dev.lathe.models.Fingerprint;
import dev.lathe.models.LatentCodec;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.ModelLocator;
import dev.lathe.models.ModelSource;
import dev.lathe.models.SamplingDefaults;
import dev.lathe.models.TextEncoder;
import dev.lathe.nn.Init;
import dev.lathe.nn.Keep;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Modules;
import dev.lathe.nn.Params;
import dev.lathe.nn.Remat;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Z-Image (Tongyi-MAI): Turbo, De-Turbo and the base model. A 6.15 B-parameter single-stream DiT over the 16-channel
 * Flux VAE, conditioned on Qwen3-4B's second-to-last hidden states. See docs/MODELS.md for the layouts it reads and how
 * a model is found.
 */
public final class ZImage implements ModelFamily {
  // steps, guidance (standard convention, see SamplingDefaults), schedule shift
  private static final Map<String, SamplingDefaults> VARIANTS = new LinkedHashMap<>();

  static {
    VARIANTS.put("turbo", new SamplingDefaults(8, 0.0, 3.0));     // distilled: no CFG (diffusers default since 8-step change)
    VARIANTS.put("de-turbo", new SamplingDefaults(25, 3.0, 3.0)); // ostris/Z-Image-De-Turbo: CFG about 3, about 25 steps
    VARIANTS.put("base", new SamplingDefaults(50, 5.0, 6.0));     // Tongyi-MAI/Z-Image: CFG, shift 6
  }

  /** The repo whose tokenizer a single-file setup falls back to when it is in the local cache. */
  static final String TOKENIZER_REPO = "Tongyi-MAI/Z-Image-Turbo";
  private static final List<String> SIZES = List.of("tiny", "demo", "small", "turbo");

  private final ModelLocator locator;

  public ZImage() {
    this(ModelLocator.system());
  }

  /** A family that finds models with {@code locator} (tests give it a fake Hugging Face cache). */
  public ZImage(ModelLocator locator) {
    this.locator = locator;
  }

  @Override
  public String id() {
    return "zimage";
  }

  @Override
  public String baseModelVersion() {
    return "zimage";
  }

  @Override
  public int bucketDivisor() {
    return 16;   // VAE ×8, patch 2
  }

  @Override
  public double scheduleShift() {
    return 3.0;
  }

  @Override
  public String loraKeyPrefix() {
    return "diffusion_model.";
  }

  @Override
  public List<String> variants() {
    return List.copyOf(VARIANTS.keySet());
  }

  @Override
  public SamplingDefaults sampling(String variant) {
    SamplingDefaults d = VARIANTS.get(variant == null ? "turbo" : variant);
    if (d == null) throw new IllegalArgumentException("unknown Z-Image variant '" + variant + "'; known: " + String.join(", ", VARIANTS.keySet()));
    return d;
  }

  @Override
  public java.util.Optional<PartRunner> partRunner() {
    return java.util.Optional.of(new ZImageParts());
  }

  @Override
  public List<String> randomSizes() {
    return SIZES;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Loading real files

  @Override
  public LoadedModel load(ModelSource source, Runtime rt) throws IOException {
    Path root = locator.resolve(source.model(), "model");
    Path folder = Files.isDirectory(root) ? root : null;
    // a component folder (…/transformer) or a file inside a pipeline folder: the other parts are its siblings
    Path parent = root.toAbsolutePath().getParent();
    Path pipeline = parent != null && Files.isRegularFile(parent.resolve("model_index.json")) ? parent : folder;
    Path transformerPath = folder == null ? root
        : locator.part("transformer", null, List.of("transformer", ""), List.of(folder), ModelLocator::isCheckpoint,
            "expected a diffusers folder (transformer/, text_encoder/, vae/, tokenizer/) or a transformer checkpoint");
    ZImageTransformer transformer = loadTransformer(transformerPath, rt);
    return new Loaded(transformer, rt,
        () -> loadTextEncoder(source, pipeline, rt),
        () -> loadCodec(source, pipeline, rt));
  }

  /** Builds and loads the transformer of a file, an index or a folder in either layout. */
  static ZImageTransformer loadTransformer(Path path, Runtime rt) throws IOException {
    try (Checkpoint ck = Checkpoint.open(path)) {
      ZImageTransformer.Config cfg = transformerConfig(path, ck);
      ZImageTransformer t = new ZImageTransformer(cfg, Params.deferred(rt.computeDtype()));
      ZImageKeys.load(t, ck, rt.computeDtype(), rt.device());
      return t;
    }
  }

  /** config.json beside the weights when it describes this architecture, else the file's own metadata or shapes. */
  static ZImageTransformer.Config transformerConfig(Path path, Checkpoint ck) throws IOException {
    JsonNode json = configJson(path, "ZImageTransformer2DModel", "n_layers");
    if (json != null) {
      try {
        return ZImageTransformer.Config.fromJson(json);
      } catch (IllegalArgumentException e) {
        throw new IOException(configFile(path) + ": " + e.getMessage());
      }
    }
    return ZImageKeys.config(ck);
  }

  private TextEncoder loadTextEncoder(ModelSource source, Path folder, Runtime rt) throws IOException {
    Path te = locator.part("text encoder", source.textEncoder(), List.of("text_encoder"), folder == null ? List.of() : List.of(folder),
        ModelLocator::isCheckpoint, "set the text encoder (--text-encoder): a Qwen3-4B folder, qwen_3_4b.safetensors, or a cached repo id");
    Path teDir = Files.isDirectory(te) ? te : te.getParent();
    List<Path> roots = new ArrayList<>();
    if (folder != null) roots.add(folder);
    roots.add(teDir);
    if (teDir.getParent() != null) roots.add(teDir.getParent());
    locator.cached(TOKENIZER_REPO).ifPresent(roots::add);
    Path tokPath = locator.part("tokenizer", source.tokenizer(), List.of("tokenizer/tokenizer.json", "tokenizer.json"), roots,
        ModelLocator::isJsonFile, "set the tokenizer (--tokenizer): the tokenizer.json of " + TOKENIZER_REPO + " or Qwen/Qwen3-4B");
    Qwen3Tokenizer tok = Qwen3Tokenizer.open(tokPath);
    try (Checkpoint ck = Checkpoint.open(te)) {
      JsonNode json = configJson(te, null, "num_hidden_layers");
      Qwen3Encoder.Config cfg;
      try {
        cfg = json != null ? Qwen3Encoder.Config.fromJson(json) : Qwen3Encoder.infer(ck);
      } catch (IllegalArgumentException e) {
        throw new IOException(configFile(te) + ": " + e.getMessage());
      }
      Qwen3Encoder enc = new Qwen3Encoder(cfg, Params.deferred(rt.computeDtype()));
      Qwen3Encoder.load(enc, ck, rt.computeDtype(), rt.device());
      return new Prompting(enc, tok, "zimage/qwen3/" + Fingerprint.of(ck) + "/" + Fingerprint.ofFile(tokPath));
    } catch (IOException | RuntimeException e) {
      tok.close();
      throw e;
    }
  }

  private LatentCodec loadCodec(ModelSource source, Path folder, Runtime rt) throws IOException {
    Path vaePath = locator.part("VAE", source.vae(), List.of("vae"), folder == null ? List.of() : List.of(folder),
        ModelLocator::isCheckpoint, "set the VAE (--vae): ae.safetensors, a diffusers vae folder, or a cached repo id");
    try (Checkpoint ck = Checkpoint.open(vaePath)) {
      JsonNode json = configJson(vaePath, "AutoencoderKL", "block_out_channels");
      FluxVae.Config cfg;
      try {
        cfg = json != null ? FluxVae.Config.fromJson(json) : FluxVae.config(ck);
      } catch (IllegalArgumentException e) {
        throw new IOException(configFile(vaePath) + ": " + e.getMessage());
      }
      FluxVae vae = new FluxVae(cfg, Params.deferred(ScalarType.Float));
      FluxVae.load(vae, ck, rt.device());   // the VAE runs in fp32 on every device
      return new Codec(vae, rt.device(), "zimage/flux-vae/" + Fingerprint.of(ck));
    }
  }

  /** The config.json in a checkpoint's folder (or beside its file) if it has {@code field} and, if given, the class. */
  private static JsonNode configJson(Path checkpoint, String className, String field) throws IOException {
    Path f = configFile(checkpoint);
    if (!Files.isRegularFile(f)) return null;
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(f.toFile());
    } catch (IOException e) {
      throw new IOException(f + ": not valid JSON: " + e.getMessage().split("\n")[0]);
    }
    if (n == null || !n.has(field)) return null;
    if (className != null && n.has("_class_name") && !className.equals(n.get("_class_name").asText())) {
      throw new IOException(f + ": describes a " + n.get("_class_name").asText() + ", expected " + className);
    }
    return n;
  }

  private static Path configFile(Path checkpoint) {
    return (Files.isDirectory(checkpoint) ? checkpoint : checkpoint.toAbsolutePath().getParent()).resolve("config.json");
  }

  /**
   * A transformer of the given diffusers {@code config.json} (class {@code ZImageTransformer2DModel}) whose parameters
   * are one-element placeholders in the runtime's compute dtype (see {@link Params#deferred}). The caller fills every
   * parameter of {@code module()} with {@code set_data} before running it; benchmarks build their own sizes this way.
   *
   * @throws IllegalArgumentException when the config does not describe a valid Z-Image transformer
   */
  public static Denoiser placeholderDenoiser(JsonNode config, Runtime rt) {
    return new Denoising(new ZImageTransformer(ZImageTransformer.Config.fromJson(config), Params.deferred(rt.computeDtype())));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Random weights

  @Override
  public LoadedModel random(String size, long seed, Runtime rt) {
    ZImageTransformer.Config tc;
    Qwen3Encoder.Config qc;
    FluxVae.Config vc;
    double std;
    switch (size) {
      case "tiny" -> {
        tc = ZImageTransformer.Config.tiny();
        qc = Qwen3Encoder.Config.tiny();
        vc = FluxVae.Config.tiny();
        std = 0.05;
      }
      case "demo" -> {
        // the embedded demo: the fixture's transformer, a four-level VAE (8× down, as released) at 16-32 channels
        tc = ZImageTransformer.Config.tiny();
        qc = Qwen3Encoder.Config.tiny();
        vc = new FluxVae.Config(3, 3, List.of(16, 16, 32, 32), 1, 16, 8, 0.3611, 0.1159, true);
        std = 0.05;
      }
      case "small" -> {
        tc = ZImageTransformer.Config.small();
        qc = new Qwen3Encoder.Config(256, 4, 4, 2, 64, 512, 512, 1e-6, 1_000_000.0);
        vc = FluxVae.Config.flux();
        std = 0.02;
      }
      case "turbo" -> {
        tc = ZImageTransformer.Config.turbo();
        qc = Qwen3Encoder.Config.qwen3_4b();
        vc = FluxVae.Config.flux();
        std = 0.02;
      }
      default -> throw new IllegalArgumentException("unknown size '" + size + "'; known: " + String.join(", ", SIZES));
    }
    ScalarType dt = rt.computeDtype();
    ZImageTransformer t = new ZImageTransformer(tc, Params.deferred(dt));
    Init.normal(t, Runtime.generator(seed), std, dt, rt.device());
    String id = "random-" + size + "-" + seed;
    return new Loaded(t, rt, () -> {
      Qwen3Encoder enc = new Qwen3Encoder(qc, Params.deferred(dt));
      Init.normal(enc, Runtime.generator(seed + 1), std, dt, rt.device());
      Qwen3Tokenizer tok = Qwen3Tokenizer.fromJson(Qwen3Tokenizer.byteLevelJson(), Path.of("(byte-level tokenizer)"));
      return new Prompting(enc, tok, "zimage/qwen3/" + id);
    }, () -> {
      FluxVae vae = new FluxVae(vc, Params.deferred(ScalarType.Float));
      Init.normal(vae, Runtime.generator(seed + 2), std, ScalarType.Float, rt.device());
      return new Codec(vae, rt.device(), "zimage/flux-vae/" + id);
    });
  }

  @Override
  public void writeRandom(String size, long seed, Path folder) throws IOException {
    Runtime cpu = Runtime.cpu();
    LoadedModel m = random(size, seed, cpu);
    try {
      Loaded l = (Loaded) m;
      ObjectMapper json = new ObjectMapper();
      Prompting text = (Prompting) l.textEncoder();
      Codec codec = (Codec) l.codec();
      writePart(folder.resolve("transformer"), "diffusion_pytorch_model.safetensors", l.transformer, l.transformer.cfg.toJson(), json);
      writePart(folder.resolve("text_encoder"), "model.safetensors", text.encoder, text.encoder.cfg.toJson(), json);
      writePart(folder.resolve("vae"), "diffusion_pytorch_model.safetensors", codec.vae, codec.vae.cfg.toJson(), json);
      dev.lathe.io.AtomicFiles.write(folder.resolve("tokenizer").resolve("tokenizer.json"), Qwen3Tokenizer.byteLevelJson());
      var index = json.createObjectNode();
      index.put("_class_name", "ZImagePipeline");
      index.putArray("transformer").add("diffusers").add("ZImageTransformer2DModel");
      index.putArray("text_encoder").add("transformers").add("Qwen3Model");
      index.putArray("tokenizer").add("transformers").add("Qwen2Tokenizer");
      index.putArray("vae").add("diffusers").add("AutoencoderKL");
      index.putArray("scheduler").add("diffusers").add("FlowMatchEulerDiscreteScheduler");
      dev.lathe.io.AtomicFiles.write(folder.resolve("model_index.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
    } finally {
      m.close();
    }
  }

  private static void writePart(Path dir, String file, org.bytedeco.pytorch.Module module, JsonNode config, ObjectMapper json)
      throws IOException {
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
      var w = new dev.lathe.torch.SafeTensorsWriter().metadata("format", "pt");
      for (var p : Modules.parameters(module)) w.put(p.name(), p.tensor());
      w.write(dir.resolve(file));
    }
    dev.lathe.io.AtomicFiles.write(dir.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The parts as the rest of Lathe sees them

  @FunctionalInterface
  interface Part<T> {
    T open() throws IOException;
  }

  /** A model whose text encoder and VAE are built on first use. */
  /**
   * Which Linears (diffusers module paths) an adapter targets by default: ai-toolkit's rule, paths containing
   * "layers", i.e. the main blocks and not the refiners or embedders.
   */
  public static boolean defaultTarget(String modulePath) {
    return modulePath.contains("layers");
  }

  static final class Loaded implements LoadedModel {
    final ZImageTransformer transformer;
    private final Denoising denoiser;
    private final Part<TextEncoder> textPart;
    private final Part<LatentCodec> codecPart;
    private Prompting text;
    private Codec codec;

    Loaded(ZImageTransformer transformer, Runtime rt, Part<TextEncoder> text, Part<LatentCodec> codec) {
      this.transformer = transformer;
      this.denoiser = new Denoising(transformer);
      this.textPart = text;
      this.codecPart = codec;
    }

    @Override
    public Denoiser denoiser() {
      return denoiser;
    }

    @Override
    public synchronized TextEncoder textEncoder() throws IOException {
      if (text == null) text = (Prompting) textPart.open();
      return text;
    }

    @Override
    public synchronized LatentCodec codec() throws IOException {
      if (codec == null) codec = (Codec) codecPart.open();
      return codec;
    }

    @Override
    public synchronized void releaseTextEncoder() {
      if (text != null) text.close();
      text = null;
    }

    @Override
    public synchronized void close() {
      releaseTextEncoder();
      if (codec != null) Modules.free(codec.vae);
      codec = null;
      Modules.free(transformer);
    }
  }

  /** The transformer in the common flow convention: input σ, output ε − x0. */
  static final class Denoising implements Denoiser {
    private final ZImageTransformer transformer;
    private final Scalar one = Keep.scalar(1.0);

    Denoising(ZImageTransformer transformer) {
      this.transformer = transformer;
    }

    @Override
    public Module module() {
      return transformer;
    }

    /** Z-Image's own time is t = 1 − σ and its raw output ≈ x0 − ε, so both are flipped here. */
    @Override
    public Tensor velocity(Tensor latents, Tensor sigma, List<Tensor> text) {
      In in = in(latents, sigma, text);
      return out(transformer.forward(in.items, in.t, in.caps, Probe.NONE));
    }

    @Override
    public Front front(Tensor latents, Tensor sigma, List<Tensor> text) {
      In in = in(latents, sigma, text);
      try (NoGradGuard ng = new NoGradGuard()) {
        return transformer.front(in.items, in.t, in.caps, Probe.NONE);
      }
    }

    @Override
    public Tensor velocity(Front front) {
      return out(transformer.forwardFrom((ZImageTransformer.Front) front));
    }

    @Override
    public boolean hasFrozenFront() {
      return transformer.frontFrozen();
    }

    @Override
    public boolean splitsAcrossThreads() {
      return transformer.splitsLayers();
    }

    private record In(List<Tensor> items, Tensor t, List<Tensor> caps) {}

    private In in(Tensor latents, Tensor sigma, List<Tensor> text) {
      ScalarType dt = transformer.dtype();
      Device dev = transformer.device();
      long b = latents.size(0);
      if (sigma.numel() != b || text.size() != b)
        throw new IllegalArgumentException(b + " latents, " + sigma.numel() + " sigmas, " + text.size() + " captions");
      Tensor x = latents.to(dev, dt);
      List<Tensor> items = new ArrayList<>((int) b);
      for (int i = 0; i < b; i++) items.add(x.select(0, i).unsqueeze(1));                  // [C, 1, H, W]
      List<Tensor> caps = new ArrayList<>(text.size());
      for (Tensor c : text) caps.add(c.to(dev, dt));
      Tensor t = sigma.reshape(b).to(dev, ScalarType.Float).neg().add(one);                // t = 1 − σ
      return new In(items, t, caps);
    }

    private static Tensor out(List<Tensor> out) {
      TensorVector v = new TensorVector();
      for (Tensor o : out) v.push_back(o.squeeze(1));
      return torch.stack(v, 0).neg();                                                      // [B, C, H, W] = ε − x0
    }

    @Override
    public Map<String, Linear> linearLayers() {
      return transformer.linears();
    }

    @Override
    public Map<String, List<dev.lathe.adapters.Slice>> adapterAliases() {
      Map<String, List<dev.lathe.adapters.Slice>> out = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, Linear> e : transformer.linears().entrySet()) {
        ZImageKeys.ComfyModule cm = ZImageKeys.comfyModule(e.getKey(), (int) e.getValue().out);
        if (cm.module().equals(e.getKey())) continue;
        out.computeIfAbsent(cm.module(), k -> new ArrayList<>()).add(new dev.lathe.adapters.Slice(e.getKey(), cm.rowStart(), cm.rows()));
      }
      return out;
    }

    @Override
    public boolean defaultTarget(String modulePath) {
      return ZImage.defaultTarget(modulePath);
    }

    @Override
    public void setGradientCheckpointing(boolean on) {
      transformer.setRemat(Remat.of(on, true));
    }
  }

  /** Prompts → Qwen3 hidden_states[-2], cut to each prompt's tokens. */
  static final class Prompting implements TextEncoder, AutoCloseable {
    final Qwen3Encoder encoder;
    final Qwen3Tokenizer tokenizer;
    private final String cacheId;

    Prompting(Qwen3Encoder encoder, Qwen3Tokenizer tokenizer, String cacheId) {
      this.encoder = encoder;
      this.tokenizer = tokenizer;
      this.cacheId = cacheId;
    }

    @Override
    public String cacheId() {
      return cacheId;
    }

    @Override
    public long embeddingDim() {
      return encoder.cfg.hidden();
    }

    @Override
    public List<Tensor> encode(List<String> prompts) {
      try (NoGradGuard g = new NoGradGuard()) {
        Qwen3Tokenizer.Batch batch = tokenizer.batch(prompts);
        Tensor e = encoder.promptEmbeddings(batch.ids(), batch.lengths());                 // [B, T, D]
        List<Tensor> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) out.add(e.select(0, i).narrow(0, 0, batch.lengths()[i]));
        return out;
      }
    }

    @Override
    public void close() {
      tokenizer.close();
      Modules.free(encoder);
    }
  }

  /** The Flux VAE with Z-Image's scaling (0.3611) and shift (0.1159), in fp32. */
  static final class Codec implements LatentCodec {
    final FluxVae vae;
    private final Device device;
    private final String cacheId;

    Codec(FluxVae vae, Device device, String cacheId) {
      this.vae = vae;
      this.device = device;
      this.cacheId = cacheId;
    }

    @Override
    public String cacheId() {
      return cacheId;
    }

    @Override
    public int latentChannels() {
      return vae.cfg.latentChannels();
    }

    @Override
    public int downscale() {
      return vae.cfg.downscale();
    }

    @Override
    public Tensor encode(Tensor pixels) {
      long h = pixels.size(2), w = pixels.size(3);
      if (h % downscale() != 0 || w % downscale() != 0)
        throw new IllegalArgumentException("image " + w + "×" + h + " is not a multiple of " + downscale());
      try (NoGradGuard g = new NoGradGuard()) {
        return vae.encode(pixels.to(device, ScalarType.Float));
      }
    }

    @Override
    public Tensor decode(Tensor latents) {
      try (NoGradGuard g = new NoGradGuard()) {
        return vae.decode(latents.to(device, ScalarType.Float));
      }
    }
  }
}
