package dev.lathe.run;

import dev.lathe.adapters.AdapterFiles;
import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.cli.VersionProvider;
import dev.lathe.config.Configs;
import dev.lathe.config.Dataset;
import dev.lathe.config.Environment;
import dev.lathe.config.FamilyCatalog;
import dev.lathe.config.JobConfig;
import dev.lathe.config.Problem;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.config.Target;
import dev.lathe.config.Training;
import dev.lathe.data.DataException;
import dev.lathe.data.DataOptions;
import dev.lathe.data.DatasetSpec;
import dev.lathe.data.TrainingData;
import dev.lathe.jobs.Checkpoints;
import dev.lathe.jobs.Control;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.Signals;
import dev.lathe.models.Families;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.ModelLocator;
import dev.lathe.models.ModelSource;
import dev.lathe.models.TextEncoder;
import dev.lathe.torch.Runtime;
import dev.lathe.train.Ema;
import dev.lathe.train.LrSchedule;
import dev.lathe.train.Optimizer;
import dev.lathe.train.TimestepSampler;
import dev.lathe.train.TrainListener;
import dev.lathe.train.TrainLoop;
import dev.lathe.train.TrainRequests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Runs one job folder in this process, end to end: reads its job.toml, loads the model, builds the data,
 * attaches the adapters, resumes from the newest full-state checkpoint if there is one, trains, and leaves
 * the folder in a final state (finished, stopped, interrupted or failed) with a one-line reason. The caller
 * must hold the job's lock (a {@link dev.lathe.jobs.JobStore.Claim}).
 */
public final class JobRunner {
  /** How a run ended, with the process exit code that tells the cases apart. */
  public record Result(JobState state, int exitCode, String message) {}

  // exit codes shared with the CLI (see cli.ExitCode)
  static final int OK = 0, CONFIG = 3, DATA = 4, RUNTIME = 5, INTERRUPTED = 6;

  private final JobFolder job;
  private final List<TrainListener> listeners;
  private final Supplier<Runtime> runtime;

  /**
   * @param listeners told about every event besides the job's own files (progress line, console)
   * @param runtime picks device and dtype for the job's GPU id (tests pass the CPU)
   */
  public JobRunner(JobFolder job, List<TrainListener> listeners, Supplier<Runtime> runtime) {
    this.job = job;
    this.listeners = listeners;
    this.runtime = runtime;
  }

  /** A runtime for a job's config: its GPU when one is usable, else the CPU in fp32. */
  public static Runtime runtimeFor(JobConfig c) {
    return Runtime.preferGpu(c.job().gpuId(), c.training().dtype().key());
  }

  /** The device a job queues on. */
  public static String deviceFor(JobConfig c) {
    return Runtime.preferredDevice(c.job().gpuId());
  }

  public Result run() {
    JobEvents events = new JobEvents(job, listeners);
    try {
      return train(events);
    } catch (ConfigError e) {
      return end(JobState.FAILED, CONFIG, e.getMessage(), events);
    } catch (DataException | ModelLocator.NotFound e) {
      return end(JobState.FAILED, DATA, e.getMessage(), events);
    } catch (TrainLoop.DivergedException e) {
      return end(JobState.FAILED, RUNTIME, e.getMessage(), events);
    } catch (IOException | UncheckedIOException e) {
      return end(JobState.FAILED, DATA, oneLine(e), events);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return end(JobState.INTERRUPTED, INTERRUPTED, "interrupted", events);
    } catch (RuntimeException | OutOfMemoryError e) {
      return end(JobState.FAILED, RUNTIME, oneLine(e), events);
    }
  }

  private static final class ConfigError extends Exception {
    ConfigError(String m) {
      super(m);
    }
  }

