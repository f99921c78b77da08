package dev.lathe.cli;

import dev.lathe.term.ColorDepth;
import dev.lathe.term.GraphicsProtocol;
import dev.lathe.term.TermProbe;
import picocli.CommandLine.Option;

/** {@code --color} and {@code --graphics}, shared by the commands that probe the terminal. */
final class TermOptions {
  @Option(names = "--color", paramLabel = "auto|truecolor|256|16|none",
      description = "Colour depth; default: detected (NO_COLOR means none).")
  String color = "auto";

  @Option(names = "--graphics", paramLabel = "auto|sixel|kitty|iterm2|blocks|ascii|none",
      description = "How sample pictures are drawn; default: detected.")
  String graphics = "auto";

  TermProbe.Options probeOptions() {
    try {
      ColorDepth c = color.equals("auto") ? null : ColorDepth.parse(color);
      GraphicsProtocol g = graphics.equals("auto") ? null : GraphicsProtocol.parse(graphics);
      return new TermProbe.Options(c, g, null);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage());
    }
  }
}
