package dev.lathe.train;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.models.Denoiser;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.torch.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The training loop, read top to bottom in {@link #run}. What varies between runs (objective settings, timestep
 * sampler, optimizer, schedule, data) is passed in; nothing here knows the model family. Every random draw of a
 * step comes from streams derived from (seed, step, micro-batch), so a run resumed from a full-state checkpoint
 * continues bit for bit on the CPU.
 */
public final class TrainLoop {
  public enum Loss {
    MSE, MAE;

    public static Loss parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "mse", "mean_squared_error" -> MSE;
        case "mae", "l1", "mean_absolute_error" -> MAE;
        default -> throw new IllegalArgumentException("loss '" + s + "' is not one of mse, mae");
      };
    }
  }

  /**
   * Resolved settings of one run.
   *
   * @param steps optimizer steps to reach
   * @param gradAccumulation micro-batches per step; their gradients are averaged
   * @param maxGradNorm clip the global gradient norm to this (0 = off)
   * @param preservationMultiplier λ of the differential-output-preservation term (0 = off)
   * @param differentialGuidance g of differential guidance (0 = off): target' = sg(v̂) + g·(v − sg(v̂))
   * @param blankPromptMultiplier λ of the blank-prompt-preservation term (0 = off); needs a data source whose
   *     {@link BatchSource#blankText()} is not null
   */
  public record Settings(long steps, int gradAccumulation, double maxGradNorm, long seed, Loss loss,
      TimestepSampler timesteps, LrSchedule schedule, int saveEvery, int keepLast, int sampleEvery,
      boolean skipFirstSample, boolean forceFirstSample, boolean disableSampling, double preservationMultiplier,
      double differentialGuidance, double blankPromptMultiplier) {
    public Settings {
      if (steps < 1) throw new IllegalArgumentException("steps must be >= 1");
      if (gradAccumulation < 1) throw new IllegalArgumentException("gradient accumulation must be >= 1");
    }

    /** Settings with blank-prompt preservation off. */
    public Settings(long steps, int gradAccumulation, double maxGradNorm, long seed, Loss loss,
        TimestepSampler timesteps, LrSchedule schedule, int saveEvery, int keepLast, int sampleEvery,
        boolean skipFirstSample, boolean forceFirstSample, boolean disableSampling, double preservationMultiplier,
        double differentialGuidance) {
      this(steps, gradAccumulation, maxGradNorm, seed, loss, timesteps, schedule, saveEvery, keepLast, sampleEvery,
          skipFirstSample, forceFirstSample, disableSampling, preservationMultiplier, differentialGuidance, 0);
    }

    /** Whether any preservation term (class prompt or blank prompt) is on. */
    boolean preserves() {
      return preservationMultiplier > 0 || blankPromptMultiplier > 0;
    }
  }

  /** Where checkpoints go; the job runner decides the names and records them in its manifest. */
  public interface Checkpoints {
    /** Writes the user-loadable adapter of {@code step}; returns its path. */
    Path writeAdapter(long step, AdapterSet adapters) throws IOException;

    Path stateFile(long step);

    /** Both files of {@code step} are written. */
    void recorded(long step) throws IOException;
  }

  /** Renders preview images with the current weights (the caller switches training adapters as needed). */
  public interface Previews {
    void render(long step) throws IOException;
  }

  /** How a run ended. */
  public enum Outcome { FINISHED, STOPPED }

  /** A loss that is NaN or infinite; the message names the step. */
  public static final class DivergedException extends RuntimeException {
    public DivergedException(String msg) {
      super(msg);
    }
  }

  private final Settings s;
  private final Runtime rt;
  private final Denoiser model;
  private final AdapterSet adapters;
  private final BatchSource data;
  private final Optimizer optimizer;
  private final Ema ema;   // null when off
  private final Map<String, Tensor> params;
  private final NoiseSource noiseSource;
  private final Lookahead lookahead;
  private long lookaheadLimit = Long.MAX_VALUE;   // no look-ahead for a step at or past this (the run's end)
  private boolean lookaheadOn = LOOKAHEAD;
  private long step;       // optimizer steps done

  /**
   * Whether the next step's batch and frozen front are prepared during this step's backward ({@link Lookahead}); on
   * by default on the CPU, {@code -Dlathe.lookahead=false} turns it off (to compare, or to rule it out).
   */
  static final boolean LOOKAHEAD = !"false".equalsIgnoreCase(System.getProperty("lathe.lookahead"));

  public TrainLoop(Settings s, Runtime rt, Denoiser model, AdapterSet adapters, BatchSource data, Optimizer optimizer, Ema ema) {
    this(s, rt, model, adapters, data, optimizer, ema, NoiseSource.seeded(s.seed(), s.timesteps()));
  }

  /** A loop whose noise and noise levels come from {@code noise} instead of the seeded streams (benchmarks). */
  public TrainLoop(Settings s, Runtime rt, Denoiser model, AdapterSet adapters, BatchSource data, Optimizer optimizer, Ema ema,
      NoiseSource noise) {
    this.s = s;
    this.rt = rt;
    this.model = model;
    this.adapters = adapters;
    this.data = data;
    this.optimizer = optimizer;
    this.ema = ema;
    this.params = adapters.parameters();
    this.noiseSource = noise;
    this.lookahead = new Lookahead(data);
    if (s.blankPromptMultiplier() > 0 && data.blankText() == null)
      throw new IllegalArgumentException("blank-prompt preservation is on but the data source has no blank-prompt embedding");
  }

  public long step() {
    return step;
  }

  /** Turns the look-ahead (see {@link #LOOKAHEAD}) on or off for this loop; the results are the same either way. */
  public TrainLoop withLookahead(boolean on) {
    if (!on) lookahead.cancel();
    lookaheadOn = on;
    return this;
  }

  /**
   * Trains from the current step to {@code settings.steps()} or until a stop request.
   *
   * @throws DivergedException when a loss is not finite, naming the step
   */
  public Outcome run(Checkpoints checkpoints, Previews previews, TrainListener events, TrainRequests requests)
      throws IOException, InterruptedException {
    lookaheadLimit = s.steps();
    try {
      return train(checkpoints, previews, events, requests);
    } finally {
      lookahead.cancel();
      lookaheadLimit = Long.MAX_VALUE;
    }
  }

  private Outcome train(Checkpoints checkpoints, Previews previews, TrainListener events, TrainRequests requests)
      throws IOException, InterruptedException {
    events.phase("training");
    adapters.train(true);
    // baseline previews: at a fresh start, or on every start with force; skip (like disable) beats force, as in ai-toolkit
    boolean firstSample = !s.disableSampling() && !s.skipFirstSample() && (s.forceFirstSample() || (step == 0 && s.sampleEvery() > 0));
    if (firstSample && previews != null) sample(previews, events);
    long lastSaved = step;
    while (step < s.steps()) {
      while (requests.paused() && !requests.stop()) Thread.sleep(200);
      if (requests.stop()) {
        if (step > lastSaved) save(checkpoints, events);
        events.log("stopped at step " + step);
        return Outcome.STOPPED;
      }
      long t0 = System.nanoTime();
      StepReport report = trainStep(t0);
      events.step(report);
      boolean saveDue = s.saveEvery() > 0 && step % s.saveEvery() == 0 && step < s.steps();
      if (saveDue || requests.saveNow()) {
        save(checkpoints, events);
        lastSaved = step;
      }
      boolean sampleDue = !s.disableSampling() && s.sampleEvery() > 0 && step % s.sampleEvery() == 0 && step < s.steps();
      if (previews != null && (sampleDue || requests.sampleNow())) sample(previews, events);
    }
    save(checkpoints, events);
    if (previews != null && !s.disableSampling()) sample(previews, events);
    return Outcome.FINISHED;
  }

  /**
   * One optimizer step outside {@link #run}: no checkpoints, previews or requests (benchmarks and tools). The
   * adapters should be in training mode ({@code adapters.train(true)}) as {@code run} sets them.
   */
  public StepReport runStep() {
    return trainStep(System.nanoTime());
  }

  /**
   * Ends a series of {@link #runStep} calls: waits for the next step's look-ahead, if one is running, and drops it,
   * putting the data stream back. Call it before freeing the model or the data.
   */
  public void finish() {
    lookahead.cancel();
  }

  /** What one micro-batch feeds the model; {@code front} is null unless it was prepared ahead. */
  private record Prepared(Batch batch, NoiseSource.Draw draw, Tensor sigma, Tensor xt, Tensor target, Denoiser.Front front) {}

  /** Draws micro-batch {@code micro} of step {@code at}: batch, noise, x_t = (1 − σ)·x0 + σ·ε and the target ε − x0. */
  private Prepared prepare(long at, int micro) {
    Batch b = data.next();
    Tensor x0 = b.latents();
    int n = (int) x0.size(0);
    NoiseSource.Draw d = noiseSource.draw(at, micro, x0);
    Tensor noise = d.noise();
    Tensor sigma = dev.lathe.torch.Tensors.fromFloats(toFloats(d.sigmas()), n).to(x0.device(), x0.scalar_type());
    Tensor sig4 = sigma.view(n, 1, 1, 1);
    Tensor xt = x0.mul(sig4.neg().add(new Scalar(1.0))).add(noise.mul(sig4));
    return new Prepared(b, d, sigma, xt, noise.sub(x0), null);
  }

  /** {@link #prepare} plus the denoiser's frozen front: the look-ahead's work, on the helper thread. */
  private Prepared prepareAhead(long at) {
    Prepared p = prepare(at, 0);
    return new Prepared(p.batch(), p.draw(), p.sigma(), p.xt(), p.target(), model.front(p.xt(), p.sigma(), p.batch().text()));
  }

  /**
   * Whether to prepare step {@code next} during this step's backward: one micro-batch per step, no preservation pass
   * (it runs the model again on other prompts), on the CPU (on a GPU the device is the bottleneck), a frozen front, and
   * blocks that are not split between threads (a split keeps every core busy: the look-ahead would only compete).
   */
  private boolean lookAheadTo(long next) {
    return lookaheadOn && next < lookaheadLimit && s.gradAccumulation() == 1 && !s.preserves() && !rt.isCuda() && model.hasFrozenFront()
        && !model.splitsAcrossThreads();
  }

  /** One optimizer step over {@code gradAccumulation} micro-batches. */
  StepReport trainStep(long t0) {
    double lr = s.schedule().at(step);
    double lossSum = 0;
    double presSum = 0;
    double gradNorm;
    long forwardNs = 0;
    long backwardNs = 0;
    long optimizerNs;
    Lookahead.Done<Prepared> ahead = null;
    try (PointerScope scope = new PointerScope()) {
      long tz = System.nanoTime();
      for (Tensor p : params.values()) {
        Tensor g = p.grad();
        if (g != null && g.defined()) g.zero_();
      }
      long zeroNs = System.nanoTime() - tz;
      for (int micro = 0; micro < s.gradAccumulation(); micro++) {
        long tf = System.nanoTime();
        torch.manual_seed(Rng.seedFor(s.seed(), step, micro, Rng.Stream.DROPOUT));   // LoRA dropout draws from the global stream
        if (micro == 0) ahead = lookahead.take(step);                                  // waits for it: counted in the forward
        Prepared in = micro == 0 && ahead != null ? ahead.value() : prepare(step, micro);
        Batch b = in.batch();
        NoiseSource.Draw d = in.draw();
        Tensor sigma = in.sigma();
        Tensor xt = in.xt();
        Tensor target = in.target();
        int n = (int) xt.size(0);

        Tensor pred = in.front() != null ? model.velocity(in.front()) : model.velocity(xt, sigma, b.text());   // [B, C, H, W]
        if (s.differentialGuidance() > 0) {
          Tensor anchor = pred.detach();
          target = anchor.add(target.sub(anchor).mul(new Scalar(s.differentialGuidance())));
        }
        Tensor perItem = itemLoss(pred.to(ScalarType.Float), target.to(ScalarType.Float));   // [B]
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = d.weights()[i] * (b.lossMultiplier() == null ? 1 : b.lossMultiplier()[i]);
        Tensor loss = perItem.mul(dev.lathe.torch.Tensors.fromFloats(toFloats(w), n).to(perItem.device(), ScalarType.Float)).mean();

        // Preservation: the LoRA'd model on a prompt should say what the base model says on it (same x_t, σ).
        // DOP uses each item's class prompt, blank-prompt preservation the empty prompt; with both on, each term
        // compares like with like (its own prompt on both sides) and the two are added.
        if (s.preservationMultiplier() > 0 && b.preservationText() != null) {
          Tensor pres = preservation(xt, sigma, b.preservationText());
          presSum += pres.item_double();
          loss = loss.add(pres.mul(new Scalar(s.preservationMultiplier())));
        }
        if (s.blankPromptMultiplier() > 0) {
          Tensor pres = preservation(xt, sigma, java.util.Collections.nCopies(n, data.blankText()));
          presSum += pres.item_double();
          loss = loss.add(pres.mul(new Scalar(s.blankPromptMultiplier())));
        }
        double lv = loss.item_double();
        if (!Double.isFinite(lv))
          throw new DivergedException("loss became " + lv + " at step " + (step + 1) + " (micro-batch " + micro
              + "); lower the learning rate or check the data");
        lossSum += lv;
        long tb = System.nanoTime();
        forwardNs += tb - tf;
        long next = step + 1;
        if (micro == s.gradAccumulation() - 1 && lookAheadTo(next)) lookahead.start(next, () -> prepareAhead(next));
        (s.gradAccumulation() == 1 ? loss : loss.div(new Scalar((double) s.gradAccumulation()))).backward();
        syncDevice();
        backwardNs += System.nanoTime() - tb;
      }
      long to = System.nanoTime();
      gradNorm = clipGradients();
      optimizer.step(lr);
      if (ema != null) ema.update();
      syncDevice();
      optimizerNs = zeroNs + System.nanoTime() - to;
    } finally {
      if (ahead != null) ahead.close();
    }
    step++;
    double seconds = (System.nanoTime() - t0) / 1e9;
    double pres = s.preserves() ? presSum / s.gradAccumulation() : Double.NaN;
    return new StepReport(step, lossSum / s.gradAccumulation(), pres, lr, gradNorm, seconds, rt.memory(),
        new StepReport.Phases(forwardNs / 1e9, backwardNs / 1e9, optimizerNs / 1e9));
  }

  /**
   * mean((f_LoRA(x_t, σ, text) − sg(f_base(x_t, σ, text)))²) in fp32: the base prediction runs with the adapters
   * switched off and without grad, so only the LoRA'd pass is trained.
   */
  private Tensor preservation(Tensor xt, Tensor sigma, java.util.List<Tensor> text) {
    Tensor prior;
    adapters.setEnabled(false);
    try (NoGradGuard ng = new NoGradGuard()) {
      prior = model.velocity(xt, sigma, text).detach();
    } finally {
      adapters.setEnabled(true);
    }
    return model.velocity(xt, sigma, text).to(ScalarType.Float).sub(prior.to(ScalarType.Float)).square().mean();
  }

  /** Waits for queued GPU work, so that phase times are the device's (the loss read already syncs the forward). */
  private void syncDevice() {
    rt.synchronize();
  }

  private Tensor itemLoss(Tensor pred, Tensor target) {
    Tensor err = s.loss() == Loss.MSE ? pred.sub(target).square() : pred.sub(target).abs();
    long[] dims = new long[(int) err.dim() - 1];
    for (int i = 0; i < dims.length; i++) dims[i] = i + 1;
    return err.mean(dims, false, new ScalarTypeOptional());
  }

  /** Global L2 norm of the gradients, then scaled down to maxGradNorm when above it. */
  private double clipGradients() {
    try (NoGradGuard ng = new NoGradGuard()) {
      TensorVector flat = new TensorVector();   // one norm over all gradients, not one per tensor
      for (Tensor p : params.values()) {
        Tensor g = p.grad();
        if (g != null && g.defined()) flat.push_back(g.to(ScalarType.Float).reshape(-1));
      }
      if (flat.size() == 0) return 0;
      double total = torch.cat(flat, 0).norm().item_double();
      if (s.maxGradNorm() > 0 && total > s.maxGradNorm()) {
        Scalar k = new Scalar(s.maxGradNorm() / (total + 1e-6));
        for (Tensor p : params.values()) {
          Tensor g = p.grad();
          if (g != null && g.defined()) g.mul_(k);
        }
      }
      return total;
    }
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }

  private void sample(Previews previews, TrainListener events) throws IOException {
    lookahead.dataState();   // the previews use the model: let a running look-ahead finish first
    events.phase("sampling");
    adapters.train(false);
    if (ema != null) ema.swapIn();
    try {
      previews.render(step);
    } finally {
      if (ema != null) ema.swapOut();
      adapters.train(true);
      events.phase("training");
    }
  }

  private void save(Checkpoints checkpoints, TrainListener events) throws IOException {
    events.phase("saving");
    Path adapter;
    if (ema != null) ema.swapIn();
    try {
      adapter = checkpoints.writeAdapter(step, adapters);
    } finally {
      if (ema != null) ema.swapOut();
    }
    saveState(checkpoints.stateFile(step));
    checkpoints.recorded(step);
    events.checkpoint(step, adapter);
    events.phase("training");
  }

  // ---- full state ----

  static final String FORMAT = "lathe-train-state-1";

  /**
   * Writes everything a bit-identical resume needs: adapter tensors (fp32), optimizer state, EMA shadow, the
   * step and the data stream position. Atomic.
   */
  public void saveState(Path file) throws IOException {
    try (PointerScope scope = new PointerScope()) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      try (NoGradGuard ng = new NoGradGuard()) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) w.put("adapter/" + e.getKey(), e.getValue().detach().to(ScalarType.Float));
      }
      for (Map.Entry<String, Tensor> e : optimizer.state().entrySet()) w.put("optimizer/" + e.getKey(), e.getValue());
      if (ema != null) for (Map.Entry<String, Tensor> e : ema.state().entrySet()) w.put("ema/" + e.getKey(), e.getValue());
      w.metadata("format", FORMAT)
          .metadata("step", Long.toString(step))
          .metadata("seed", Long.toString(s.seed()))
          .metadata("data_state", lookahead.dataState())
          .metadata("ema", Boolean.toString(ema != null));
      w.write(file);
    }
  }

  /**
   * Restores a state written by {@link #saveState}.
   *
   * @throws IOException naming the file when it is not a Lathe state or does not fit this run's adapters
   */
  public void loadState(Path file) throws IOException {
    lookahead.cancel();
    try (SafeTensorsFile f = SafeTensorsFile.open(file); PointerScope scope = new PointerScope()) {
      Map<String, String> meta = f.metadata();
      if (!FORMAT.equals(meta.get("format"))) throw new IOException(file + ": not a Lathe training state (format " + meta.get("format") + ")");
      if (!Long.toString(s.seed()).equals(meta.get("seed")))
        throw new IOException(file + ": saved with seed " + meta.get("seed") + ", this run uses " + s.seed() + "; a resume must keep the seed");
      Map<String, Tensor> adapter = new LinkedHashMap<>();
      Map<String, Tensor> opt = new LinkedHashMap<>();
      Map<String, Tensor> emaState = new LinkedHashMap<>();
      for (String n : f.names()) {
        if (n.startsWith("adapter/")) adapter.put(n.substring(8), f.load(n));
        else if (n.startsWith("optimizer/")) opt.put(n.substring(10), f.load(n));
        else if (n.startsWith("ema/")) emaState.put(n.substring(4), f.load(n));
      }
      if (!adapter.keySet().equals(params.keySet()))
        throw new IOException(file + ": adapter tensors differ from this run's (was the TARGET panel changed since it was saved?)");
      try {
        adapters.load(adapter);
        optimizer.loadState(opt);
        if (ema != null) {
          if (emaState.isEmpty()) throw new IOException(file + ": saved without EMA, but EMA is on now");
          ema.loadState(emaState);
        }
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": " + e.getMessage());
      }
      data.restore(meta.get("data_state"));
      step = Long.parseLong(meta.get("step"));
    }
  }

  /** The metadata of a state file without loading it (step, seed). */
  public static Map<String, String> stateInfo(Path file) throws IOException {
    return SafeTensorsFile.readHeader(file).metadata();
  }
}
