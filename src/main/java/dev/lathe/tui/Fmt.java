package dev.lathe.tui;

import java.util.Locale;

/** Number and duration formats shared by the widgets, so the same figure reads the same everywhere. */
public final class Fmt {
  private Fmt() {}

  /** {@code 12s}, {@code 47m}, {@code 1h05m}, {@code 2d03h}; {@code ?} when negative (unknown). */
  public static String duration(long seconds) {
    if (seconds < 0) return "?";
    if (seconds < 60) return seconds + "s";
    long m = seconds / 60;
    if (m < 60) return m + "m";
    long h = m / 60;
    if (h < 48) return String.format(Locale.ROOT, "%dh%02dm", h, m % 60);
    return String.format(Locale.ROOT, "%dd%02dh", h / 24, h % 24);
  }

  /** Bytes as GB with one decimal ({@code 12.0}), 10^9 as GPU tools report. */
  public static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1e9);
  }

  /** A value with about four significant digits, switching to exponent form below 1e-3 or from 1e5 on. */
  public static String num(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    double a = Math.abs(v);
    if (a == 0) return "0";
    if (a < 1e-3 || a >= 1e5) return String.format(Locale.ROOT, "%.2e", v).replace("e-0", "e-").replace("e+0", "e");
    if (a < 1) return trim(String.format(Locale.ROOT, "%.4f", v));
    if (a < 100) return trim(String.format(Locale.ROOT, "%.3f", v));
    return trim(String.format(Locale.ROOT, "%.1f", v));
  }

  /** Iterations per second: {@code 3.1 it/s}, or {@code 12.4 s/it} when slower than one a second. */
  public static String rate(double itPerSec) {
    if (!(itPerSec > 0)) return "– it/s";
    if (itPerSec < 1) return String.format(Locale.ROOT, "%.1f s/it", 1 / itPerSec);
    return String.format(Locale.ROOT, "%.1f it/s", itPerSec);
  }

  /**
   * {@code s} with the few non-ASCII glyphs the console's own texts use replaced, for terminals without Unicode
   * ({@code ·} → {@code -}, {@code ×} → {@code x}, {@code –} → {@code -}, {@code °} dropped, arrows spelled).
   */
  public static String ascii(String s) {
    boolean plain = true;
    for (int i = 0; i < s.length() && plain; i++) plain = s.charAt(i) < 128;
    if (plain) return s;
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '·': case '–': case '—': case '─': sb.append('-'); break;
        case '×': sb.append('x'); break;
        case '°': break;
        case '…': sb.append('~'); break;
        case '●': sb.append('*'); break;
        case '✗': sb.append('x'); break;
        case '‹': sb.append('<'); break;
        case '›': sb.append('>'); break;
        case '←': case '◂': sb.append('<'); break;
        case '→': case '▸': sb.append('>'); break;
        case '↑': sb.append('^'); break;
        case '↓': sb.append('v'); break;
        default: sb.append(c < 128 ? c : '?');
      }
    }
    return sb.toString();
  }

  /** {@code s} cut to {@code width} columns with a trailing ellipsis (or '~' in ASCII mode). */
  public static String fit(String s, int width, boolean unicode) {
    if (width <= 0) return "";
    if (s.length() <= width) return s;
    return width == 1 ? s.substring(0, 1) : s.substring(0, width - 1) + (unicode ? "…" : "~");
  }

  /** {@code s} padded with spaces or cut to exactly {@code width}. */
  public static String pad(String s, int width, boolean unicode) {
    String f = fit(s, width, unicode);
    return f.length() >= width ? f : f + " ".repeat(width - f.length());
  }

  private static String trim(String s) {
    if (!s.contains(".")) return s;
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
