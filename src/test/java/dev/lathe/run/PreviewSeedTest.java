package dev.lathe.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.config.ConfigDocument;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.torch.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preview seeds through a real job: with walk_seed prompt i draws with seed + i (ai-toolkit's rule), without it
 * every prompt draws with the panel's seed, and a prompt's own seed wins either way. Three prompts share one text,
 * so equal seeds give byte-identical pictures and different seeds different ones.
 */
class PreviewSeedTest {
  @TempDir static Path root;
  static TinyJob tiny;

  @BeforeAll
  static void setUp() throws IOException {
    Runtime.load();
    tiny = TinyJob.create(root);
  }

  /** The step-0 previews of a one-step job, as file bytes by prompt index. */
  static byte[][] baseline(String name, boolean walk) throws Exception {
    String prompts = """
        walk_seed = %s
        seed = 42

        [[sample.prompts]]
        prompt = "tinytrig, a small orange disc"

        [[sample.prompts]]
        prompt = "tinytrig, a small orange disc"

        [[sample.prompts]]
        prompt = "tinytrig, a small orange disc"
        seed = 43
        """.formatted(walk);
    Path f = tiny.jobFile(name, 1, prompts);
    ConfigDocument d = ConfigDocument.load(f);
    d.set("sample.disable_sampling", false);
    d.save();
    JobFolder job = JobRunnerTest.submit(f, name);
    JobRunner.Result r = JobRunnerTest.run(job);
    assertThat(r.state()).as(r.message()).isEqualTo(JobState.FINISHED);
    byte[][] out = new byte[3][];
    for (JobFolder.Sample s : job.samples()) if (s.step() == 0) out[s.prompt()] = Files.readAllBytes(s.file());
    for (byte[] b : out) assertThat(b).isNotNull();
    return out;
  }

  @Test
  void walkSeed_givesPromptISeedPlusI_andAPromptSeedWins() throws Exception {
    byte[][] walk = baseline("walk", true);
    assertThat(walk[1]).as("prompt 1 walks to seed 43, the seed prompt 2 sets").isEqualTo(walk[2]);
    assertThat(walk[0]).as("prompt 0 keeps seed 42").isNotEqualTo(walk[1]);

    byte[][] fixed = baseline("fixed", false);
    assertThat(fixed[0]).as("without walk_seed prompts 0 and 1 share seed 42").isEqualTo(fixed[1]);
    assertThat(fixed[2]).as("prompt 2's own seed 43").isNotEqualTo(fixed[0]).isEqualTo(walk[2]);
    assertThat(fixed[0]).isEqualTo(walk[0]);
  }
}
