package dev.lathe.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The front door for reading configs. A typical caller:
 * <pre>
 *   ResolvedConfig r = Configs.load(Path.of("job.toml"));
 *   List&lt;Problem&gt; problems = Validation.check(r, Environment.detect(r.config().job().gpuId()));
 *   if (Problem.anyErrors(problems)) ... report and stop ...
 *   JobConfig cfg = r.config();
 * </pre>
 * Reading never throws for a bad config: every mistake is a {@link Problem}. Only an unreadable file (missing,
 * not UTF-8) throws {@link IOException}.
 */
public final class Configs {
  private Configs() {}

  /** Loads a job file, resolving {@code extends} against the standard preset library. */
  public static ResolvedConfig load(Path file) throws IOException {
    return load(file, PresetLibrary.standard());
  }

  public static ResolvedConfig load(Path file, PresetLibrary presets) throws IOException {
    return parse(read(file), file, presets);
  }

  /** Resolves TOML text as if it were the job file {@code file} (which need not exist). */
  public static ResolvedConfig parse(String text, Path file, PresetLibrary presets) {
    Path base = file.toAbsolutePath().getParent();
    Resolver.Source src = new Resolver.Source(file.getFileName().toString(), file, text, base, null);
    return new Resolver(presets).resolve(src, false);
  }

  /** Loads a preset by name as a template (see {@link ResolvedConfig#isPreset()}). */
  public static ResolvedConfig preset(String name, PresetLibrary presets) throws IOException {
    PresetLibrary.Entry e = presets.find(name)
        .orElseThrow(() -> new NoSuchFileException(name, null, "no preset named \"" + name + "\""
            + Suggest.didYouMean(name, presets.names()) + "; `lathe presets list` shows them"));
    Path base = e.kind() == PresetLibrary.Kind.USER ? e.file().toAbsolutePath().getParent() : Path.of("presets").toAbsolutePath();
    Resolver.Source src = new Resolver.Source("preset " + e.name(), e.file(), presets.text(e), base, e.name());
    return new Resolver(presets).resolve(src, true);
  }

  /** Loads a preset file that is not in the library (e.g. `lathe config check --preset my.toml`). */
  public static ResolvedConfig presetFile(Path file, PresetLibrary presets) throws IOException {
    Path base = file.toAbsolutePath().getParent();
    Resolver.Source src = new Resolver.Source(file.getFileName().toString(), file, read(file), base, null);
    return new Resolver(presets).resolve(src, true);
  }

  /** Resolves preset text as if it were the preset file {@code file} (which need not exist yet): a preset being edited. */
  public static ResolvedConfig parsePreset(String text, Path file, PresetLibrary presets) {
    Path base = file.toAbsolutePath().getParent();
    Resolver.Source src = new Resolver.Source(file.getFileName().toString(), file, text, base, null);
    return new Resolver(presets).resolve(src, true);
  }

  /** Problems from reading plus every validation rule. */
  public static List<Problem> check(ResolvedConfig r, Environment env) {
    return Validation.check(r, env);
  }

  static String read(Path file) throws IOException {
    if (Files.isDirectory(file)) throw new IOException(file + ": is a folder, not a TOML file");
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    } catch (MalformedInputException e) {
      throw new IOException(file + ": not UTF-8 text");
    }
  }
}
