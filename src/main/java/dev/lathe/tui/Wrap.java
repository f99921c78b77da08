package dev.lathe.tui;

import java.util.ArrayList;
import java.util.List;

/** Word wrapping for dialogs and help. */
final class Wrap {
  private Wrap() {}

  static List<String> words(String text, int width) {
    List<String> out = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String w : text.split("\\s+")) {
      if (w.isEmpty()) continue;
      if (line.length() > 0 && line.length() + 1 + w.length() > width) {
        out.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) line.append(' ');
      line.append(w);
    }
    if (line.length() > 0) out.add(line.toString());
    return out;
  }
}
