package dev.lathe.cli;

import dev.lathe.term.TermProbe;
import dev.lathe.term.TermProfile;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lathe probe}: what the console will use on this terminal (colours, pictures, cell size, tmux). */
@Command(name = "probe", mixinStandardHelpOptions = true,
    description = "Ask the terminal what it can do (colours, sixel/kitty/iTerm2, cell size, tmux) and print it.")
public final class ProbeCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  TermOptions term = new TermOptions();

  @Override
  public Integer call() {
    TermProfile p = TermProbe.probe(term.probeOptions());
    spec.commandLine().getOut().print(p.describe());
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }
}
