package dev.lathe.cli;

import dev.lathe.config.Configs;
import dev.lathe.config.FamilyCatalog;
import dev.lathe.config.PresetLibrary;
import dev.lathe.config.Problem;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.config.Schema;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lathe presets}: the model-family presets a job can extend. */
@Command(name = "presets", mixinStandardHelpOptions = true,
    description = "List, show and compare the presets a job file can extend.",
    subcommands = {PresetsCommand.ListCommand.class, PresetsCommand.Show.class, PresetsCommand.Diff.class})
public final class PresetsCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.OK;
  }

  static ResolvedConfig resolve(PresetLibrary lib, String name) {
    try {
      return Configs.preset(name, lib);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.USAGE, e.getReason());
    } catch (IOException e) {
      throw new CliException(ExitCode.CONFIG, name + ": " + e.getMessage());
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every preset: family, whether this build trains it, VRAM guidance, where it lives.")
  static final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PresetLibrary lib = PresetLibrary.standard();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "FAMILY", "TRAINS", "VRAM", "SOURCE"});
      for (PresetLibrary.Entry e : lib.list()) {
        ResolvedConfig r = resolve(lib, e.name());
        String family = r.family().map(FamilyCatalog.Family::displayName).orElse("?");
        String trains = r.family().map(f -> f.implemented() ? "yes" : "not yet").orElse("?");
        String vram = r.family().map(f -> f.vram().minGb() == f.vram().recommendedGb() ? f.vram().minGb() + "+ GB"
            : f.vram().minGb() + "-" + f.vram().recommendedGb() + " GB").orElse("");
        String source = e.kind() == PresetLibrary.Kind.BUILT_IN ? "built-in" : "user " + e.file()
            + (e.overridesBuiltIn() ? " (replaces the built-in)" : "");
        if (!r.config().preset().isEmpty()) source += ", extends " + r.config().preset();
        long errors = r.problems().stream().filter(Problem::isError).count();
        if (errors > 0) source += ", " + errors + " error(s): lathe config check --preset " + e.file();
        rows.add(new String[] {e.name(), family, trains, vram, source});
      }
      table(out, rows);
      out.println();
      out.println("User presets: " + lib.userPresetDir() + " (a file there named like a built-in replaces it)");
      return ExitCode.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "A preset with every field resolved; each line's comment says where the value comes from.")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "preset name, as `lathe presets list` shows it")
    String name;

    @Option(names = "--raw", description = "print the preset file as written instead")
    boolean raw;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PresetLibrary lib = PresetLibrary.standard();
      PrintWriter out = spec.commandLine().getOut();
      if (raw) {
        PresetLibrary.Entry e = lib.find(name).orElseThrow(() -> resolveFailure(lib));
        out.print(lib.text(e));
        out.flush();
        return ExitCode.OK;
      }
      ResolvedConfig r = resolve(lib, name);
      out.print(r.toToml());
      out.flush();
      return ConfigCommand.report(r.problems(), spec.commandLine().getErr(), false) ? ExitCode.CONFIG : ExitCode.OK;
    }

    private CliException resolveFailure(PresetLibrary lib) {
      resolve(lib, name);   // throws with "did you mean"
      return new CliException(ExitCode.USAGE, "no preset named " + name);
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true, description = "The fields two presets set differently, after resolving both.")
  static final class Diff implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A")
    String a;

    @Parameters(index = "1", paramLabel = "B")
    String b;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PresetLibrary lib = PresetLibrary.standard();
      Map<String, Object> left = Schema.flatten(resolve(lib, a).config());
      Map<String, Object> right = Schema.flatten(resolve(lib, b).config());
      Set<String> keys = new LinkedHashSet<>(left.keySet());
      keys.addAll(right.keySet());
      keys.remove("extends");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"FIELD", a, b});
      for (String k : keys) {
        Object l = left.get(k);
        Object r = right.get(k);
        if (!Objects.equals(l, r)) rows.add(new String[] {k, show(k, l, left), show(k, r, right)});
      }
      PrintWriter out = spec.commandLine().getOut();
      if (rows.size() == 1) out.println(a + " and " + b + " resolve to the same values");
      else table(out, rows);
      return ExitCode.OK;
    }

    private static String show(String key, Object v, Map<String, Object> side) {
      if (!side.containsKey(key)) return "-";
      if (v == null) return "(inherit)";
      if (v instanceof String s) return "\"" + s + "\"";
      if (v instanceof dev.lathe.config.Choice c) return c.key();
      return String.valueOf(v);
    }
  }

  static void table(PrintWriter out, List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] w = new int[cols];
    for (String[] r : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r[i].length());
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        sb.append(r[i]);
        if (i < cols - 1) sb.append(" ".repeat(w[i] - r[i].length() + 2));
      }
      out.println(sb.toString().stripTrailing());
    }
    out.flush();
  }
}
