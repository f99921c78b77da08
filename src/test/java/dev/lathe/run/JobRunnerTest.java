package dev.lathe.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.adapters.AdapterFiles;
import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.config.ConfigDocument;
import dev.lathe.demo.DemoData;
import dev.lathe.jobs.Checkpoints;
import dev.lathe.jobs.Control;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStore;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.ModelSource;
import dev.lathe.models.zimage.ZImage;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.torch.Tensors;
import dev.lathe.train.StepReport;
import dev.lathe.train.TrainListener;
import dev.lathe.train.TrainLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole trainer on the tiny Z-Image model through the same path a user's job takes. */
public class JobRunnerTest {
  @TempDir static Path root;
  static TinyJob tiny;

  @BeforeAll
  static void setUp() throws IOException {
    Runtime.load();
    tiny = TinyJob.create(root);
  }

  static JobFolder submit(Path jobFile, String name) throws Exception {
    var rc = dev.lathe.config.Configs.load(jobFile);
    assertThat(rc.problems().stream().filter(p -> p.isError()).toList()).isEmpty();
    JobStore store = new JobStore(rc.outputFolder());
    String toml = dev.lathe.cli.TestAccess.standalone(rc, name);
    return store.create(name, toml, rc.config().training().steps(), "cpu");
  }

  static JobRunner.Result run(JobFolder job, TrainListener... listeners) throws Exception {
    JobStore store = new JobStore(job.dir().getParent());
    try (JobStore.Claim claim = store.claim(job).orElseThrow()) {
      return new JobRunner(job, List.of(listeners), Runtime::cpu).run();
    }
  }

  @Test
  void trains_lowersHeldOutLoss_writesCheckpointsAndSamplesAsConfigured() throws Exception {
    Path f = tiny.jobFile("learn", 200, "");
    ConfigDocument d = ConfigDocument.load(f);
    d.set("save.every", 50);
    d.set("sample.every", 100);
    d.set("sample.disable_sampling", false);
    d.save();
    JobFolder job = submit(f, "learn");
    List<Double> losses = new ArrayList<>();
    long t0 = System.nanoTime();
    JobRunner.Result r = run(job, new TrainListener() {
      @Override
      public void step(StepReport s) {
        losses.add(s.loss());
      }
    });
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(r.state()).as(r.message()).isEqualTo(JobState.FINISHED);
    assertThat(r.exitCode()).isZero();
    assertThat(losses).hasSize(200);
    System.out.printf("tiny job: 200 steps in %.1f s (%.0f ms/step incl. loading, caching, samples), peak RSS %d MiB%n",
        seconds, seconds * 1000 / 200, Runtime.peakRss() >> 20);
    // the training loss itself (random σ per step, so means of 25 steps): the last quarter below the first
    double early = losses.subList(0, 25).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double late = losses.subList(175, 200).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    System.out.printf("training loss: first 25 steps %.4f, last 25 steps %.4f%n", early, late);
    assertThat(late).isLessThan(early * 0.92);   // measured: 1.181 → 1.018 (0.86)

    // checkpoints every 50 steps plus the end, newest 3 kept; previews at 0, 100 and 200 for each prompt
    assertThat(job.checkpoints().list()).extracting(Checkpoints.Entry::step).containsExactly(100L, 150L, 200L);
    int prompts = dev.lathe.config.Configs.load(job.config()).config().sample().prompts().size();
    assertThat(prompts).isPositive();
    assertThat(job.samples()).extracting(JobFolder.Sample::step).hasSize(3 * prompts).containsOnly(0L, 100L, 200L);

    assertThat(Files.exists(job.finalAdapter())).isTrue();
    assertThat(job.readStatus().state()).isEqualTo(JobState.FINISHED);
    assertThat(job.readMetrics(0).rows().stream().filter(m -> m.loss() != null).count()).isEqualTo(200);
    try (SafeTensorsFile lora = SafeTensorsFile.open(job.finalAdapter())) {
      assertThat(lora.metadata()).containsEntry("ss_base_model_version", "zimage").containsEntry("format", "pt")
          .containsEntry("ss_output_name", "learn").containsKey("training_info");
      assertThat(lora.metadata().get("training_info")).contains("\"step\": 200");
      assertThat(lora.metadata().get("ss_tag_frequency")).contains("tinytrig");
      assertThat(lora.names()).allMatch(n -> n.startsWith("diffusion_model.layers.")).contains("diffusion_model.layers.0.attention.to_q.lora_A.weight");
    }

    // an independent signal: the loss on held-out pictures with fixed noise and noise levels
    double base = heldOutLoss(tiny.model, null, "tinytrig");
    double trained = heldOutLoss(tiny.model, job.finalAdapter(), "tinytrig");
    System.out.printf("held-out loss: base %.4f, with the LoRA %.4f%n", base, trained);
    assertThat(trained).isLessThan(base * 0.88);   // measured: 1.222 → 1.009 after 200 steps (0.83)
  }