  private Result train(JobEvents events) throws IOException, InterruptedException, ConfigError {
    events.log("started by pid " + ProcessHandle.current().pid() + " (lathe " + VersionProvider.version() + ")");
    // ---- config ----
    ResolvedConfig rc = Configs.load(job.config());
    Runtime rt = runtime.get();
    List<Problem> problems = new ArrayList<>(rc.problems());
    if (!Problem.anyErrors(problems)) problems = Configs.check(rc, rt.isCuda() ? Environment.none() : Environment.cpu());
    for (Problem p : problems) events.log(p.toString());
    if (Problem.anyErrors(problems)) {
      Problem first = problems.stream().filter(Problem::isError).findFirst().orElseThrow();
      throw new ConfigError(first.toString());
    }
    JobConfig c = rc.config();
    FamilyCatalog.Family row = rc.family().orElseThrow(() -> new ConfigError("unknown model.architecture '" + c.model().architecture() + "'"));
    ModelFamily family = Families.find(row.baseFamily())
        .orElseThrow(() -> new ConfigError(row.displayName() + ": this build cannot train it yet"));
    events.log("device " + rt + ", family " + row.id());
    if (!rt.isCuda() && c.training().dtype() != dev.lathe.config.Precision.FP32)
      events.log("training.dtype " + c.training().dtype().key() + " applies on a GPU only: on the CPU this run computes in fp32");

    // ---- model ----
    events.phase("loading model");
    ModelFamily.LoadedModel model = family.load(new ModelSource(rc.nameOrPath(), blank(c.model().textEncoderPath()),
        blank(c.model().vaePath()), null), rt);
    try {
      return trainLoaded(rc, c, row, family, model, rt, events);
    } finally {
      model.close();
    }
  }

