package dev.lathe.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.adapters.AdapterSpec;
import dev.lathe.config.ConfigDocument;
import dev.lathe.config.Target;
import dev.lathe.jobs.Control;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStore;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.train.StepReport;
import dev.lathe.train.TrainListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** LoKr jobs (full and decomposed second factor) through the same runner path as a user's job. */
class LokrJobTest {
  @TempDir static Path root;
  static TinyJob tiny;

  @BeforeAll
  static void setUp() throws IOException {
    Runtime.load();
    tiny = TinyJob.create(root);
  }

  /** A LoKr job file: full factors, or W2 decomposed at rank 4 with alpha 8 (scale 2). */
  static Path lokrJob(String name, int steps, boolean full) throws Exception {
    Path f = tiny.jobFile(name, steps, "");
    ConfigDocument d = ConfigDocument.load(f);
    d.set("target.type", "lokr");
    d.set("target.lokr_full_rank", full);
    d.set("target.lokr_factor", 4);
    if (!full) d.set("target.linear_alpha", 8.0);
    d.save();
    return f;
  }

  @ParameterizedTest(name = "full rank {0}")
  @ValueSource(booleans = {true, false})
  void lokr_lowersTrainingAndHeldOutLoss_andSavesItsOwnKeys(boolean full) throws Exception {
    String name = full ? "lokr_full" : "lokr_dec";
    JobFolder job = JobRunnerTest.submit(lokrJob(name, 60, full), name);
    List<Double> losses = new ArrayList<>();
    JobRunner.Result r = JobRunnerTest.run(job, new TrainListener() {
      @Override
      public void step(StepReport s) {
        losses.add(s.loss());
      }
    });
    assertThat(r.state()).as(r.message()).isEqualTo(JobState.FINISHED);
    assertThat(job.tailLog(50)).anyMatch(l -> l.contains("LoKr on"));
    // the per-step loss is noisy (random σ); compare the means of the first and last 20 steps
    double first = losses.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(40, 60).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    System.out.printf("LoKr %s: training loss %.4f → %.4f%n", name, first, last);
    assertThat(last).isLessThan(first);

    try (SafeTensorsFile f = SafeTensorsFile.open(job.finalAdapter())) {
      String base = "diffusion_model.layers.0.attention.to_q.";
      assertThat(f.names()).contains(base + "lokr_w1", base + "alpha").noneMatch(n -> n.contains("lora_A"));
      if (full) {
        assertThat(f.names()).contains(base + "lokr_w2").noneMatch(n -> n.endsWith("lokr_w2_a"));
      } else {
        assertThat(f.names()).contains(base + "lokr_w2_a", base + "lokr_w2_b").noneMatch(n -> n.endsWith("lokr_w2"));
        assertThat(f.info(base + "lokr_w2_a").shape()[1]).isEqualTo(4);   // linear_rank
        assertThat(f.load(base + "alpha").item_double()).isEqualTo(8.0);   // linear_alpha, so scale = 8 / 4
      }
    }

    double baseLoss = JobRunnerTest.heldOutLoss(tiny.model, null, "tinytrig");
    double trained = JobRunnerTest.heldOutLoss(tiny.model, job.finalAdapter(), "tinytrig");
    System.out.printf("LoKr %s held-out loss: base %.4f, trained %.4f%n", name, baseLoss, trained);
    assertThat(trained).isLessThan(baseLoss * 0.97);   // measured at 60 steps: full 1.222 → 1.105, decomposed → 1.160
  }

  @ParameterizedTest(name = "full rank {0}")
  @ValueSource(booleans = {true, false})
  void lokr_stopThenResume_givesTheSameAdapterBytesAsAStraightRun(boolean full) throws Exception {
    String tag = full ? "full" : "dec";
    JobFolder straight = JobRunnerTest.submit(lokrJob("lk_straight_" + tag, 12, full), "lk_straight_" + tag);
    assertThat(JobRunnerTest.run(straight).state()).isEqualTo(JobState.FINISHED);

    JobFolder split = JobRunnerTest.submit(lokrJob("lk_split_" + tag, 12, full), "lk_split_" + tag);
    JobRunner.Result first = JobRunnerTest.run(split, JobRunnerTest.stopAt(split, 5));
    assertThat(first.state()).as(first.message()).isEqualTo(JobState.STOPPED);
    assertThat(split.checkpoints().newest().orElseThrow().step()).isEqualTo(5);
    split.clear(Control.STOP);
    new JobStore(split.dir().getParent()).requeue(split);
    JobRunner.Result second = JobRunnerTest.run(split);
    assertThat(second.state()).as(second.message()).isEqualTo(JobState.FINISHED);
    assertThat(split.tailLog(50)).anyMatch(l -> l.contains("resumed from the checkpoint of step 5"));

    Map<String, byte[]> a = JobRunnerTest.tensorBytes(straight.finalAdapter());
    Map<String, byte[]> b = JobRunnerTest.tensorBytes(split.finalAdapter());
    assertThat(a.keySet()).anyMatch(k -> k.endsWith(full ? ".lokr_w2" : ".lokr_w2_b"));
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String k : a.keySet()) assertThat(b.get(k)).as(k).isEqualTo(a.get(k));
  }

  @Test
  void targetPanel_becomesTheAdapterSpec() {
    Target lora = new Target(Target.Type.LORA, 16, 0, 0, 0, -1, true, 0.1, List.of("attention"), List.of("adaLN"));
    assertThat(JobRunner.adapterSpec(lora)).isEqualTo(new AdapterSpec(AdapterSpec.Kind.LORA, 16, 16, 0.1, -1,
        List.of("attention"), List.of("adaLN")));   // alpha 0 = rank
    Target full = new Target(Target.Type.LOKR, 16, 1, 0, 0, 8, true, 0, List.of(), List.of());
    assertThat(JobRunner.adapterSpec(full)).isEqualTo(new AdapterSpec(AdapterSpec.Kind.LOKR, 0, 1, 0, 8, List.of(), List.of()));
    assertThat(full.scale()).isEqualTo(1);   // rank and alpha unused
    Target decomposed = new Target(Target.Type.LOKR, 16, 4, 0, 0, 8, false, 0.05, List.of(), List.of());
    assertThat(JobRunner.adapterSpec(decomposed)).isEqualTo(new AdapterSpec(AdapterSpec.Kind.LOKR, 16, 4, 0.05, 8, List.of(), List.of()));
    assertThat(decomposed.scale()).isEqualTo(0.25);
    assertThat(Target.DEFAULTS.lokrFullRank()).isTrue();   // ai-toolkit's default
    assertThat(Target.DEFAULTS.dropout()).isZero();
  }
}