  /** Mean flow-matching loss over 6 unseen pictures at σ ∈ {0.2, 0.4, 0.6, 0.8}, fixed noise. */
  public static double heldOutLoss(Path model, Path lora, String trigger) throws Exception {
    ModelFamily family = new ZImage();
    try (ModelFamily.LoadedModel m = family.load(ModelSource.of(model.toString()), Runtime.cpu());
        PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      if (lora != null) AdapterFiles.load(lora, m.denoiser().linearLayers(), m.denoiser().adapterAliases());
      List<DemoData.Item> items = DemoData.generate(6, 64, 999);
      TensorVector xs = new TensorVector();
      for (DemoData.Item it : items) xs.push_back(DemoData.tensor(it.image()));
      Tensor x0 = m.codec().encode(torch.stack(xs));
      List<String> caps = items.stream().map(it -> it.caption().replace("[trigger]", trigger)).toList();
      List<Tensor> text = m.textEncoder().encode(caps);
      double sum = 0;
      double[] sigmas = {0.2, 0.4, 0.6, 0.8};
      for (int k = 0; k < sigmas.length; k++) {
        Tensor noise = torch.randn(x0.sizes().vec().get(), new GeneratorOptional(Runtime.generator(100 + k)), new TensorOptions(ScalarType.Float));
        float s = (float) sigmas[k];
        Tensor xt = x0.mul(new org.bytedeco.pytorch.Scalar(1 - s)).add(noise.mul(new org.bytedeco.pytorch.Scalar(s)));
        float[] sig = new float[items.size()];
        java.util.Arrays.fill(sig, s);
        Tensor v = m.denoiser().velocity(xt, Tensors.fromFloats(sig, sig.length), text);
        sum += v.sub(noise.sub(x0)).square().mean().item_double();
      }
      return sum / sigmas.length;
    }
  }

  /** A listener that drops a stop request when the run reaches {@code step}, as the console or `lathe stop` would. */
  static TrainListener stopAt(JobFolder job, long step) {
    return new TrainListener() {
      @Override
      public void step(StepReport s) {
        if (s.step() == step) {
          try {
            job.request(Control.STOP);
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        }
      }
    };
  }

  static Map<String, byte[]> tensorBytes(Path file) throws IOException {
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
      for (String n : f.names()) {
        ByteBuffer b = f.rawBytes(n);
        byte[] a = new byte[b.remaining()];
        b.get(a);
        out.put(n, a);
      }
    }
    return out;
  }

  @Test
  void stopThenResume_givesTheSameAdapterBytesAsAStraightRun() throws Exception {
    JobFolder straight = submit(tiny.jobFile("straight", 16, ""), "straight");
    assertThat(run(straight).state()).isEqualTo(JobState.FINISHED);

    JobFolder split = submit(tiny.jobFile("split", 16, ""), "split");
    List<String> onDiskAtCheckpoint = new ArrayList<>();
    TrainListener watch = new TrainListener() {
      @Override
      public void checkpoint(long step, Path adapter) {
        try {
          onDiskAtCheckpoint.add(step + " " + split.readStatus().status());
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }
    };
    JobRunner.Result first = run(split, stopAt(split, 7), watch);
    assertThat(first.state()).as(first.message()).isEqualTo(JobState.STOPPED);
    assertThat(first.exitCode()).isZero();
    // "stopping" reached state.json before the stop checkpoint was written, then "stopped"
    assertThat(onDiskAtCheckpoint).containsExactly("7 stopping");
    assertThat(split.readStatus().states()).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.STOPPING, JobState.STOPPED);
    assertThat(split.readStatus().checkpointStep()).isEqualTo(7);
    assertThat(split.checkpoints().newest().orElseThrow().step()).isEqualTo(7);
    split.clear(Control.STOP);
    new JobStore(split.dir().getParent()).requeue(split);
    JobRunner.Result second = run(split);
    assertThat(second.state()).as(second.message()).isEqualTo(JobState.FINISHED);
    assertThat(split.tailLog(50)).anyMatch(l -> l.contains("resumed from the checkpoint of step 7"));
    assertThat(split.readStatus().states()).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.STOPPING, JobState.STOPPED,
        JobState.QUEUED, JobState.RUNNING, JobState.FINISHED);

