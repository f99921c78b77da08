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

  /** Appends {@code text} wrapped to {@code width} (at least 10) to {@code lines}, each line styled {@code role}. */
  static void styled(List<String> lines, List<Role> roles, String text, Role role, int width) {
    for (String l : words(text, Math.max(10, width))) {
      lines.add(l);
      roles.add(role);
    }
  }
}