  private Result trainLoaded(ResolvedConfig rc, JobConfig c, FamilyCatalog.Family row, ModelFamily family,
      ModelFamily.LoadedModel model, Runtime rt, JobEvents events) throws IOException, InterruptedException {
    Training t = c.training();
    var denoiser = model.denoiser();
    denoiser.setGradientCheckpointing(t.gradientCheckpointing());

    // a training adapter (Z-Image Turbo) is merged at +1 for training and cancelled for previews, never saved
    AdapterSet trainingAdapter = null;
    if (!c.model().trainingAdapter().isBlank()) {
      Path file = resolveFile(c.model().trainingAdapter(), "training adapter");
      trainingAdapter = AdapterFiles.load(file, denoiser.linearLayers(), denoiser.adapterAliases());
      trainingAdapter.merge(1.0);
      events.log("training adapter " + file.getFileName() + " (rank " + trainingAdapter.spec().rank() + ") merged at +1");
    }

    // ---- data ----
    events.phase("scanning datasets");
    String trigger = c.job().triggerWord().isBlank() ? null : c.job().triggerWord();
    DataOptions opts = DataOptions.DEFAULTS.withTrigger(trigger).withDivisor(family.bucketDivisor())
        .withBatchSize(t.batchSize()).withSeed(t.seed()).withCacheTextEmbeddings(t.cacheTextEmbeddings());
    List<DatasetSpec> specs = new ArrayList<>();
    for (int i = 0; i < c.datasets().size(); i++) specs.add(spec(c.datasets().get(i), rc.datasetFolder(i)));
    try (TrainingData data = TrainingData.open(specs, opts)) {
      for (var r : data.reports()) events.log("dataset " + r.folder() + ": " + r.usable().size() + " images, " + r.captionsFound() + " captions, " + r.errors().size() + " unusable");
      boolean dop = c.advanced().differentialOutputPreservation() && trigger != null;
      String presClass = dop ? c.advanced().dopClass() : null;
      boolean bpp = c.advanced().blankPromptPreservation() && c.advanced().blankPromptMultiplier() > 0;
      boolean unload = t.unloadTextEncoder();
      TextEncoder text = onDemand(model);
      if (t.cacheTextEmbeddings() || cachesLatents(c)) {
        events.phase("caching");
        List<String> extra = new ArrayList<>();
        if (presClass != null && !unload) extra.addAll(data.preservationPrompts(presClass));
        if (bpp) extra.add("");
        // with unload_text_encoder no caption is ever encoded, so there is nothing to cache but the few fixed prompts
        data.precache(cachesLatents(c) ? model.codec() : null, t.cacheTextEmbeddings() && !unload ? text : null, extra,
            (phase, done, total) -> {});
        events.log("cache: " + data.stats());
        if (t.cacheTextEmbeddings() && !unload && c.sample().prompts().isEmpty()) model.releaseTextEncoder();
      }
      DataFeed feed = new DataFeed(data, model.codec(), text, presClass);
      if (bpp || unload) feed.withBlank(data.embeddings(List.of(""), text).get(0));
      if (unload) {
        // reference behaviour: encode the trigger (and the blank prompt) once, free the encoder, ignore captions
        String prompt = trigger == null ? "" : trigger;
        feed.withFixedPrompt(data.embeddings(List.of(prompt), text).get(0),
            presClass == null ? null : data.embeddings(List.of(presClass), text).get(0));
        model.releaseTextEncoder();
        events.log("text encoder released: every item trains on the embedding of \"" + prompt + "\"; captions are not used"
            + (c.sample().prompts().isEmpty() || c.sample().disableSampling() ? "" : " (previews load it again and free it after)"));
      }

      // ---- adapters and optimizer ----
      AdapterSpec spec = adapterSpec(c.target());
      AdapterSet adapters = AdapterSet.attach(denoiser.linearLayers(), denoiser::defaultTarget, spec, t.seed());
      events.log(String.format(Locale.ROOT, "%s on %d layers, %,d trainable values", spec.kind() == AdapterSpec.Kind.LORA ? "LoRA" : "LoKr",
          adapters.size(), adapters.parameterCount()));
      Optimizer optimizer = Optimizer.create(Optimizer.Kind.parse(t.optimizer().key()), adapters.parameters(), t.weightDecay());
      Ema ema = t.useEma() ? new Ema(adapters.parameters(), t.emaDecay()) : null;

      TrainLoop.Settings settings = new TrainLoop.Settings(t.steps(), t.gradientAccumulation(), t.maxGradNorm(), t.seed(),
          TrainLoop.Loss.parse(t.lossType().key()),
          new TimestepSampler(TimestepSampler.Type.valueOf(t.timestepType().name()), TimestepSampler.Bias.valueOf(t.timestepBias().name()),
              family.scheduleShift()),
          new LrSchedule(LrSchedule.Kind.parse(t.lrScheduler().key()), t.learningRate(), t.warmupSteps(), t.steps()),
          c.save().every(), c.save().keepLast(), c.sample().every(), c.sample().skipFirstSample(), c.sample().forceFirstSample(),
          c.sample().disableSampling(), dop ? c.advanced().dopMultiplier() : 0,
          c.advanced().differentialGuidance() ? c.advanced().differentialGuidanceScale() : 0,
          bpp ? c.advanced().blankPromptMultiplier() : 0);
      TrainLoop loop = new TrainLoop(settings, rt, denoiser, adapters, feed, optimizer, ema);

      // ---- resume ----
      Checkpoints ck = job.checkpoints();
      ck.removeOrphans();
      Optional<Checkpoints.Entry> newest = ck.newest();
      if (newest.isPresent()) {
        loop.loadState(ck.dir().resolve(newest.get().state()));
        job.pruneMetricsAfter(loop.step());
        events.setStep(loop.step());
        events.log("resumed from the checkpoint of step " + loop.step());
        for (String n : feed.notes) events.log("note: " + n);
      }
      job.writeStatus(job.readStatus().withStep(loop.step()).withTotal(t.steps()));

      // ---- train ----
      Map<String, String> meta = metadata(c, family, adapters, feed);
      ScalarType saveDtype = switch (c.save().dtype()) {
        case BF16 -> ScalarType.BFloat16;
        case FP16 -> ScalarType.Half;
        case FP32 -> ScalarType.Float;
      };
      TrainLoop.Checkpoints sink = new TrainLoop.Checkpoints() {
        @Override
        public Path writeAdapter(long step, AdapterSet a) throws IOException {
          Files.createDirectories(ck.dir());
          Path p = ck.adapterFile(step);
          a.save(p, family.loraKeyPrefix(), saveDtype, withStep(meta, step, feed.epoch()));
          return p;
        }

        @Override
        public Path stateFile(long step) {
          return ck.stateFile(step);
        }

        @Override
        public void recorded(long step) throws IOException {
          for (Path gone : ck.record(step, c.save().keepLast())) events.log("removed old checkpoint " + gone.getFileName());
        }
      };
      Previewer previews = new Previewer(family, model, adapters, trainingAdapter, c.sample(), trigger, job, events);
      TrainLoop.Previews render = !unload ? previews : step -> {
        try {
          previews.render(step);
        } finally {
          model.releaseTextEncoder();   // unload_text_encoder: training goes on without it
        }
      };
      TrainLoop.Outcome outcome = loop.run(sink, render, events, requests());

      if (outcome == TrainLoop.Outcome.FINISHED) {
        if (ema != null) ema.swapIn();
        adapters.save(job.finalAdapter(), family.loraKeyPrefix(), saveDtype, withStep(meta, loop.step(), feed.epoch()));
        if (ema != null) ema.swapOut();
        return end(JobState.FINISHED, OK, "LoRA written to " + job.finalAdapter(), events);
      }
      if (Signals.received()) return end(JobState.INTERRUPTED, INTERRUPTED, Signals.which() + " at step " + loop.step() + "; resumable", events);
      return end(JobState.STOPPED, OK, "stopped at step " + loop.step() + "; resumable", events);
    }
  }

