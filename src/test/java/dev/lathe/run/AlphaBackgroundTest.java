package dev.lathe.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.config.Configs;
import dev.lathe.config.Environment;
import dev.lathe.config.Problem;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.data.Batch;
import dev.lathe.data.DataOptions;
import dev.lathe.data.DatasetSpec;
import dev.lathe.data.TrainingData;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code alpha_background} from a job file to the pixels the trainer sees: the [[datasets]] value reaches the
 * data pipeline through the runner's mapping, transparent pixels become that colour, and a value that is not a
 * colour is one validation error pointing at its line.
 */
class AlphaBackgroundTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  /** 64x64: left half opaque red, right half fully transparent (its stored colour, green, must never show). */
  void cutout(Path folder) throws Exception {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, x < 32 ? 0xFFFF0000 : 0x0000FF00);
    Files.createDirectories(folder);
    ImageIO.write(img, "png", folder.resolve("cut.png").toFile());
  }

  ResolvedConfig job(String datasetLines) throws Exception {
    Path f = dir.resolve("job.toml");
    Files.writeString(f, "extends = \"zimage_turbo\"\n[job]\nname = \"bg\"\n"
        + "[[datasets]]\nfolder = \"imgs\"\nresolutions = [64]\n" + datasetLines);
    return Configs.load(f);
  }

  /** Channel values of the pixel (x, y) of the first batch, back in 0..255. */
  static int[] rgbAt(ResolvedConfig rc, Path cache, int x, int y) throws Exception {
    DatasetSpec spec = JobRunner.spec(rc.config().datasets().get(0), rc.datasetFolder(0));
    try (TrainingData data = TrainingData.open(List.of(spec), DataOptions.DEFAULTS.withCacheDir(cache));
         PointerScope scope = new PointerScope()) {
      Batch b = data.next();
      assertThat(b.samples().get(0).background()).isEqualTo(spec.background());
      float[] px = Tensors.toFloats(data.pixels(b));   // [1, 3, 64, 64] in [-1, 1]
      int[] out = new int[3];
      for (int c = 0; c < 3; c++) out[c] = Math.round((px[c * 64 * 64 + y * 64 + x] + 1f) * 127.5f);
      return out;
    }
  }

  @Test
  void colourFromTheJobFile_paintsTheTransparentPixels() throws Exception {
    cutout(dir.resolve("imgs"));
    ResolvedConfig rc = job("alpha_background = \"#336699\"\n");
    assertThat(Configs.check(rc, Environment.none())).noneMatch(Problem::isError);
    assertThat(rgbAt(rc, dir.resolve("cache"), 48, 32)).containsExactly(0x33, 0x66, 0x99);
    assertThat(rgbAt(rc, dir.resolve("cache"), 16, 32)).containsExactly(0xFF, 0, 0);   // opaque pixels untouched

    // the short form, and the default (white) when the key is absent
    assertThat(rgbAt(job("alpha_background = \"#000\"\n"), dir.resolve("cache"), 48, 32)).containsExactly(0, 0, 0);
    assertThat(rgbAt(job(""), dir.resolve("cache"), 48, 32)).containsExactly(255, 255, 255);
  }

  @Test
  void notAColour_oneErrorAtItsLine() throws Exception {
    cutout(dir.resolve("imgs"));
    ResolvedConfig rc = job("alpha_background = \"blue\"\n");
    List<Problem> errors = Configs.check(rc, Environment.none()).stream().filter(Problem::isError).toList();
    assertThat(errors).singleElement().satisfies(p -> {
      assertThat(p.rule()).isEqualTo("dataset-background");
      assertThat(p.line()).isEqualTo(7);
      assertThat(p.toString()).isEqualTo(dir.resolve("job.toml") + ":7: datasets[0].alpha_background: write the colour as "
          + "\"#rrggbb\" or \"#rgb\" (white: \"#ffffff\"), got \"blue\" (error)");
      assertThat(p.toString()).doesNotContain("\n");
    });
  }
}
