package dev.lathe.demo;

import dev.lathe.io.AtomicFiles;
import dev.lathe.models.zimage.ZImageDemo;
import dev.lathe.torch.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The embedded demo: everything a first run needs, generated locally in seconds — a tiny Z-Image pipeline
 * (real architectures, see {@link ZImageDemo}), a captioned dataset with a trigger word ({@link DemoData}) and a
 * job file — so that training can be watched on a laptop CPU in a few minutes without downloading anything.
 */
public final class Demo {
  /** Bump when the generated assets change so old ones are rebuilt. */
  static final String VERSION = "1";
  public static final String TRIGGER = "lathedemo";
  public static final int SIZE = 64;
  /** Autoencoder fitting steps: enough for recognisable previews (about half a minute on two cores). */
  public static final int VAE_STEPS = 150;

  private Demo() {}

  /** Where the assets live: {@code $XDG_CACHE_HOME/lathe/demo} or {@code ~/.cache/lathe/demo}. */
  public static Path defaultHome() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("lathe").resolve("demo");
  }

  /**
   * Makes sure the model and dataset exist under {@code home} (built once, reused) and writes the job file.
   *
   * @return the job file
   */
  public static Path prepare(Path home, int steps, Path output, Consumer<String> say) throws IOException {
    return prepare(home, steps, VAE_STEPS, output, say);
  }

  /** As {@link #prepare(Path, int, Path, Consumer)}, with the autoencoder's fitting steps (fewer for quick tests). */
  public static Path prepare(Path home, int steps, int vaeSteps, Path output, Consumer<String> say) throws IOException {
    Path model = home.resolve("model");
    Path data = home.resolve("dataset");
    Path marker = home.resolve("version");
    boolean fresh = !Files.exists(marker) || !VERSION.equals(Files.readString(marker).trim());
    if (fresh) {
      Runtime.load();
      say.accept("demo: drawing 24 captioned pictures (orange disc on teal, trigger '" + TRIGGER + "') in " + data);
      List<DemoData.Item> items = DemoData.generate(24, SIZE, 1);
      DemoData.write(data, items);
      say.accept("demo: building a tiny Z-Image pipeline (random transformer and text encoder; fitting its autoencoder to the pictures) in " + model);
      try (PointerScope scope = new PointerScope()) {
        List<Tensor> images = new ArrayList<>();
        for (DemoData.Item it : items) images.add(DemoData.tensor(it.image()));
        ZImageDemo.write(model, images, 2026, vaeSteps, step -> {
          if (step % 50 == 0) say.accept("demo: autoencoder step " + step + "/" + vaeSteps);
        });
      }
      AtomicFiles.writeString(marker, VERSION + "\n");
    }
    Path job = home.resolve("demo.toml");
    AtomicFiles.writeString(job, jobToml(model, data, steps, output));
    return job;
  }

  /** The demo job: a LoRA on the tiny model, previews every quarter of the run. */
  static String jobToml(Path model, Path data, int steps, Path output) {
    int every = Math.max(1, steps / 4);
    return """
        # Lathe's embedded demo job (written by `lathe demo`). A LoRA on a tiny Z-Image model learns to draw an orange
        # disc on teal whenever the prompt holds the trigger word; watch the previews in samples/.
        extends = "zimage_deturbo"
        output = "%s"

        [job]
        name = "demo"
        trigger_word = "%s"

        [model]
        name_or_path = "%s"

        [target]
        type = "lora"
        linear_rank = 16
        # the demo's base model is random, so the LoRA goes on every Linear (a real job keeps the family's default)
        include = ["re:."]

        [save]
        dtype = "fp32"
        every = %d
        keep_last = 2

        [training]
        batch_size = 4
        steps = %d
        optimizer = "adamw"
        learning_rate = 2e-3
        lr_scheduler = "cosine"
        warmup_steps = 10
        timestep_type = "sigmoid"
        gradient_checkpointing = false
        dtype = "fp32"
        seed = 7

        [[datasets]]
        folder = "%s"
        resolutions = [%d]
        caption_dropout_rate = 0.0
        cache_latents = true

        [sample]
        every = %d
        width = %d
        height = %d
        steps = 12
        guidance_scale = 1.0
        seed = 11
        walk_seed = false

        [[sample.prompts]]
        prompt = "[trigger], a large orange disc in the middle on a teal background"

        [[sample.prompts]]
        prompt = "[trigger], a small orange disc in the top left on a teal background"
        """.formatted(esc(output.toAbsolutePath().toString()), TRIGGER, esc(model.toAbsolutePath().toString()), every, steps,
        esc(data.toAbsolutePath().toString()), SIZE, every, SIZE, SIZE);
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
