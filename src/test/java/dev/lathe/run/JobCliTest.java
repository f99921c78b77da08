package dev.lathe.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.cli.Main;
import dev.lathe.config.ConfigDocument;
import dev.lathe.jobs.Checkpoints;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.torch.Runtime;
import dev.lathe.train.StepReport;
import dev.lathe.train.TrainListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job commands a user types, through the CLI entry point: one exit code per kind of failure of {@code lathe
 * train}, and {@code lathe save-now / sample-now / status} acting on a job that is training. (Exit 6, interrupted
 * by a signal, needs a process to signal: JobProcessTest.)
 */
class JobCliTest {
  @TempDir static Path root;
  static TinyJob tiny;

  @BeforeAll
  static void setUp() throws IOException {
    Runtime.load();
    tiny = TinyJob.create(root);
  }

  record Run(int code, String out, String err) {}

  static Run lathe(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  JobFolder folder(String name) {
    return new JobFolder(tiny.output().resolve(name));
  }

  @Test
  void train_invalidConfig_exits3_andStartsNothing() throws Exception {
    Path bad = root.resolve("bad.toml");
    Files.writeString(bad, "extends = \"zimage_deturbo\"\n[training\nsteps = 5\n");   // unclosed table header
    Run r = lathe("train", bad.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).contains("bad.toml");
    assertThat(folder("bad").exists()).isFalse();
  }

  @Test
  void train_datasetOfCorruptImages_exits4() throws Exception {
    Path junk = root.resolve("junk-images");
    Files.createDirectories(junk);
    for (int i = 0; i < 3; i++) {
      Files.write(junk.resolve("img" + i + ".png"), ("not a png " + i).getBytes());
      Files.writeString(junk.resolve("img" + i + ".txt"), "tinytrig, a picture");
    }
    Path f = tiny.jobFile("junkdata", 5, "");
    ConfigDocument d = ConfigDocument.load(f);
    d.set("datasets[0].folder", junk.toString());
    d.save();
    Run r = lathe("train", f.toString());
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(4);
    assertThat(folder("junkdata").readStatus().state()).isEqualTo(JobState.FAILED);
    assertThat(folder("junkdata").readStatus().message()).contains("junk-images").contains("no usable images");
  }

  @Test
  void train_brokenModelFile_exits4() throws Exception {
    Path broken = root.resolve("broken-model");
    try (Stream<Path> s = Files.walk(tiny.model)) {
      for (Path p : s.toList()) {
        Path to = broken.resolve(tiny.model.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(to);
        else Files.copy(p, to);
      }
    }
    Path weights = broken.resolve("transformer/diffusion_pytorch_model.safetensors");
    byte[] head = Arrays.copyOf(Files.readAllBytes(weights), 4096);   // the header survives, the tensors are cut off
    Files.write(weights, head);
    Path f = tiny.jobFile("brokenmodel", 5, "");
    ConfigDocument d = ConfigDocument.load(f);
    d.set("model.name_or_path", broken.toString());
    d.save();
    Run r = lathe("train", f.toString());
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(4);
    assertThat(folder("brokenmodel").readStatus().state()).isEqualTo(JobState.FAILED);
    assertThat(folder("brokenmodel").readStatus().message()).contains("diffusion_pytorch_model.safetensors");
  }

  @Test
  void train_divergingAtAnAbsurdLearningRate_exits5_namingTheStep() throws Exception {
    // the largest learning rate the config allows with a LoRA scale (alpha / rank) of 2.5e11: measured NaN at step 2;
    // lr 10 at the normal scale of 1 does not diverge within 30 steps on this model
    Path f = tiny.jobFile("absurd-lr", 20, "");
    ConfigDocument d = ConfigDocument.load(f);
    d.set("training.learning_rate", 10.0);
    d.set("target.linear_alpha", 1e12);
    d.save();
    Run r = lathe("train", f.toString());
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(5);
    assertThat(folder("absurd-lr").readStatus().state()).isEqualTo(JobState.FAILED);
    assertThat(folder("absurd-lr").readStatus().message()).matches("loss became (NaN|-?Infinity) at step \\d+ .*");
    assertThat(r.err()).contains("absurd-lr failed: loss became");
  }

  @Test
  void saveNow_sampleNow_andStatus_actOnATrainingJob() throws Exception {
    Path f = tiny.jobFile("ctl", 12, "");
    ConfigDocument d = ConfigDocument.load(f);
    d.set("sample.disable_sampling", false);
    d.set("sample.skip_first_sample", true);
    d.save();
    JobFolder job = JobRunnerTest.submit(f, "ctl");
    String out = tiny.output().toString();
    List<String> said = new ArrayList<>();
    double[] lossAt6 = {Double.NaN};
    Run[] status = new Run[2];
    // the CLI commands run while the trainer is between steps, as from another terminal: they only write files
    TrainListener user = new TrainListener() {
      @Override
      public void step(StepReport s) {
        if (s.step() == 4) said.add(lathe("save-now", "-o", out, "ctl").out());
        if (s.step() == 5) said.add(lathe("sample-now", "-o", out, "ctl").out());
        if (s.step() == 6) {
          lossAt6[0] = s.loss();
          status[0] = lathe("status", "-o", out);
          status[1] = lathe("status", "-o", out, "ctl");
        }
      }
    };
    JobRunner.Result r = JobRunnerTest.run(job, user);
    assertThat(r.state()).as(r.message()).isEqualTo(JobState.FINISHED);
    assertThat(said).containsExactly("ctl: save-now requested; the trainer acts on it after the current step\n",
        "ctl: sample-now requested; the trainer acts on it after the current step\n");

    // save.every and sample.every are 100000: the only other checkpoint and samples are the final ones at step 12
    assertThat(job.checkpoints().list()).extracting(Checkpoints.Entry::step).containsExactly(4L, 12L);
    int prompts = dev.lathe.config.Configs.load(job.config()).config().sample().prompts().size();
    assertThat(job.samples()).extracting(JobFolder.Sample::step).hasSize(2 * prompts).containsOnly(5L, 12L);
    assertThat(job.pending()).isEmpty();   // one-shot requests are consumed

    String loss = String.format(Locale.ROOT, "loss %.4f", lossAt6[0]);
    assertThat(status[0].code()).isZero();
    assertThat(status[0].out()).containsPattern("ctl +running +6/12 +cpu  " + loss);
    assertThat(status[1].code()).isZero();
    assertThat(status[1].out()).containsPattern("ctl +running +6/12 +cpu  " + loss)
        .contains("checkpoint step 4: " + job.checkpointsDir().resolve("ctl_000000004.safetensors"))
        .contains("adapter    (not written yet)");

    Run after = lathe("status", "-o", out, "ctl");
    assertThat(after.out()).containsPattern("ctl +finished +12/12 +cpu  loss \\d\\.\\d{4}").contains("adapter    " + job.finalAdapter());
    Run late = lathe("save-now", "-o", out, "ctl");
    assertThat(late.code()).isEqualTo(1);
    assertThat(late.err()).contains("job ctl is finished, not running");
  }
}