    Map<String, byte[]> a = tensorBytes(straight.finalAdapter());
    Map<String, byte[]> b = tensorBytes(split.finalAdapter());
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String k : a.keySet()) assertThat(b.get(k)).as(k).isEqualTo(a.get(k));
    // metrics were pruned to the checkpoint and continued: one row per step
    assertThat(split.readMetrics(0).rows().stream().filter(m -> m.loss() != null).map(m -> m.step()).toList())
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 16).boxed().toList());

    // the saved LoRA file, loaded into a fresh model, computes what the trained weights (full-state checkpoint) compute
    ModelFamily family = new ZImage();
    try (ModelFamily.LoadedModel fromFile = family.load(ModelSource.of(tiny.model.toString()), Runtime.cpu());
        ModelFamily.LoadedModel fromState = family.load(ModelSource.of(tiny.model.toString()), Runtime.cpu());
        PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      AdapterFiles.load(straight.finalAdapter(), fromFile.denoiser().linearLayers(), Map.of());
      AdapterSet trained = AdapterSet.attach(fromState.denoiser().linearLayers(), fromState.denoiser()::defaultTarget, AdapterSpec.lora(4, 4), 5);
      Checkpoints ck = straight.checkpoints();
      try (SafeTensorsFile st = SafeTensorsFile.open(ck.dir().resolve(ck.newest().orElseThrow().state()))) {
        Map<String, Tensor> values = new java.util.LinkedHashMap<>();
        for (String n : st.names()) if (n.startsWith("adapter/")) values.put(n.substring(8), st.load(n));
        trained.load(values);
      }
      Tensor x = torch.randn(new long[] {1, 16, 8, 8}, new GeneratorOptional(Runtime.generator(4)), new TensorOptions(ScalarType.Float));
      List<Tensor> text = fromFile.textEncoder().encode(List.of("tinytrig, a small orange disc"));
      Tensor sigma = Tensors.fromFloats(new float[] {0.5f}, 1);
      Parity.of(fromFile.denoiser().velocity(x, sigma, text), fromState.denoiser().velocity(x, sigma, text)).assertFp32("saved LoRA vs trained weights");
    }
  }

  @Test
  void divergence_failsTheJob_namingTheStep() throws Exception {
    // the loop's own test (TrainLoopTest) drives a real divergence; here the runner's handling of it
    JobFolder job = submit(tiny.jobFile("boom", 30, ""), "boom");
    JobRunner.Result r = run(job, new TrainListener() {
      @Override
      public void step(StepReport s) {
        if (s.step() == 3) throw new TrainLoop.DivergedException("loss became NaN at step 3 (micro-batch 0); lower the learning rate or check the data");
      }
    });
    assertThat(r.state()).isEqualTo(JobState.FAILED);
    assertThat(r.exitCode()).isEqualTo(5);
    assertThat(job.readStatus().message()).matches("loss became (NaN|-?Infinity) at step \\d+ .*");
  }

  @Test
  void missingDatasetFolder_isAConfigError_exit3() throws Exception {
    // a path in the config that does not exist is caught by the config check before anything loads (ExitCode.CONFIG);
    // 4 is for files that exist but cannot be used (JobCliTest)
    Path f = tiny.jobFile("nodata", 5, "");
    JobFolder job = submit(f, "nodata");
    ConfigDocument d = ConfigDocument.load(job.config());
    d.set("datasets[0].folder", root.resolve("gone").toString());
    d.save();
    JobRunner.Result r = run(job);
    assertThat(r.state()).isEqualTo(JobState.FAILED);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.message()).contains("gone");
    assertThat(job.readStatus().states()).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.FAILED);
  }

  @Test
  void failed_thenRequeued_resumesFromItsNewestCheckpoint_toTheSameAdapterBytes() throws Exception {
    JobFolder ref = submit(savingEvery(tiny.jobFile("fail-ref", 12, ""), 4), "fail-ref");
    assertThat(run(ref).state()).isEqualTo(JobState.FINISHED);

    JobFolder job = submit(savingEvery(tiny.jobFile("fail-mid", 12, ""), 4), "fail-mid");
    JobRunner.Result failed = run(job, new TrainListener() {
      @Override
      public void step(StepReport s) {
        if (s.step() == 6) throw new TrainLoop.DivergedException("loss became NaN at step 6 (micro-batch 0); lower the learning rate or check the data");
      }
    });
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.exitCode()).isEqualTo(5);
    assertThat(job.readStatus().checkpointStep()).isEqualTo(4);
    assertThat(job.readStatus().state().resumable()).isTrue();

    new JobStore(job.dir().getParent()).requeue(job);
    JobRunner.Result again = run(job);
    assertThat(again.state()).as(again.message()).isEqualTo(JobState.FINISHED);
    assertThat(job.tailLog(50)).anyMatch(l -> l.contains("resumed from the checkpoint of step 4"));
    assertThat(job.readStatus().states()).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.FAILED,
        JobState.QUEUED, JobState.RUNNING, JobState.FINISHED);
    Map<String, byte[]> a = tensorBytes(ref.finalAdapter());
    Map<String, byte[]> b = tensorBytes(job.finalAdapter());
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String k : a.keySet()) assertThat(b.get(k)).as(k).isEqualTo(a.get(k));
  }

  static Path savingEvery(Path jobFile, int every) throws Exception {
    ConfigDocument d = ConfigDocument.load(jobFile);
    d.set("save.every", every);
    d.save();
    return jobFile;
  }

  @Test
  void unloadTextEncoder_andBlankPromptPreservation_trainEndToEnd() throws Exception {
    JobFolder job = submit(tiny.jobFile("fixedte", 3, ""), "fixedte");
    ConfigDocument d = ConfigDocument.load(job.config());
    d.set("training.unload_text_encoder", true);
    d.set("advanced.blank_prompt_preservation", true);
    d.save();
    List<String> log = new ArrayList<>();
    List<Double> pres = new ArrayList<>();
    JobRunner.Result r = run(job, new TrainListener() {
      @Override
      public void log(String line) {
        log.add(line);
      }

      @Override
      public void step(StepReport s) {
        pres.add(s.preservationLoss());
      }
    });
    assertThat(r.state()).as(r.message()).isEqualTo(JobState.FINISHED);
    assertThat(log).anyMatch(l -> l.startsWith("text encoder released: every item trains on the embedding of \"tinytrig\""));
    assertThat(pres).hasSize(3).allMatch(p -> !Double.isNaN(p) && p >= 0);
  }

  @Test
  void bothPreservationTerms_withCheckpointing_backpropagateEveryPass() throws Exception {
    // main pass + DOP's LoRA'd pass + the blank prompt's: three grad-enabled passes before one backward
    JobFolder job = submit(tiny.jobFile("bothpres", 2, ""), "bothpres");
    ConfigDocument d = ConfigDocument.load(job.config());
    d.set("training.gradient_checkpointing", true);
    d.set("advanced.differential_output_preservation", true);
    d.set("advanced.blank_prompt_preservation", true);
    d.save();
    List<Double> pres = new ArrayList<>();
    JobRunner.Result r = run(job, new TrainListener() {
      @Override
      public void step(StepReport s) {
        pres.add(s.preservationLoss());
      }
    });
    assertThat(r.state()).as(r.message()).isEqualTo(JobState.FINISHED);
    assertThat(pres).hasSize(2).allMatch(p -> !Double.isNaN(p) && p >= 0);
  }
}