  /**
   * The model's text encoder, loaded now (its cache id is needed up front) and loaded again only when a prompt must
   * be encoded after {@link ModelFamily.LoadedModel#releaseTextEncoder}: cache hits and fixed prompts never bring
   * a released encoder back.
   */
  private static TextEncoder onDemand(ModelFamily.LoadedModel model) throws IOException {
    TextEncoder loaded = model.textEncoder();
    String id = loaded.cacheId();
    long dim = loaded.embeddingDim();
    return new TextEncoder() {
      @Override
      public String cacheId() {
        return id;
      }

      @Override
      public long embeddingDim() {
        return dim;
      }

      @Override
      public List<org.bytedeco.pytorch.Tensor> encode(List<String> prompts) {
        try {
          return model.textEncoder().encode(prompts);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private static boolean cachesLatents(JobConfig c) {
    return c.datasets().stream().anyMatch(Dataset::cacheLatents);
  }

  /**
   * The TARGET panel as an adapter spec. Alpha 0 in the config means "same as the rank" (scale 1); a full-rank
   * LoKr has rank 0 and ignores alpha, a decomposed one uses linear_rank and linear_alpha as a LoRA does.
   */
  static AdapterSpec adapterSpec(Target t) {
    boolean lokr = t.type() == Target.Type.LOKR;
    boolean full = lokr && t.lokrFullRank();
    return new AdapterSpec(lokr ? AdapterSpec.Kind.LOKR : AdapterSpec.Kind.LORA, full ? 0 : t.linearRank(),
        full ? 1 : t.effectiveAlpha(), t.dropout(), t.lokrFactor(), t.include(), t.exclude());
  }

  /** The data pipeline's view of one [[datasets]] entry. */
  static DatasetSpec spec(Dataset d, Path folder) {
    return new DatasetSpec(folder, d.loraWeight(), d.defaultCaption(), d.captionDropoutRate(), null, d.isRegularization(),
        d.flipX(), d.flipY(), d.resolutions(), d.cacheLatents(), d.captionExt(),
        d.alphaBackgroundRgb().orElseThrow(() -> new IllegalStateException("alpha_background \"" + d.alphaBackground() + "\" passed validation")));
  }

  private TrainRequests requests() {
    return new TrainRequests() {
      private boolean stopping;

      @Override
      public boolean stop() {
        boolean asked = Signals.received() || job.pending().contains(Control.STOP);
        if (asked && !stopping) {
          // on disk before the stop checkpoint is written, so a watcher sees "stopping", never a silent pause
          stopping = true;
          try {
            job.transition(JobState.STOPPING, Signals.received() ? Signals.which() + " received" : "stop requested");
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return asked;
      }

      @Override
      public boolean saveNow() {
        return consume(Control.SAVE_NOW);
      }

      @Override
      public boolean sampleNow() {
        return consume(Control.SAMPLE_NOW);
      }

      @Override
      public boolean paused() {
        return job.pending().contains(Control.PAUSE);
      }

      private boolean consume(Control ctl) {
        if (!job.pending().contains(ctl)) return false;
        try {
          job.clear(ctl);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return true;
      }
    };
  }

  /**
   * Header metadata of saved adapters: what ComfyUI, A1111 and ai-toolkit read (name, training_info,
   * ss_base_model_version, ss_output_name, ss_tag_frequency, software, format) plus Lathe's own adapter spec.
   */
  private Map<String, String> metadata(JobConfig c, ModelFamily family, AdapterSet adapters, DataFeed feed) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("name", job.name());
    m.put("version", "1.0");
    m.put("ss_base_model_version", family.baseModelVersion());
    m.put("ss_output_name", job.name());
    String trigger = c.job().triggerWord();
    if (!trigger.isBlank()) m.put("ss_tag_frequency", "{\"1_" + json(trigger) + "\": {\"" + json(trigger) + "\": 1}}");
    m.put("software", "{\"name\": \"lathe\", \"version\": \"" + VersionProvider.version() + "\"}");
    m.put("format", "pt");
    AdapterSpec s = adapters.spec();
    m.put("lathe_adapter", String.format(Locale.ROOT, "{\"kind\": \"%s\", \"rank\": %d, \"alpha\": %s, \"lokr_factor\": %d, \"modules\": %d}",
        s.kind().name().toLowerCase(Locale.ROOT), s.rank(), s.alpha(), s.lokrFactor(), adapters.size()));
    if (s.kind() == AdapterSpec.Kind.LOKR && family.id().equals("zimage"))
      m.put("lathe_note", "Z-Image LoKr files load in ComfyUI; diffusers does not load LoKr for Z-Image");
    return m;
  }

  private static Map<String, String> withStep(Map<String, String> meta, long step, int epoch) {
    Map<String, String> m = new LinkedHashMap<>(meta);
    m.put("training_info", "{\"step\": " + step + ", \"epoch\": " + epoch + "}");
    return m;
  }

  private static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** A local file, or {@code owner/repo/path/in/repo.safetensors} resolved in the local Hugging Face cache. */
  static Path resolveFile(String spec, String what) throws IOException {
    return resolveFile(spec, what, ModelLocator.system());
  }

  static Path resolveFile(String spec, String what, ModelLocator loc) throws IOException {
    Path direct = Path.of(spec).toAbsolutePath().normalize();
    if (Files.isRegularFile(direct)) return direct;
    String[] parts = spec.split("/");
    if (parts.length >= 3) {
      Optional<Path> repo = loc.cached(parts[0] + "/" + parts[1]);
      String inRepo = String.join("/", java.util.Arrays.copyOfRange(parts, 2, parts.length));
      if (repo.isPresent() && Files.isRegularFile(repo.get().resolve(inRepo))) return repo.get().resolve(inRepo);
      throw new ModelLocator.NotFound(what + " '" + spec + "': not found; looked at " + direct + " and in the Hugging Face cache "
          + loc.hubCache() + " for repo " + parts[0] + "/" + parts[1] + " file " + inRepo
          + " (Lathe never downloads: fetch it first, e.g. `hf download " + parts[0] + "/" + parts[1] + " " + inRepo + "`)");
    }
    throw new ModelLocator.NotFound(what + " '" + spec + "': no such file " + direct);
  }

  /**
   * Leaves the job in its final state through the checked transition (running or stopping → the end state); an
   * illegal move is a bug in the runner and surfaces as {@link IllegalStateException}.
   */
  private Result end(JobState state, int code, String message, JobEvents events) {
    try {
      job.transition(state, message);
    } catch (IOException e) {
      // the job folder itself is broken; the exit code still tells
    }
    events.log(state.id() + ": " + message);
    return new Result(state, code, message);
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (e instanceof UncheckedIOException u && u.getCause() != null) m = u.getCause().getMessage();
    if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
