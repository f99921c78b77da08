package dev.lathe.run;

import dev.lathe.demo.DemoData;
import dev.lathe.models.zimage.ZImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A complete tiny job on disk for runner tests: the demo-size Z-Image pipeline with random weights, written under
 * the real diffusers layout (it loads through the production loader), eight captioned 64 px pictures, and a job
 * file built from {@code extra} TOML lines.
 */
final class TinyJob {
  final Path root;
  final Path model;
  final Path data;

  private TinyJob(Path root) {
    this.root = root;
    this.model = root.resolve("model");
    this.data = root.resolve("dataset");
  }

  /** Builds the model and dataset once under {@code root}. */
  static TinyJob create(Path root) throws IOException {
    TinyJob t = new TinyJob(root);
    if (!Files.exists(t.model.resolve("model_index.json"))) new ZImage().writeRandom("demo", 1, t.model);
    if (!Files.exists(t.data)) DemoData.write(t.data, DemoData.generate(8, 64, 3));
    return t;
  }

  /** A job file named {@code name}.toml with the common settings plus {@code extra} (TOML, may add tables). */
  Path jobFile(String name, int steps, String extra) throws IOException {
    String toml = """
        extends = "zimage_deturbo"
        output = "%s"

        [job]
        name = "%s"
        trigger_word = "tinytrig"

        [model]
        name_or_path = "%s"

        [target]
        linear_rank = 4

        [save]
        dtype = "fp32"
        every = 100000
        keep_last = 3

        [training]
        batch_size = 2
        steps = %d
        optimizer = "adamw"
        learning_rate = 3e-3
        timestep_type = "sigmoid"
        gradient_checkpointing = false
        dtype = "fp32"
        seed = 5

        [[datasets]]
        folder = "%s"
        resolutions = [64]
        caption_dropout_rate = 0.1
        cache_latents = true

        [sample]
        every = 100000
        width = 64
        height = 64
        steps = 3
        guidance_scale = 1.0
        disable_sampling = true
        %s
        """.formatted(root.resolve("output"), name, model, steps, data, extra);
    Path f = root.resolve(name + ".toml");
    Files.writeString(f, toml);
    return f;
  }

  Path output() {
    return root.resolve("output");
  }
}
